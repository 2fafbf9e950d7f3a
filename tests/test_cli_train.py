"""`w2v train` and `w2v demo` from the command line."""
import subprocess
import sys

import numpy as np
import pytest

import w2v
from w2v.cli import main

from conftest import neighbour_purity, planted_corpus

SENTENCES, GROUP = planted_corpus(sentences=1500)
TEXT = "\n".join(" ".join(s) for s in SENTENCES) + "\n"


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(TEXT)
    return path


def test_train_writes_a_model_that_learned(corpus_file, tmp_path, capsys):
    out = tmp_path / "m.w2v"
    code = main(["train", str(corpus_file), "-o", str(out), "--sg", "--vector-size", "20", "--window", "3",
                 "--min-count", "1", "--epochs", "4", "--workers", "2", "--loss", "-q"])
    assert code == 0
    printed = capsys.readouterr()
    # -q: no progress bar, and nothing else went wrong (a fresh install also says, once, that it compiles)
    assert [line for line in printed.err.splitlines() if not line.startswith("w2v: compiling")] == []
    lines = printed.out.splitlines()
    assert lines[0].startswith("vocabulary 40 words") and "words/s" in lines[1]
    assert "epoch 4 loss" in printed.out and lines[-1] == f"saved native to {out}"
    model = w2v.Word2Vec.load(out)
    assert model.sg == 1 and model.vector_size == 20 and model.window == 3 and model.epochs == 4
    assert neighbour_purity(model.wv, GROUP) >= 0.95


def test_train_options_reach_the_model(corpus_file, tmp_path):
    out = tmp_path / "m.w2v"
    main(["train", str(corpus_file), "-o", str(out), "--cbow", "--hs", "--negative", "0", "--cbow-sum",
          "--min-count", "1", "--sample", "0", "--epochs", "1", "--seed", "7", "--no-shrink-windows", "-q",
          "--max-final-vocab", "30", "--alpha", "0.05", "--min-alpha", "0.001", "--ns-exponent", "0.5"])
    m = w2v.Word2Vec.load(out)
    assert (m.sg, m.hs, m.negative, m.cbow_mean, m.sample, m.seed, m.shrink_windows) == (0, 1, 0, 0, 0, 7, False)
    assert (m.alpha, m.min_alpha, m.ns_exponent) == (0.05, 0.001, 0.5)
    assert len(m.wv) <= 30 and m.syn1 is not None and m.syn1neg is None


def test_train_reads_stdin(tmp_path):
    out = tmp_path / "m.w2v"
    run = subprocess.run([sys.executable, "-m", "w2v", "train", "-", "-o", str(out), "--min-count", "1",
                          "--epochs", "1", "-q"], input=TEXT, text=True, capture_output=True)
    assert run.returncode == 0, run.stderr
    assert w2v.Word2Vec.load(out).corpus_total_words == 15_000


