"""The ``w2v`` command: parses arguments, calls the Python API, prints.  No logic of its own.

Each sub-module adds its sub-commands with ``register(subparsers)``; a sub-command's
function takes the parsed ``args`` and returns an exit code (or None for 0).
"""
import argparse
import sys

from .. import __version__
from ..errors import W2VError
from ..formats import load
from . import illustrate, items, query, serve, train

_MODULES = (train, query, illustrate, items, serve)


def load_vectors(path, limit=None):
    """Vectors for a command that reads them: native files are memory-mapped (showing five
    rows or answering one query should not read all of a big model), others are read."""
    from .. import store

    return load(path, limit=limit, mmap="r" if store.is_native(path) else None)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="w2v",
        description="Train, query, convert and illustrate word2vec embeddings.",
    )
    parser.add_argument("--version", action="version", version=f"w2v {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _MODULES:
        module.register(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
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
