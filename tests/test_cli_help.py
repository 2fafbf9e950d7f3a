"""The command line's help: every option shows its default, one metavariable spelling, and
errors print the usage of the sub-command the user typed."""
import argparse
import re

import pytest

from w2v import params
from w2v.cli import build_parser, main
from w2v.cli.common import parsers

#: the spellings of values on the command line (N whole numbers, X real numbers, PATH files)
VOCABULARY = {"N", "X", "PATH", "PATH|URL", "PATH|NAME", "MODEL", "CORPUS", "WORD", "ITEM", "TERM", "TEXT", "COLUMN",
              "SEP", "UNIT", "DURATION", "NAME", "HOST", "FROM:TO", "N|session", "CLUSTER"}


def _options():
    for parser in parsers(build_parser()):
        formatter = parser._get_formatter()
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)):
                continue
            yield parser, formatter, action


def _metavar(formatter, action):
    default = (formatter._get_default_metavar_for_optional(action) if action.option_strings
               else formatter._get_default_metavar_for_positional(action))
    return formatter._metavar_formatter(action, default)(1)[0]


def test_every_option_shows_its_default():
    missing = [f"{parser.prog} {action.option_strings[0]}" for parser, formatter, action in _options()
               if action.option_strings and not re.search(r"default|required", formatter._expand_help(action), re.I)]
    assert not missing, missing


def test_one_metavariable_spelling_everywhere():
    odd = {}
    for parser, formatter, action in _options():
        if action.nargs == 0 or action.choices is not None:
            continue
        name = _metavar(formatter, action)
        if action.type is int and name != "N" or action.type is float and name != "X" or name not in VOCABULARY:
            odd[f"{parser.prog} {(action.option_strings or [action.dest])[0]}"] = name
    assert not odd, odd


def test_training_defaults_come_from_params(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in ("vector_size", "window", "min_count", "negative", "sample", "alpha", "epochs"):
        flag = "--" + name.replace("_", "-")
        assert re.search(rf"{flag} [NX] .*?\(default: {re.escape(str(params.DEFAULTS[name]))}\)", text), flag


def test_items_train_takes_the_option_names_of_train():
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    items = next(a for a in sub.choices["items"]._actions if isinstance(a, argparse._SubParsersAction))
    train = {o for a in sub.choices["train"]._actions for o in a.option_strings}
    reading_and_tuning = {"--item", "--user", "--time", "--time-unit", "--sep", "--session-gap", "--keep-repeats",
                          "--skip-bad-rows", "--no-tune", "--tune-users"}
    extra = {o for a in items.choices["train"]._actions for o in a.option_strings} - train - reading_and_tuning
    assert not extra, extra
    for alias in ("--size", "--iter", "--threads"):
        with pytest.raises(SystemExit):
            main(["items", "train", "log.csv", "-o", "m.w2v", alias, "3"])


def test_w2v_alone_prints_the_help(capsys):
    assert main([]) == 1
    err = capsys.readouterr().err
    assert err.startswith("usage: w2v") and "COMMAND" in err and "train" in err


@pytest.mark.parametrize("argv, prog", [(["evaluate", "m.w2v", "--bogus"], "w2v evaluate"),
                                        (["items", "recommend", "m.w2v", "--history", "a", "--nope"],
                                         "w2v items recommend"),
                                        (["train", "corpus.txt", "-o", "m.w2v", "--size", "3"], "w2v train")])
def test_a_bad_option_prints_the_sub_commands_usage(argv, prog, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: {prog} ") and f"{prog}: error: unrecognized arguments: " in err
    assert "Traceback" not in err