@pytest.mark.parametrize("setup,args,message", [
    (None, ["train", "missing.txt", "-o", "m.w2v"], "missing.txt: no such file or folder"),
    ("bad", ["train", "bad.txt", "-o", "m.w2v"], "bad.txt, line 2, byte 3: invalid UTF-8"),
    ("rare", ["train", "rare.txt", "-o", "m.w2v"], "no word occurs min_count=5 times"),
    ("rare", ["train", "rare.txt", "-o", "m.w2v", "--window", "0"], "window must be a whole number >= 1"),
    ("rare", ["train", "rare.txt", "-o", "m.w2v", "--sg", "--softmax"], "set negative=0 and hs=0 (got negative=5"),
])
def test_train_errors_are_one_line_with_exit_2(tmp_path, monkeypatch, setup, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.txt").write_bytes(b"fine\nab\xc3(\n")
    (tmp_path / "rare.txt").write_text("a b c\n")
    run = subprocess.run([sys.executable, "-m", "w2v", *args, "-q"], capture_output=True, text=True)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("w2v: error: ") and message in lines[0], run.stderr
    assert not (tmp_path / "m.w2v").exists()


def test_unicode_errors_replace_reads_bad_bytes(tmp_path, capsys):
    (tmp_path / "bad.txt").write_bytes(b"ok ok ok\nab\xff ok\n" * 5)
    assert main(["train", str(tmp_path / "bad.txt"), "-o", str(tmp_path / "m.w2v"), "--min-count", "1",
                 "--unicode-errors", "replace", "--epochs", "1", "-q"]) == 0
    assert "ab\ufffd" in w2v.Word2Vec.load(tmp_path / "m.w2v").wv.key_to_index


def test_demo_trains_prints_neighbours_and_saves(tmp_path, capsys):
    out = tmp_path / "demo.w2v"
    assert main(["demo", "-o", str(out), "--epochs", "2", "-q", "--words", "god", "nosuchword"]) == 0
    stdout = capsys.readouterr().out
    assert stdout.splitlines()[1].strip().startswith("god: ")
    assert "nosuchword: not in the vocabulary" in stdout
    assert f"saved the model to {out}" in stdout
    model = w2v.Word2Vec.load(out)
    assert model.sg == 1 and model.corpus_total_words == 560_305
    assert np.isfinite(model.wv.vectors).all()


@pytest.mark.parametrize("fmt,binary", [("word2vec-binary", True), ("word2vec-text", False)])
def test_train_can_write_word2vec_files_that_gensim_reads(corpus_file, tmp_path, fmt, binary):
    from gensim.models import KeyedVectors as GensimKV

    out = tmp_path / "vectors.out"
    assert main(["train", str(corpus_file), "-o", str(out), "--format", fmt, "--min-count", "1",
                 "--epochs", "1", "--vector-size", "12", "-q"]) == 0
    theirs = GensimKV.load_word2vec_format(str(out), binary=binary)
    ours = w2v.load(str(out))
    assert theirs.index_to_key == ours.index_to_key and len(ours) == 40
    np.testing.assert_allclose(theirs.vectors, ours.vectors, atol=1e-6)


def _subcommand(*names):
    from w2v.cli import build_parser

    parser = build_parser()
    for name in names:
        parser = next(a for a in parser._actions if a.dest in ("command", "items_command")).choices[name]
    return parser


def test_every_training_parameter_has_its_option_with_the_python_default():
    from w2v import params
    from w2v.cli.train import CLI_DEFAULTS, TRAIN_PARAMS

    actions = {a.dest: a for a in _subcommand("train")._actions}
    # tokenizer and phrases have options of their own shape (cli/text.py: --tokenize, --phrases N, ...)
    offered = [p.name for p in params.PARAMS if p.kind not in ("object", "tokenizer", "phrases")]
    assert sorted(TRAIN_PARAMS) == sorted(offered)
    for name in offered:
        assert actions[name].default == CLI_DEFAULTS.get(name, params.DEFAULTS[name]), name
    assert set(CLI_DEFAULTS) == {"workers"}      # the one documented difference: a command uses the cores
    # and what the defaults parse to is what Word2Vec() gets
    args = _subcommand("train").parse_args(["c.txt", "-o", "m.w2v"])
    assert {n: getattr(args, n) for n in offered} == {**{n: params.DEFAULTS[n] for n in offered}, **CLI_DEFAULTS}


def test_items_train_takes_the_option_names_of_train():
    from w2v.items.model import TRAIN_DEFAULTS

    text = {a.dest: a.option_strings for a in _subcommand("train")._actions}
    items = {a.dest: a for a in _subcommand("items", "train")._actions}
    for name in TRAIN_DEFAULTS:
        assert items[name].option_strings == text[name], name
        assert items[name].default == TRAIN_DEFAULTS[name]
    spelled = {s for a in items.values() for s in a.option_strings}
    assert not spelled & {"--size", "--iter", "--threads"}


@pytest.mark.parametrize("name,fmt", [("v.bin", "word2vec-binary"), ("v.txt", "word2vec-text"),
                                      ("v.vec", "word2vec-text"), ("v.w2v", "native"), ("model", "native")])
def test_train_picks_the_output_format_from_the_suffix(corpus_file, tmp_path, capsys, name, fmt):
    from w2v.formats import detect_format

    out = tmp_path / name
    assert main(["train", str(corpus_file), "-o", str(out), "--min-count", "1", "--epochs", "1", "-q"]) == 0
    assert detect_format(out) == fmt      # a fastText .vec is word2vec text with a header
    assert capsys.readouterr().out.splitlines()[-1].startswith("saved ")
    forced = tmp_path / ("forced-" + name)
    assert main(["train", str(corpus_file), "-o", str(forced), "--format", "native", "--min-count", "1",
                 "--epochs", "1", "-q"]) == 0
    assert detect_format(forced) == "native"


def test_the_vocabulary_line_is_printed_before_training_starts(corpus_file, tmp_path, capsys, monkeypatch):
    from w2v.model import Word2Vec

    seen = []
    real = Word2Vec.train

    def train(self, *args, **kwargs):
        seen.append(capsys.readouterr().out)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Word2Vec, "train", train)
    assert main(["train", str(corpus_file), "-o", str(tmp_path / "m.w2v"), "--min-count", "1", "--epochs", "1",
                 "-q"]) == 0
    assert seen == ["vocabulary 40 words; 15,000 words in 1,500 sentences\n"]


def _interrupt_at_epoch_end(monkeypatch, n):
    """Make the epoch loop raise KeyboardInterrupt (as Ctrl-C does) at the end of epoch n."""
    from w2v.train import loop

    real, ends = loop.call, []

    def call(callbacks, event, model):
        real(callbacks, event, model)
        if event == "on_epoch_end":
            ends.append(event)
            if len(ends) == n:
                raise KeyboardInterrupt

    monkeypatch.setattr(loop, "call", call)


def test_ctrl_c_says_what_was_saved_and_resume_ends_where_an_uninterrupted_run_does(corpus_file, tmp_path, capsys,
                                                                                    monkeypatch):
    common = [str(corpus_file), "--min-count", "1", "--epochs", "4", "--workers", "1", "--sg", "-q"]
    whole = tmp_path / "whole.w2v"
    assert main(["train", *common, "-o", str(whole)]) == 0

    out = tmp_path / "m.w2v"
    with monkeypatch.context() as patch:
        _interrupt_at_epoch_end(patch, 3)
        assert main(["train", *common, "-o", str(out), "--checkpoint-every", "2"]) == 130
    err = capsys.readouterr().err
    checkpoint = f"{out}.checkpoint"
    assert f"nothing saved to {out}" in err and f"the last checkpoint is {checkpoint}" in err
    assert f"--resume {checkpoint}" in err and not out.exists()

    assert main(["train", *common, "-o", str(out), "--resume", checkpoint]) == 0
    assert np.array_equal(w2v.Word2Vec.load(out).wv.vectors, w2v.Word2Vec.load(whole).wv.vectors)

    with monkeypatch.context() as patch:
        _interrupt_at_epoch_end(patch, 1)
        assert main(["train", *common, "-o", str(tmp_path / "n.w2v")]) == 130
    assert "nothing saved" in capsys.readouterr().err


def test_the_first_run_says_the_kernels_are_compiling_and_a_warm_run_does_not(corpus_file, tmp_path):
    import os

    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    command = [sys.executable, "-m", "w2v", "train", str(corpus_file), "-o", str(tmp_path / "m.w2v"),
               "--min-count", "1", "--epochs", "1", "-q"]
    cold = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert cold.returncode == 0, cold.stderr
    assert cold.stderr.startswith("w2v: compiling the training kernels (first run only, about ")
    warm = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert warm.returncode == 0 and "compiling" not in warm.stderr, warm.stderr


def test_train_softmax_learns_and_refuses_a_vocabulary_above_its_limit(corpus_file, tmp_path, capsys):
    from w2v import params

    out = tmp_path / "m.w2v"
    code = main(["train", str(corpus_file), "-o", str(out), "--sg", "--softmax", "--negative", "0",
                 "--vector-size", "20", "--window", "3", "--min-count", "1", "--epochs", "4", "--workers", "2", "-q"])
    assert code == 0
    model = w2v.Word2Vec.load(out)
    assert (model.softmax, model.negative, model.hs) == (1, 0, 0) and model.syn1softmax.shape == (40, 20)
    assert neighbour_purity(model.wv, GROUP) >= 0.95
    capsys.readouterr()
    big = tmp_path / "big.txt"
    limit = params.SOFTMAX_MAX_VOCAB
    big.write_text(" ".join(f"w{i}" for i in range(limit + 1)) + "\n")
    code = main(["train", str(big), "-o", str(tmp_path / "big.w2v"), "--softmax", "--negative", "0",
                 "--min-count", "1", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"{limit + 1:,} words, more than the limit of {limit:,}" in err and "max_final_vocab" in err
    assert not (tmp_path / "big.w2v").exists()
