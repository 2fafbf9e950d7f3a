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
    assert printed.err == ""          # -q: no progress bar, and nothing else went wrong
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
