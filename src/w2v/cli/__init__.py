"""The ``w2v`` command: parses arguments, calls the Python API, prints.  No logic of its own.

Each sub-module adds its sub-commands with ``register(subparsers)``; a sub-command's
function takes the parsed ``args`` and returns an exit code (or None for 0).
"""
import argparse
import sys
import warnings

from .. import __version__
from ..atomic import check_target
from ..errors import W2VError
from . import download, illustrate, items, query, serve, text, train
from . import lm as lm_cli
from .common import HelpFormatter, parsers
from .common import load_vectors  # noqa: F401 (its old home)

_MODULES = (train, query, illustrate, items, text, download, lm_cli, serve)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="w2v", formatter_class=HelpFormatter,
        description="Train, query, convert and illustrate word2vec embeddings.",
    )
    parser.add_argument("--version", action="version", version=f"w2v {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _MODULES:
        module.register(sub)
    for each in parsers(parser):  # one help layout everywhere; errors print the sub-command's usage
        each.formatter_class = HelpFormatter
        each.set_defaults(_parser=each)
    return parser


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    print(f"w2v: warning: {str(message).splitlines()[0] if str(message) else category.__name__}", file=sys.stderr)


def main(argv=None):
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):  # like git: the help, and status 1 (nothing was done)
        parser.print_help(sys.stderr)
        return 1
    args, extra = parser.parse_known_args(argv)
    if extra:  # argparse would show the top-level usage; the sub-command's is the useful one
        getattr(args, "_parser", parser).error(f"unrecognized arguments: {' '.join(extra)}")
    with warnings.catch_warnings():  # restores the usual printing when main() returns
        warnings.showwarning = _one_line_warning  # Python warnings as one line, no source paths
        return _run(args)


def _run(args):
    try:
        for name in getattr(args, "writes", ()):  # fail in the first second, not after the work
            if getattr(args, name, None) not in (None, "-"):   # "-": standard output
                check_target(getattr(args, name))
        return args.func(args) or 0
    except W2VError as exc:
        print(f"w2v: error: {exc}", file=sys.stderr)
    except KeyError as exc:  # unknown words: the message names them
        print(f"w2v: error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"w2v: error: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
    except ValueError as exc:
        print(f"w2v: error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("w2v: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `w2v similar ... | head`
        sys.stderr.close()
        return 0
    return 2
