"""`w2v show | plot | pairs | step` run through the real CLI entry point."""
import re
import sys

import numpy as np
import pytest

from w2v.cli import main
from w2v.illustrate import ARTICLE_SENTENCE, step_tables
from w2v.kernels import reference
from w2v.vectors import KeyedVectors

SENTENCES = [s.split() for s in [
    "thou shalt not make a machine in the likeness of a human mind",
    "the king and the queen rule the land",
    "a man and a woman walk to the king",
    "the boy and the girl drink water",
] * 30]


@pytest.fixture(scope="module")
def vectors_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    words = ["king", "queen", "man", "woman", "boy", "girl", "water", "land"]
    kv = KeyedVectors(12).set_vectors(words, rng.normal(0, 0.8, (len(words), 12)).astype(np.float32),
                                      counts=np.arange(len(words), 0, -1) * 7)
    path = tmp_path_factory.mktemp("cli") / "vectors.w2v"
    kv.save(path)
    return path


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    from w2v.model import Word2Vec

    model = Word2Vec(SENTENCES, vector_size=8, min_count=1, sg=1, negative=3, epochs=2, workers=1, seed=3,
                     progress=False)
    path = tmp_path_factory.mktemp("cli") / "model.w2v"
    model.save(path)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_pairs_prints_the_articles_table(capsys):
    code, out, _ = run(capsys, "pairs", ARTICLE_SENTENCE, "--window", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["input", "word", "output", "word"]
    data = [tuple(line.split()) for line in lines[2:]]
    assert data[:2] == [("thou", "shalt"), ("thou", "not")]
    assert data[5:9] == [("not", "thou"), ("not", "shalt"), ("not", "make"), ("not", "a")]
    assert len(data) == 46
    # unquoted words work too
    _, out2, _ = run(capsys, "pairs", *ARTICLE_SENTENCE.split())
    assert out2 == out


def test_pairs_cbow_and_lm(capsys):
    _, out, _ = run(capsys, "pairs", ARTICLE_SENTENCE, "--cbow")
    row = next(line for line in out.splitlines() if line.split()[-1:] == ["not"])
    assert row.split() == ["thou", "shalt", "make", "a", "not"]
    _, out, _ = run(capsys, "pairs", ARTICLE_SENTENCE, "--lm")
    assert out.splitlines()[2].split() == ["thou", "shalt", "not"]


def test_pairs_negatives_from_a_corpus_and_a_model(capsys, tmp_path, model_file):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(" ".join(s) for s in SENTENCES) + "\n")
    code, out, _ = run(capsys, "pairs", ARTICLE_SENTENCE, "--negative", "2", "--corpus", corpus)
    assert code == 0
    rows = [line.split() for line in out.splitlines()[2:]]
    assert [r[-1] for r in rows[:6]] == ["1", "0", "0", "1", "0", "0"]
    assert rows[0][:2] == ["thou", "shalt"]
    vocabulary = {w for s in SENTENCES for w in s}
    assert all(r[1] in vocabulary and r[1] != rows[k - k % 3][1] for k, r in enumerate(rows) if r[-1] == "0")

    code, out, _ = run(capsys, "pairs", ARTICLE_SENTENCE, "--negative", "1", "--model", model_file)
    assert code == 0
    assert [line.split()[-1] for line in out.splitlines()[2:6]] == ["1", "0", "1", "0"]


def test_pairs_negative_without_a_source_is_one_line_error(capsys):
    code, out, err = run(capsys, "pairs", ARTICLE_SENTENCE, "--negative", "2")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("w2v: error:") and "--model or --corpus" in err


