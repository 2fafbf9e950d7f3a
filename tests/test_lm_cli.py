import json

import pytest

from w2v.cli import main


@pytest.fixture(scope="module")
def lm_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lm")
    corpus = folder / "corpus.txt"
    chain = [f"w{i}" for i in range(12)]
    corpus.write_text("\n".join(" ".join(chain[s:s + 6]) for s in list(range(7)) * 60) + "\n")
    path = folder / "lm.w2v"
    assert main(["lm", "train", str(corpus), "-o", str(path), "--min-count", "1", "--epochs", "6",
                 "--vector-size", "16", "--hidden", "32", "--alpha", "0.01", "--workers", "1", "-q"]) == 0
    return path, corpus


def test_predict_perplexity_generate(lm_file, capsys):
    path, corpus = lm_file
    assert main(["lm", "predict", str(path), "w3 w4", "-n", "2", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["word"] == "w5" and rows[0]["probability"] > rows[1]["probability"]
    assert main(["lm", "perplexity", str(path), str(corpus), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tokens"] == 420 * 7 and out["perplexity"] < 3
    assert main(["lm", "generate", str(path), "w0", "w1", "--words", "3", "--temperature", "0.3"]) == 0
    assert capsys.readouterr().out.split()[:4] == ["w0", "w1", "w2", "w3"]


def test_bad_input_is_one_line_exit_2(lm_file, tmp_path, capsys):
    path, corpus = lm_file
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["lm", "perplexity", str(path), str(empty)]) == 2
    assert "no tokens" in capsys.readouterr().err
    assert main(["lm", "predict", str(corpus), "w1"]) == 2
    assert "not a native w2v file" in capsys.readouterr().err
    assert main(["lm", "train", str(corpus), "-o", str(tmp_path / "x"), "--context", "0"]) == 2
    assert "context" in capsys.readouterr().err
    assert main(["lm", "predict", str(path), "nothing", "known"]) == 0
    assert "unknown token" in capsys.readouterr().err


def test_train_options_reach_the_model(lm_file, tmp_path):
    from w2v.lm import LanguageModel
    from w2v.lm.model import DEFAULTS

    path, corpus = lm_file
    default = LanguageModel.load(path)
    assert default.dropout == DEFAULTS["dropout"] and default.direct == DEFAULTS["direct"]
    out = tmp_path / "direct.w2v"
    assert main(["lm", "train", str(corpus), "-o", str(out), "--min-count", "1", "--epochs", "1", "--direct",
                 "--dropout", "0.1", "--workers", "1", "--max-validation-tokens", "40", "-q"]) == 0
    lm = LanguageModel.load(out)
    assert lm.direct and "W" in lm.params and lm.dropout == 0.1 and lm.max_validation_tokens == 40
    assert lm.last_training["validation_tokens"] <= 40
    out = tmp_path / "tied.w2v"
    assert main(["lm", "train", str(corpus), "-o", str(out), "--min-count", "1", "--epochs", "2", "--tied",
                 "--weight-decay", "0.05", "--average", "0.5", "--workers", "1", "-q"]) == 0
    lm = LanguageModel.load(out)
    assert lm.tied and "P" in lm.params and "U" not in lm.params
    assert lm.weight_decay == 0.05 and lm.average == 0.5
    assert default.tied == DEFAULTS["tied"] and default.average == DEFAULTS["average"]
    out = tmp_path / "exact.w2v"
    assert main(["lm", "train", str(corpus), "-o", str(out), "--min-count", "1", "--epochs", "2", "--objective",
                 "sampled", "--samples", "4", "--exact-epochs", "0.5", "--workers", "1", "-q"]) == 0
    lm = LanguageModel.load(out)
    assert lm.exact_epochs == 0.5 and [r["objective"] for r in lm.history] == ["sampled", "softmax"]
    out = tmp_path / "shortlist.w2v"
    assert main(["lm", "train", str(corpus), "-o", str(out), "--min-count", "1", "--epochs", "2", "--objective",
                 "sampled", "--samples", "4", "--shortlist", "3", "--workers", "1", "-q"]) == 0
    lm = LanguageModel.load(out)
    assert lm.shortlist == 3 and default.shortlist == DEFAULTS["shortlist"] == 0
    out = tmp_path / "sgd.w2v"
    assert main(["lm", "train", str(corpus), "-o", str(out), "--min-count", "1", "--epochs", "1", "--optimizer",
                 "sgd", "--min-alpha", "0.5", "--patience", "7", "--workers", "1", "-q"]) == 0
    lm = LanguageModel.load(out)
    assert lm.optimizer == "sgd" and lm.rates() == (4.0, 0.5) and default.optimizer == DEFAULTS["optimizer"]
    assert lm.patience == 7 and default.patience == DEFAULTS["patience"]


def test_diverged_training_is_one_line_exit_2(lm_file, tmp_path, capsys):
    path, corpus = lm_file
    assert main(["lm", "train", str(corpus), "-o", str(tmp_path / "x"), "--optimizer", "sgd", "--alpha", "1e5",
                 "--min-count", "1", "--epochs", "2", "--workers", "1", "-q"]) == 2
    err = capsys.readouterr().err
    assert "training diverged" in err and "lower alpha" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_shortlist_needs_the_sampled_softmax(lm_file, tmp_path, capsys):
    path, corpus = lm_file
    assert main(["lm", "train", str(corpus), "-o", str(tmp_path / "x"), "--objective", "nce",
                 "--shortlist", "3", "--min-count", "1", "-q"]) == 2
    err = capsys.readouterr().err
    assert "shortlist" in err and "nce" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_train_help_states_the_models_own_defaults():
    """The CLI help writes the defaults out (so that --help does not import the numba kernels); they must
    be the model's: every "(default N)" of `w2v lm train`, its choices and the optimisers' rates."""
    import re

    from w2v.cli import build_parser
    from w2v.cli.lm import _TRAINING
    from w2v.lm import net
    from w2v.lm.model import ALPHA, DEFAULTS, OBJECTIVES, SCHEDULES

    lm = next(a for a in build_parser()._actions if getattr(a, "choices", None) and "lm" in a.choices).choices["lm"]
    train = next(a for a in lm._actions if getattr(a, "choices", None) and "train" in a.choices).choices["train"]
    actions = {a.dest: a for a in train._actions if a.dest in _TRAINING}
    assert set(actions) == set(_TRAINING)
    checked = 0
    for dest, action in actions.items():
        found = re.search(r"default:? (\d+(?:\.\d+)?)\b", action.help or "")
        if found:
            assert float(found.group(1)) == DEFAULTS[dest], (dest, action.help)
            checked += 1
    assert checked >= 12
    assert actions["optimizer"].choices == tuple(net.OPTIMIZERS) and f"{DEFAULTS['optimizer']} (default)" in \
        actions["optimizer"].help
    assert actions["schedule"].choices == SCHEDULES and actions["objective"].choices == OBJECTIVES
    assert all(f"{rate:g} for {name}" in actions["alpha"].help for name, rate in ALPHA.items())


def test_demo_trains_on_the_builtin_corpus_and_prints_the_thou_shalt_table(tmp_path, capsys):
    from w2v.lm import LanguageModel

    out = tmp_path / "demo.w2v"
    assert main(["lm", "demo", "--seconds", "6", "-q", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "built-in corpus" in captured.err and f"saved the model to {out}" in captured.err
    lines = captured.out.splitlines()
    start = lines.index("thou shalt ...")
    assert lines[start + 1].split() == ["next", "word", "probability"]
    rows = [line.split() for line in lines[start + 3:start + 8]]
    assert len(rows) == 5 and all(len(r) == 2 for r in rows)
    probs = [float(p) for _, p in rows]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1
    # the table is the saved model's prediction, and the model learned from the corpus: "thou shalt" is
    # followed there by "not" and "be" most often
    lm = LanguageModel.load(out)
    assert [(w, round(p, 4)) for w, p in lm.predict(["thou", "shalt"], topn=5)] == [(w, float(p)) for w, p in rows]
    assert lm.vocab.classes > 8000 and lm.history
    top = [w for w, _ in lm.predict(["thou", "shalt"], topn=20)]
    assert "not" in top and "be" in top
    import collections
    import gzip

    from w2v.cli.train import demo_corpus_path
    after = collections.Counter()
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as f:
        for line in f:
            w = line.split()
            after.update(w[i + 2] for i in range(len(w) - 2) if w[i] == "thou" and w[i + 1] == "shalt")
    assert after.most_common(3) in ([("not", 7), ("be", 7), ("take", 4)], [("be", 7), ("not", 7), ("take", 4)])
    assert sum(after.values()) == 42
