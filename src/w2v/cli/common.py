"""What the sub-commands share: reading vectors, the help layout, and command-line options made from ``w2v.params``."""
import argparse
import sys

from .. import params
from ..formats import load

#: metavariables: N for whole numbers, X for real numbers, PATH for files
METAVARS = {"int": "N", "int?": "N", "real": "X", "text?": "TEXT"}
def positive_int(text):
    """argparse type: a whole number >= 1 (counts of results, users, vectors)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


#: the metavariable of an option whose values are of this type, unless it names its own
TYPE_METAVARS = {int: "N", positive_int: "N", float: "X"}
#: one spelling for each kind of value, whatever the option's name (options naming no metavar)
DEST_METAVARS = {"names": "PATH", "output": "PATH", "text": "PATH", "input": "PATH", "source": "PATH",
                 "target": "PATH", "item": "COLUMN", "user": "COLUMN", "time": "COLUMN", "name_col": "COLUMN",
                 "id_col": "COLUMN", "sep": "SEP", "names_sep": "SEP", "delimiter": "SEP", "time_unit": "UNIT",
                 "title": "TEXT", "token": "TEXT", "prompt": "TEXT", "comment": "TEXT", "sentence": "TEXT",
                 "word1": "WORD", "word2": "WORD", "words": "WORD"}


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """argparse's defaults-showing help, for every option: a flag that is off shows
    "(default: off)", an option without a value "(default: none)", a required one
    "(required)"; help that already tells its default is left as it is.  Options of whole
    and real numbers are shown as N and X (``--topn N``, not ``--topn TOPN``)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "%(default)" in text or "default" in text.lower() or action.default is argparse.SUPPRESS:
            return text
        if not action.option_strings:
            return text
        if action.required:
            return f"{text} (required)"
        if action.nargs == 0:
            if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
                return f"{text} (default: {'on' if action.default else 'off'})"
            if action.default in (None, False):
                return f"{text} (default: off)"
        if action.default is None or action.default == []:
            return f"{text} (default: none)"
        return f"{text} (default: %(default)s)"

    def _get_default_metavar_for_optional(self, action):
        return TYPE_METAVARS.get(action.type) or DEST_METAVARS.get(action.dest, action.dest.upper())

    def _get_default_metavar_for_positional(self, action):
        return DEST_METAVARS.get(action.dest, action.dest.upper())


def parsers(parser):
    """``parser`` and every sub-command parser under it, each once, parents first."""
    seen, todo = set(), [parser]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())
#: extra spellings kept for options people already use
ALIASES = {"sg": ("--sg",), "compute_loss": ("--compute-loss", "--loss"), "cbow_mean": ("--no-cbow-mean", "--cbow-sum")}


def load_vectors(path, limit=None):
    """Vectors for a command that reads them: native files are memory-mapped (showing five
    rows or answering one query should not read all of a big model), others are read."""
    from .. import store
    from ..download import resolve_model

    path = resolve_model(path)   # a catalogue name: its cached native copy (downloaded once)
    return load(path, limit=limit, mmap="r" if store.is_native(path) else None)


def option_names(name, default=None):
    """The option strings of parameter ``name``: ``--vector-size``; a flag that is off by
    default is switched on by ``--hs``, one that is on by default off by ``--no-shrink-windows``."""
    p = params.BY_NAME[name]
    default = p.default if default is None else default
    if name in ALIASES:
        return ALIASES[name]
    dashed = name.replace("_", "-")
    if p.kind == "flag" and default:
        return (f"--no-{dashed}",)
    return (f"--{dashed}",)


def add_param_options(parser, names, defaults=None, helps=None, types=None, metavars=None):
    """Add an option for each parameter in ``names`` to ``parser``, in argument groups named as
    in ``params.PARAMS``; ``defaults``/``helps``/``types`` override a parameter's default, help or
    argparse type (and ``metavars`` its metavariable).  Each option's ``dest`` is the parameter's name."""
    defaults = defaults or {}
    helps = helps or {}
    types = types or {}
    metavars = metavars or {}
    groups = {}
    for name in names:
        p = params.BY_NAME[name]
        group = groups.get(p.group)
        if group is None:
            group = groups[p.group] = parser.add_argument_group(p.group)
        default = defaults.get(name, p.default)
        text = helps.get(name, p.help)
        flags = option_names(name, default)
        if p.kind == "flag":
            on = type(p.default)(not default)
            group.add_argument(*flags, dest=name, action="store_const", const=on, default=default,
                               help=f"{'' if on else 'turn off: '}{text} (sets {name}={on!r}; default: {default!r})")
        elif p.kind == "choice":
            group.add_argument(*flags, dest=name, choices=p.low, default=default, help=f"{text} (default: %(default)s)")
        else:
            kind = types.get(name, {"int": int, "int?": int, "real": float, "text?": str}[p.kind])
            note = "" if default is None or "%(default)" in text else " (default: %(default)s)"
            group.add_argument(*flags, dest=name, type=kind, default=default, metavar=metavars.get(name, METAVARS[p.kind]),
                               help=text + note)
    return groups


def is_cached(dispatcher):
    """Whether a numba kernel runs without compiling: compiled in this process, or in numba's
    on-disk cache (any signature; a hint only, True where numba's internals differ)."""
    try:
        return bool(dispatcher.overloads) or bool(dispatcher._cache._cache_file._load_index())
    except Exception:  # noqa: BLE001 - never let a hint stop the command
        return True


def announce_compiling(what, seconds, *dispatchers):
    """Say "w2v: compiling the WHAT kernels (first run only, about N s)" on stderr before a wait
    for numba to compile ``dispatchers``; nothing when they are cached.  Returns whether it said so."""
    if all(is_cached(d) for d in dispatchers):
        return False
    print(f"w2v: compiling the {what} kernels (first run only, about {seconds} s)", file=sys.stderr, flush=True)
    return True


def param_values(args, names):
    """The parsed values of the parameter options ``names``."""
    return {name: getattr(args, name) for name in names}