def test_show_prints_colour_rows_and_numbers(capsys, vectors_file):
    code, out, _ = run(capsys, "show", vectors_file, "king", "man", "--width", "100")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[0] == "king" and lines[1].split()[0] == "man"
    assert len(re.findall(r"\x1b\[48;2;\d+;\d+;\d+m", lines[0])) == 12
    _, out, _ = run(capsys, "show", vectors_file, "king", "--numbers", "--width", "100")
    kv = KeyedVectors.load(vectors_file)
    printed = [float(x) for x in re.findall(r"-?\d+\.\d{5}", out)]
    np.testing.assert_allclose(printed, kv["king"], atol=1e-5)


def test_show_writes_a_picture(capsys, vectors_file, tmp_path):
    from matplotlib.image import imread

    out_png = tmp_path / "rows.png"
    code, out, err = run(capsys, "show", vectors_file, "king", "queen", "water", "-o", out_png)
    assert code == 0 and out == "" and "rows.png" in err
    image = imread(out_png)
    assert image.ndim == 3 and image.shape[1] > 500
    code, out, _ = run(capsys, "show", vectors_file, "king", "-o", tmp_path / "rows.svg", "--terminal")
    assert code == 0 and "\x1b[48;2;" in out and (tmp_path / "rows.svg").exists()


def test_unknown_word_is_one_line_exit_2(capsys, vectors_file):
    code, out, err = run(capsys, "show", vectors_file, "king", "prince")
    assert code == 2 and out == ""
    assert err == "w2v: error: word not in vocabulary: 'prince'\n"
    code, _, err = run(capsys, "show", vectors_file, "kinf", "wman")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("w2v: error: words not in vocabulary: 'kinf' (did you mean 'king'?), 'wman'")


def test_plot_writes_a_map_with_arrows(capsys, vectors_file, tmp_path):
    path = tmp_path / "map.png"
    code, _, _ = run(capsys, "plot", vectors_file, "--words", "king", "queen", "man", "woman", "boy",
                     "--arrows", "man:woman", "king:queen", "-o", path)
    assert code == 0 and path.stat().st_size > 5000
    code, _, _ = run(capsys, "plot", vectors_file, "--top", "5", "-o", tmp_path / "top.svg")
    svg = (tmp_path / "top.svg").read_text()
    assert code == 0 and all(f">{w}<" in svg for w in ["king", "queen", "man", "woman", "boy"])
    assert ">water<" not in svg


def test_plot_optional_method_hint(capsys, vectors_file, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.manifold", None)  # as if scikit-learn were not installed
    code, _, err = run(capsys, "plot", vectors_file, "--top", "8", "--method", "tsne", "-o", tmp_path / "t.png")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("w2v: error:") and "pip install w2v[tsne]" in err


def test_step_prints_the_reference_update(capsys, model_file):
    from w2v.model import Word2Vec

    code, out, _ = run(capsys, "step", model_file, "--input", "not", "--output", "thou", "--negative", "2",
                       "--seed", "5", "--alpha", "0.1")
    assert code == 0
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("input word"))
    rows = [line.split() for line in lines[header + 2:header + 5]]
    model = Word2Vec.load(model_file)
    expected = step_tables(model, "not", "thou", negative=2, seed=5, alpha=0.1)
    assert [r[1] for r in rows] == expected.output_words
    assert [int(r[2]) for r in rows] == [1, 0, 0]
    idx = model.wv.key_to_index
    syn0, syn1 = np.array(model.wv.vectors), np.array(model.syn1neg)
    ref = reference.sgns_update(syn0, syn1, [idx["not"]], idx["thou"],
                                [idx[w] for w in expected.output_words[1:]], 0.1)
    np.testing.assert_allclose([float(r[3]) for r in rows], ref["dot"][0], atol=1e-4)
    np.testing.assert_allclose([float(r[4]) for r in rows], ref["sigmoid"][0], atol=1e-4)
    np.testing.assert_allclose([float(r[5]) for r in rows], ref["error"][0], atol=1e-4)
    after = next(line for line in lines if line.strip().startswith("after"))
    np.testing.assert_allclose([float(x) for x in after.split()[1:7]], syn0[idx["not"], :6], atol=1e-4)
    # the file is not changed by a step
    np.testing.assert_array_equal(Word2Vec.load(model_file).wv.vectors, model.wv.vectors)


