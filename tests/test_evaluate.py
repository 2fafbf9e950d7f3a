"""Analogy and word-pair evaluation: the same figures as gensim on the same vectors."""
from pathlib import Path

import numpy as np
import pytest

from w2v.errors import FormatError
from w2v.evaluate import evaluate_word_analogies, evaluate_word_pairs
from w2v.vectors import KeyedVectors

gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
pytest.importorskip("scipy")

SHARED = Path(__file__).resolve().parents[2] / "shared"
EVAL = SHARED / "data" / "eval"


def both(keys, vectors):
    ours = KeyedVectors(vectors.shape[1]).set_vectors(keys, vectors.copy())
    theirs = gensim_kv.KeyedVectors(vectors.shape[1])
    theirs.add_vectors(keys, vectors.copy())
    return ours, theirs


@pytest.fixture()
def planted(tmp_path):
    """Countries and capitals with a shared offset, so the analogies have known answers."""
    rng = np.random.default_rng(0)
    dim = 24
    offset = rng.standard_normal(dim) * 2
    pairs = [("france", "paris"), ("germany", "berlin"), ("italy", "rome"), ("japan", "tokyo"), ("spain", "madrid")]
    keys, rows = [], []
    for country, capital in pairs:
        base = rng.standard_normal(dim) * 3
        keys += [country, capital]
        rows += [base, base + offset + rng.standard_normal(dim) * 0.05]
    keys += [f"noise{i}" for i in range(60)] + ["Paris"]
    rows += list(rng.standard_normal((60, dim))) + [rows[1] + rng.standard_normal(dim) * 0.5]  # another spelling
    vectors = np.asarray(rows, dtype=np.float32)
    questions = tmp_path / "questions.txt"
    questions.write_text(
        ": capitals\n"
        "france paris germany berlin\n"
        "germany berlin italy rome\n"
        "italy rome japan tokyo\n"
        "japan tokyo spain madrid\n"
        "spain madrid france paris\n"
        "france paris atlantis atlantis-city\n"        # out of vocabulary
        "a malformed line\n"
        ": wrong\n"
        "france paris germany rome\n"
        "Germany Berlin Japan Tokyo\n")
    return keys, vectors, questions


def assert_same_analogies(ours, theirs):
    score, sections = ours
    their_score, their_sections = theirs
    assert score == pytest.approx(their_score)
    assert [(s["section"], s["correct"], s["incorrect"]) for s in sections] == \
           [(s["section"], s["correct"], s["incorrect"]) for s in their_sections]


@pytest.mark.parametrize("kwargs", [dict(), dict(case_insensitive=False), dict(restrict_vocab=8),
                                    dict(restrict_vocab=None), dict(dummy4unknown=True)])
def test_planted_analogies_match_gensim(planted, kwargs):
    keys, vectors, questions = planted
    ours, theirs = both(keys, vectors)
    result = ours.evaluate_word_analogies(questions, **kwargs)
    assert_same_analogies(result, theirs.evaluate_word_analogies(str(questions), **kwargs))
    if not kwargs:
        table = {name: (correct, asked) for name, correct, asked, _ in result.table()}
        assert table == {"capitals": (5, 5), "wrong": (1, 2), "Total accuracy": (6, 7)}
        assert result.oov == 1 and result.questions == 8
        assert result.oov_ratio == pytest.approx(100 / 8)


def test_pairs_match_gensim(planted, tmp_path):
    keys, vectors, _ = planted
    ours, theirs = both(keys, vectors)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("# comment\nfrance\tparis\t9\ngermany\tberlin\t8.5\nfrance\tnoise3\t1\nitaly\tjapan\t2\n"
                     "spain\tmadrid\t7\nnoise1\tnoise2\t0.5\nmissing\tparis\t3\nbad line\n")
    for kwargs in (dict(), dict(dummy4unknown=True), dict(case_insensitive=False)):
        pearson, spearman, oov = evaluate_word_pairs(ours, pairs, **kwargs)
        their_pearson, their_spearman, their_oov = theirs.evaluate_word_pairs(str(pairs), **kwargs)
        assert pearson[0] == pytest.approx(their_pearson[0], abs=1e-6)
        assert pearson[1] == pytest.approx(their_pearson[1], rel=1e-4)
        assert spearman[0] == pytest.approx(their_spearman[0], abs=1e-9)
        assert oov == pytest.approx(their_oov)


def test_bad_files(planted, tmp_path):
    keys, vectors, _ = planted
    ours, _ = both(keys, vectors)
    bad = tmp_path / "bad.txt"
    bad.write_text("france paris germany berlin\n")
    with pytest.raises(FormatError, match=r"bad\.txt: line 1: a question before the first ': section' header"):
        evaluate_word_analogies(ours, bad)
    bad.write_text(": empty\n")
    with pytest.raises(FormatError, match="no analogy questions"):
        evaluate_word_analogies(ours, bad)
    bad.write_text("unknown\twords\t3\n")
    with pytest.raises(FormatError, match="no word pairs to score"):
        evaluate_word_pairs(ours, bad)


@pytest.fixture(scope="module")
def real_files():
    if not (EVAL / "questions-words.txt").exists():
        pytest.skip(f"shared evaluation data not found at {EVAL}")
    words = []
    for line in (EVAL / "questions-words.txt").read_text().splitlines():
        if not line.startswith(":"):
            words += line.split()
    for line in (EVAL / "wordsim353.tsv").read_text().splitlines():
        if not line.startswith("#"):
            words += line.split("\t")[:2]
    vocab = list(dict.fromkeys(w.lower() for w in words))
    rng = np.random.default_rng(1)
    rng.shuffle(vocab)
    # leave some words out, and add case variants, so OOV and first-spelling rules are exercised
    keys = vocab[:int(len(vocab) * 0.9)] + [w.capitalize() for w in vocab[:50]] + [f"filler{i}" for i in range(500)]
    vectors = rng.standard_normal((len(keys), 50)).astype(np.float32)
    return both(keys, vectors)


@pytest.mark.parametrize("kwargs", [dict(), dict(restrict_vocab=700), dict(case_insensitive=False)])
def test_real_analogy_file_matches_gensim_exactly(real_files, kwargs):
    ours, theirs = real_files
    path = EVAL / "questions-words.txt"
    result = ours.evaluate_word_analogies(path, **kwargs)
    assert_same_analogies(result, theirs.evaluate_word_analogies(str(path), **kwargs))
    assert 0 < result.oov_ratio < 100


def test_real_pairs_file_matches_gensim(real_files):
    ours, theirs = real_files
    path = EVAL / "wordsim353.tsv"
    pearson, spearman, oov = ours.evaluate_word_pairs(path)
    their_pearson, their_spearman, their_oov = theirs.evaluate_word_pairs(str(path))
    assert pearson[0] == pytest.approx(their_pearson[0], abs=1e-6)
    assert spearman[0] == pytest.approx(their_spearman[0], abs=1e-6)
    assert oov == pytest.approx(their_oov)
