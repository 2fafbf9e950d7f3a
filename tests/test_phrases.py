import gzip
import random

import numpy as np
import pytest

from w2v import corpus
from w2v.cli import main
from w2v.kernels import phrases as kernels
from w2v.phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phrases, Phraser, PhrasesError, learn_passes

gensim_phrases = pytest.importorskip("gensim.models.phrases")


@pytest.fixture(scope="module")
def speeches():
    from w2v.cli.train import demo_corpus_path

    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as handle:
        return [line.split() for _, line in zip(range(6000), handle)]


@pytest.mark.parametrize("params", [
    {"min_count": 5, "threshold": 10.0},
    {"min_count": 3, "threshold": 0.3, "scoring": "npmi"},
    {"min_count": 5, "threshold": 5.0, "connector_words": ENGLISH_CONNECTOR_WORDS},
    {"min_count": 3, "threshold": 0.4, "scoring": "npmi", "connector_words": ENGLISH_CONNECTOR_WORDS},
])
def test_exported_phrases_and_scores_equal_gensims_on_real_text(speeches, params):
    g = gensim_phrases.Phrases(speeches, **params)
    w = Phrases(speeches, **params)
    assert len(w) == len(g.vocab) and w.corpus_word_count == g.corpus_word_count
    ge, we = g.export_phrases(), w.export_phrases()
    assert len(ge) > 50 and set(ge) == set(we)
    for phrase, score in ge.items():
        assert we[phrase] == pytest.approx(score, rel=1e-9)
    part = speeches[:1500]
    assert list(w[part]) == list(g[part])
    assert list(w.freeze()[part]) == list(g.freeze()[part])
    assert w.find_phrases(part).keys() == g.find_phrases(part).keys()
    assert w[part[3]] == g[part[3]]


def scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    return bigram_count / (worda_count + wordb_count)


def test_connector_phrases_and_custom_scorer_match_gensim():
    sentences = [["bank", "of", "america", "is", "big"], ["the", "bank", "of", "america"]] * 20 + [["bank", "x"], ["america", "y"]]

    for scoring in ("default", scorer):
        kw = dict(min_count=2, threshold=0.2, scoring=scoring, connector_words=ENGLISH_CONNECTOR_WORDS)
        g, w = gensim_phrases.Phrases(sentences, **kw), Phrases(sentences, **kw)
        assert w.export_phrases() == pytest.approx(g.export_phrases())
        assert w[["the", "bank", "of", "america"]] == g[["the", "bank", "of", "america"]] == ["the", "bank_of_america"]


def test_max_vocab_size_prunes_as_gensim(speeches):
    kw = dict(min_count=2, threshold=5.0, max_vocab_size=20000)
    g, w = gensim_phrases.Phrases(speeches, **kw), Phrases(speeches, **kw)
    assert len(w) == len(g.vocab)
    assert w.export_phrases() == pytest.approx(g.export_phrases(), rel=1e-9)
    w.add_vocab(speeches[:500])
    g.add_vocab(speeches[:500])
    assert w.vocab == g.vocab and w.min_reduce == g.min_reduce


def test_planted_phrases_are_found_and_passes_make_trigrams():
    rng = random.Random(0)
    filler = [f"w{i}" for i in range(300)]
    sentences = []
    for _ in range(3000):
        s = rng.sample(filler, 8)
        r = rng.random()
        if r < 0.2:
            s.insert(rng.randrange(9), "new york city" if r < 0.1 else "air canada")
        sentences.append(" ".join(s).split())
    phrases = Phrases(sentences, min_count=5, threshold=10.0)
    found = phrases.export_phrases()
    assert {"new_york", "york_city", "air_canada"} <= set(found)
    assert not any(p.startswith("w") for p in found)
    scan = corpus.scan(sentences=sentences)
    ids, lengths, words, models = learn_passes(scan.ids, scan.lengths, scan.words, 2)
    out = {words[i] for i in np.unique(ids).tolist()}
    assert "new_york_city" in out and "air_canada" in out


def test_kernels_against_the_reference():
    rng = np.random.default_rng(1)
    sentences = [rng.integers(0, 12, rng.integers(1, 15)).tolist() for _ in range(400)]
    is_conn = np.zeros(12, bool)
    is_conn[[0, 1]] = True
    ids = np.array(sum(sentences, []), np.int32)
    lengths = np.array(list(map(len, sentences)), np.int64)
    ucount, a, node_b, counts, parent, word, total, _ = kernels.count_phrases(
        ids, lengths, is_conn, 12, np.zeros(1, np.int64), np.zeros(1, np.int64), 10**9, 1)
    uni, cand = kernels.reference_count(sentences, is_conn)
    assert {w: c for w, c in enumerate(ucount.tolist()) if c} == uni and total == len(ids)

    def run(node):
        return () if node == 0 else run(parent[node]) + (int(word[node]),)

    fast = {(int(x), run(int(nb >> 32)), int(nb & 0xFFFFFFFF)): int(c) for x, nb, c in zip(a, node_b, counts)}
    assert fast == cand
    chosen = [k for k in fast if fast[k] >= 4]
    joiner_ids = {k: 100 + i for i, k in enumerate(chosen)}
    from w2v.phrases import _Joiner
    j = _Joiner([str(i) for i in range(12)], ["0", "1"], "_", parent, word,
                [k[0] for k in chosen], [(int(node_b[list(fast).index(k)]) ) for k in chosen], np.zeros(len(chosen)))
    out, out_lengths = j.join_ids(ids, lengths, is_conn, 100)
    expected = [kernels.reference_apply(s, is_conn, joiner_ids) for s in sentences]
    assert out.tolist() == sum(expected, []) and out_lengths.tolist() == list(map(len, expected))

    # the sorting counter: the same counts as the hash kernel (and so as the reference)
    su, sa, snb, sc, sparent, sword, stotal = kernels.count_sorted(ids, lengths, is_conn, 12, np.zeros(1, np.int64),
                                                                   np.zeros(1, np.int64))
    assert su.tolist() == ucount.tolist() and stotal == total

    def srun(node):
        return () if node == 0 else srun(sparent[node]) + (int(sword[node]),)

    assert {(int(x), srun(int(nb >> 32)), int(nb & 0xFFFFFFFF)): int(c) for x, nb, c in zip(sa, snb, sc)} == cand