def test_step_needs_a_full_model(capsys, vectors_file):
    code, _, err = run(capsys, "step", vectors_file, "--input", "king", "--output", "queen")
    assert code == 2 and "syn1neg" in err and err.count("\n") == 1


@pytest.fixture(scope="module")
def softmax_model_file(tmp_path_factory):
    from w2v.model import Word2Vec

    model = Word2Vec(SENTENCES, vector_size=8, min_count=1, sg=1, softmax=1, negative=0, epochs=3, workers=1,
                     seed=3, progress=False)
    path = tmp_path_factory.mktemp("cli") / "softmax.w2v"
    model.save(path)
    return path


def test_step_softmax_prints_the_reference_update(capsys, softmax_model_file):
    from w2v.model import Word2Vec

    code, out, _ = run(capsys, "step", softmax_model_file, "--input", "not", "--output", "thou", "--softmax",
                       "--top", "4", "--alpha", "0.1")
    assert code == 0
    model = Word2Vec.load(softmax_model_file)
    idx = model.wv.key_to_index
    syn0, syn1 = np.array(model.wv.vectors), np.array(model.syn1softmax)
    ref = reference.sg_softmax_update(syn0, syn1, [idx["not"]], idx["thou"], 0.1)
    prediction = ref["prediction"][0]
    shown = list(np.argsort(-prediction, kind="stable")[:4])
    shown += [idx["thou"]] if idx["thou"] not in shown else []
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("output word"))
    rows = [line.split() for line in lines[header + 2:header + 2 + len(shown)]]
    assert [r[0] for r in rows] == [model.wv.index_to_key[k] for k in shown]
    np.testing.assert_allclose([float(r[1]) for r in rows], ref["dot"][0][shown], atol=1e-4)
    np.testing.assert_allclose([float(r[2]) for r in rows], prediction[shown], atol=1e-4)
    assert [int(r[3]) for r in rows] == [int(k == idx["thou"]) for k in shown]
    np.testing.assert_allclose([float(r[4]) for r in rows], ref["error"][0][shown], atol=1e-4)
    rest = lines[header + 2 + len(shown)]
    assert rest.startswith(f"the other {len(idx) - len(shown)} words: prediction ")
    loss = next(line for line in lines if line.startswith("loss:"))
    assert float(loss.split()[1]) == pytest.approx(ref["loss"], abs=1e-4)
    after = next(line for line in lines if line.strip().startswith("after"))
    np.testing.assert_allclose([float(x) for x in after.split()[1:7]], syn0[idx["not"], :6], atol=1e-4)
    np.testing.assert_array_equal(Word2Vec.load(softmax_model_file).syn1softmax, model.syn1softmax)


@pytest.mark.parametrize("argv,message", [
    (["--input", "nott", "--output", "thou", "--softmax"], "'nott'"),
    (["--input", "not", "--output", "thou", "--softmax", "--negative", "2"], "do not apply with --softmax"),
    (["--input", "not", "--output", "thou"], "--softmax"),          # a softmax model has no negative-sampling step
], ids=["unknown-word", "negatives", "no-flag"])
def test_step_softmax_user_errors_are_one_line(capsys, softmax_model_file, argv, message):
    code, out, err = run(capsys, "step", softmax_model_file, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_step_softmax_on_a_negative_sampling_model_says_what_it_needs(capsys, model_file, vectors_file):
    code, _, err = run(capsys, "step", model_file, "--input", "not", "--output", "thou", "--softmax")
    assert code == 2 and err.count("\n") == 1
    assert "syn1softmax" in err and "negative sampling (negative=3)" in err and "--softmax --negative 0" in err
    code, _, err = run(capsys, "step", vectors_file, "--input", "king", "--output", "queen", "--softmax")
    assert code == 2 and err.count("\n") == 1 and "vectors only" in err
