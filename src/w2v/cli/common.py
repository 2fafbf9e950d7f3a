"""What the sub-commands share: reading vectors, and command-line options made from ``w2v.params``."""
from .. import params
from ..formats import load

#: metavariables: N for whole numbers, X for real numbers, PATH for files
METAVARS = {"int": "N", "int?": "N", "real": "X", "text?": "TEXT"}
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


def param_values(args, names):
    """The parsed values of the parameter options ``names``."""
    return {name: getattr(args, name) for name in names}