def test_phrases_applied_to_lists_natively_equal_the_python_path(speeches, monkeypatch):
    import w2v.phrases as wp

    frozen = Phrases(speeches, min_count=5, threshold=5.0, connector_words=ENGLISH_CONNECTOR_WORDS).freeze()
    corpus_ = speeches[:3000] + [("a", "tuple", "sentence"), [], ["united", "states"]]
    fast = list(frozen[corpus_])
    monkeypatch.setattr(wp, "_native", lambda: None)
    assert fast == list(frozen[corpus_]) and any("_" in t for s in fast for t in s)
    assert all(type(s) is list for s in fast)


def test_save_load_and_frozen(tmp_path, speeches):
    w = Phrases(speeches, min_count=5, threshold=10.0, connector_words=ENGLISH_CONNECTOR_WORDS)
    w.save(tmp_path / "p.w2v")
    again = Phrases.load(tmp_path / "p.w2v")
    assert again.export_phrases() == w.export_phrases()
    frozen = w.freeze()
    assert Phraser is FrozenPhrases and frozen.phrasegrams == w.export_phrases()
    frozen.save(tmp_path / "f.w2v")
    loaded = FrozenPhrases.load(tmp_path / "f.w2v")
    assert isinstance(loaded, FrozenPhrases) and list(loaded[speeches[:300]]) == list(frozen[speeches[:300]])


def test_bad_input_is_clear():
    with pytest.raises(PhrasesError, match="positive"):
        Phrases(threshold=0)
    with pytest.raises(PhrasesError, match=r"\(-1, 1\]"):
        Phrases(scoring="npmi", threshold=1.5)
    with pytest.raises(TypeError, match="string"):
        Phrases(["new york", "is big"])
    with pytest.raises(TypeError, match="string"):
        Phrases()["new york"]
    with pytest.raises(PhrasesError, match="missing expected parameters"):
        Phrases(scoring=lambda a, b: 0)


def test_cli_phrases_and_train(tmp_path, capsys):
    from w2v.cli.train import demo_corpus_path

    out = tmp_path / "ph.txt"
    assert main(["phrases", demo_corpus_path(), "-o", str(out), "--passes", "2"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "united_states" in text
    assert main(["phrases", demo_corpus_path(), "--export", "--threshold", "100"]) == 0
    lines = capsys.readouterr().out.splitlines()
    scores = [float(line.split("\t")[1]) for line in lines]
    assert scores == sorted(scores, reverse=True) and min(scores) > 100
    assert main(["phrases", demo_corpus_path(), "--threshold", "0"]) == 2
    assert "threshold must be positive" in capsys.readouterr().err
    model = tmp_path / "m.w2v"
    assert main(["train", demo_corpus_path(), "-o", str(model), "--phrases", "1", "--epochs", "1", "-q",
                 "--tokenize", "words", "--lowercase", "--workers", "1"]) == 0
    from w2v import Word2Vec

    assert "united_states" in Word2Vec.load(model).wv


def test_package_names_as_in_the_issue():
    import w2v

    corpus = [["i", "live", "in", "new", "york"]] * 10 + [["new", "x"], ["york", "y"], ["i", "z"]] * 3
    kw = dict(min_count=2, threshold=0.5, connector_words=w2v.phrases.ENGLISH_CONNECTOR_WORDS)
    phrases = w2v.Phrases(corpus, **kw)
    sentence = ["i", "live", "in", "new", "york"]
    assert phrases[sentence] == gensim_phrases.Phrases(corpus, **kw)[sentence]
    assert "new_york" in phrases[sentence]
    assert isinstance(phrases.freeze(), w2v.FrozenPhrases) and w2v.Tokenizer().tokens("a b") == ["a", "b"]


@pytest.mark.parametrize("min_count", [5, 2.5])
def test_default_scores_kernel_equals_its_numpy_reference(min_count):
    rng = np.random.default_rng(7)
    ucount = rng.integers(0, 50, 300)
    ucount[::7] = 0
    a = rng.integers(0, 300, 5000)
    node_b = (rng.integers(0, 4, 5000) << 32) | rng.integers(0, 300, 5000)
    counts = rng.integers(0, 20, 5000)
    fast = kernels.default_scores(ucount, a, node_b, counts, min_count, 12345)
    slow = kernels.reference_default_scores(ucount, a, node_b, counts, min_count, 12345)
    assert np.isneginf(fast).any() and np.isfinite(fast).any()
    assert np.array_equal(fast, slow)
