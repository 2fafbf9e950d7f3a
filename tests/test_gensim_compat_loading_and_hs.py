"""gensim users' code around loading, hierarchical softmax's per-word attributes, warnings and
damaged compressed files, run on gensim and on w2v: the same snippet, the results compared.

These are the cases gensim 4.4's own ``test_word2vec.py`` meets (old pickles, ``Word2Vec.load``
of a ``KeyedVectors`` file, ``wv.get_vecattr(word, "code")``, the hs + negative warning) and
the error class of a compressed file cut short.
"""
import bz2
import gzip
import logging
import lzma
import os
import types

import numpy as np
import pytest

import w2v
from w2v.errors import DecompressionError, FormatError, TruncatedCompressedFileError

gensim = pytest.importorskip("gensim")
from gensim.models import KeyedVectors as GensimKeyedVectors  # noqa: E402
from gensim.models import Word2Vec as GensimWord2Vec  # noqa: E402
from gensim.test.utils import datapath  # noqa: E402

APIS = {
    "gensim": types.SimpleNamespace(name="gensim", Word2Vec=GensimWord2Vec, KeyedVectors=GensimKeyedVectors),
    "w2v": types.SimpleNamespace(name="w2v", Word2Vec=w2v.Word2Vec, KeyedVectors=w2v.KeyedVectors),
}


@pytest.fixture(params=sorted(APIS))
def api(request):
    return APIS[request.param]


def both(snippet):
    """The snippet's result on gensim and on w2v."""
    return snippet(APIS["gensim"]), snippet(APIS["w2v"])


def _quiet(call):
    logging.disable(logging.CRITICAL)   # gensim logs deprecation notes while loading old files
    try:
        return call()
    finally:
        logging.disable(logging.NOTSET)


# every word a distinct count, so that no tie-breaking rule (where w2v deliberately differs) matters
WORDS = [f"w{i}" for i in range(300)]
DISTINCT = [[WORDS[i]] * (7 * i + 3) for i in range(len(WORDS))]


# -- old gensim models -----------------------------------------------------------------------
OLD_MODELS = ["word2vec_old", "word2vec_old_sep", "old_w2v_models/w2v_1.0.0.mdl", "old_w2v_models/w2v_2.0.0.mdl",
              "old_w2v_models/w2v_3.4.0.mdl", "word2vec_3.3"]


@pytest.mark.parametrize("name", OLD_MODELS)
def test_old_gensim_models_load_with_gensims_cum_table_and_corpus_totals(name, tmp_path):
    if not os.path.exists(datapath(name)):
        pytest.skip(f"gensim's test data has no {name}")

    def snippet(api):
        model = _quiet(lambda: api.Word2Vec.load(datapath(name)))
        path = str(tmp_path / f"{api.name}.model")
        model.save(path)
        again = _quiet(lambda: api.Word2Vec.load(path))
        return (model.corpus_total_words, model.corpus_count, model.cum_table.tolist(), model.cum_table.dtype,
                again.corpus_total_words, again.cum_table.tolist())

    theirs, ours = both(snippet)
    assert theirs[0] is None   # these files predate corpus_total_words
    assert ours == theirs


@pytest.mark.parametrize("hs,negative", [(1, 0), (0, 5), (1, 5)])
def test_cum_table_after_build_vocab_is_gensims(hs, negative):
    def snippet(api):
        model = api.Word2Vec(min_count=1, hs=hs, negative=negative)
        assert model.cum_table is None   # before the vocabulary
        model.build_vocab(DISTINCT)
        table = model.cum_table
        return None if table is None else (table.dtype, table.tolist())

    theirs, ours = both(snippet)
    assert (theirs is None) == (negative == 0)
    assert ours == theirs


# -- Word2Vec.load of a KeyedVectors file ----------------------------------------------------
def test_word2vec_load_of_a_keyedvectors_file_is_an_attribute_error(api, tmp_path):
    path = str(tmp_path / "vectors.kv")
    kv = api.KeyedVectors(4)
    kv.add_vectors(["a", "b"], np.ones((2, 4), np.float32))
    kv.save(path)
    with pytest.raises(AttributeError) as info:
        _quiet(lambda: api.Word2Vec.load(path))
    if api.name == "w2v":   # and still w2v's FormatError, saying what to do
        assert isinstance(info.value, FormatError)
        assert path in str(info.value) and "w2v.load()" in str(info.value)


# -- hierarchical softmax: "code" and "point" per word ---------------------------------------
def test_huffman_codes_and_points_are_gensims_vector_attributes():
    def snippet(api):
        model = api.Word2Vec(min_count=1, hs=1, negative=0)
        model.build_vocab(DISTINCT)
        out = {}
        for word in WORDS:
            code, point = model.wv.get_vecattr(word, "code"), model.wv.get_vecattr(word, "point")
            out[word] = (code.tolist(), code.dtype, point.tolist(), point.dtype)
        return out

    theirs, ours = both(snippet)
    assert ours == theirs


def test_codes_on_a_corpus_with_tied_counts_are_an_optimal_tree_the_kernels_use():
    """With tied counts the trees may differ (w2v breaks ties the other way, see the README), but
    both are Huffman trees: the same total count-weighted code length; and w2v's attributes are
    the very paths its training kernels walk."""
    rng = np.random.default_rng(0)
    sentences = [[f"t{i}" for i in rng.integers(0, 400, 10)] for _ in range(300)]

    def snippet(api):
        model = api.Word2Vec(min_count=1, hs=1, negative=0)
        model.build_vocab(sentences)
        wv = model.wv
        return model, sum(wv.get_vecattr(w, "count") * len(wv.get_vecattr(w, "code")) for w in wv.index_to_key)

    (_, theirs), (model, ours) = both(snippet)
    assert ours == theirs
    for i, word in enumerate(model.wv.index_to_key):
        length = model._code_lengths[i]
        np.testing.assert_array_equal(model.wv.get_vecattr(word, "code"), model._codes[i, :length])
        np.testing.assert_array_equal(model.wv.get_vecattr(word, "point"), model._points[i, :length])
        assert model.wv.get_vecattr(word, "point").max() < len(model.wv) - 1   # rows of syn1


def test_codes_and_cum_table_follow_the_vocabulary_and_codes_go_when_hs_is_off():
    def snippet(api):
        model = api.Word2Vec(min_count=1, hs=1, negative=5)
        model.build_vocab(DISTINCT[:100])
        model.build_vocab(DISTINCT[100:120], update=True)   # new words get codes too
        codes = {w: model.wv.get_vecattr(w, "code").tolist() for w in WORDS[:120]}
        # and the noise table covers them: each word's share of it (the order of the words added
        # differs, see the next test, so shares are compared by word, to the table's rounding)
        shares = np.diff(model.cum_table.astype(np.int64), prepend=0)
        codes["cum_table"] = (model.cum_table[-1], {w: shares[i] for i, w in enumerate(model.wv.index_to_key)})
        plain = api.Word2Vec(min_count=1, hs=0, negative=5)
        plain.build_vocab(DISTINCT)
        try:
            plain.wv.get_vecattr("w1", "code")
            missing = None
        except KeyError as exc:
            missing = type(exc)
        return codes, missing

    theirs, ours = both(snippet)
    (their_end, their_shares), (our_end, our_shares) = theirs[0].pop("cum_table"), ours[0].pop("cum_table")
    assert our_end == their_end and our_shares.keys() == their_shares.keys()
    assert all(abs(int(our_shares[w]) - int(their_shares[w])) <= 1 for w in our_shares)
    assert ours == theirs and ours[1] is KeyError


def test_words_added_by_build_vocab_update_come_most_frequent_first_on_w2v():
    """gensim appends them in the order first seen; w2v by descending count (README table)."""
    def snippet(api):
        model = api.Word2Vec(min_count=1)
        model.build_vocab([["a", "b", "a"]])
        model.build_vocab([["x", "y", "z", "y", "z", "y"]], update=True)
        return model.wv.index_to_key

    assert both(snippet) == (["a", "b", "x", "y", "z"], ["a", "b", "y", "z", "x"])


def test_code_attributes_survive_a_save_and_load(tmp_path):
    model = w2v.Word2Vec(DISTINCT, min_count=1, hs=1, negative=0, vector_size=8, epochs=1, workers=1)
    model.save(str(tmp_path / "m.w2v"))
    loaded = w2v.Word2Vec.load(str(tmp_path / "m.w2v"))
    for word in WORDS:
        np.testing.assert_array_equal(loaded.wv.get_vecattr(word, "code"), model.wv.get_vecattr(word, "code"))
        np.testing.assert_array_equal(loaded.wv.get_vecattr(word, "point"), model.wv.get_vecattr(word, "point"))


# -- warnings --------------------------------------------------------------------------------
def test_both_hs_and_negative_warning_has_gensims_sentence(api, caplog):
    with caplog.at_level(logging.WARNING):
        api.Word2Vec([["a", "b", "c"]] * 20, vector_size=4, min_count=1, hs=1, negative=5, epochs=1, workers=1)
    text = str([r.getMessage() for r in caplog.records])
    assert "Both hierarchical softmax and negative sampling are activated." in text


# -- compressed files cut short --------------------------------------------------------------
CODECS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}


@pytest.mark.parametrize("how", ["cut", "corrupt"])
@pytest.mark.parametrize("codec", sorted(CODECS))
def test_a_compressed_vectors_file_cut_short_is_an_eof_error_as_in_gensim(api, tmp_path, codec, how):
    kv = GensimKeyedVectors(8)
    kv.add_vectors(WORDS, np.random.default_rng(0).standard_normal((len(WORDS), 8)).astype(np.float32))
    kv.save_word2vec_format(str(tmp_path / "v.txt"))
    packed = CODECS[codec]((tmp_path / "v.txt").read_bytes())
    half = len(packed) // 2
    damaged = packed[:half] if how == "cut" else packed[:half] + bytes(b ^ 0xFF for b in packed[half:half + 40]) \
        + packed[half + 40:]
    path = tmp_path / f"v.txt.{codec}"
    path.write_bytes(damaged)
    with pytest.raises(Exception) as info:
        api.KeyedVectors.load_word2vec_format(str(path))
    assert isinstance(info.value, EOFError) == (how == "cut")
    if api.name == "w2v":
        assert isinstance(info.value, DecompressionError) and str(path) in str(info.value)
        assert isinstance(info.value, TruncatedCompressedFileError) == (how == "cut")


def test_cli_resume_of_an_old_gensim_model_is_one_line_not_a_traceback(tmp_path, capsys):
    """Its corpus_total_words is None (as gensim says); the vocabulary line still prints."""
    from w2v.cli import main

    path = datapath("old_w2v_models/w2v_1.0.0.mdl")
    if not os.path.exists(path):
        pytest.skip("gensim's test data has no old_w2v_models/w2v_1.0.0.mdl")
    corpus = tmp_path / "c.txt"
    corpus.write_text("first sentence\nsecond sentence\n")
    code = main(["train", str(corpus), "--resume", path, "-o", str(tmp_path / "out.w2v"), "--quiet"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out.startswith("vocabulary 3 words; 0 words in 2 sentences")
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("w2v: error: ") and "resume" in lines[0]


# -- a corpus that leaves no vocabulary ------------------------------------------------------
@pytest.mark.parametrize("case", ["empty", "all-under-min_count"])
def test_a_corpus_leaving_no_vocabulary_is_a_runtime_error_as_in_gensim(api, case):
    corpus, params = ([], {}) if case == "empty" else (DISTINCT[:5], {"min_count": 10_000})
    with pytest.raises(RuntimeError) as info:
        api.Word2Vec(corpus, **params)
    if api.name == "w2v":   # and still w2v's CorpusError, saying what is wrong
        assert isinstance(info.value, w2v.errors.CorpusError)
        assert ("empty" if case == "empty" else "min_count=10000") in str(info.value)


def test_build_vocab_of_a_corpus_leaving_no_vocabulary_fails_at_once_on_w2v(api):
    """gensim accepts it and fails at train(); w2v says so at build_vocab() (README table)."""
    model = api.Word2Vec(min_count=1)
    if api.name == "gensim":
        model.build_vocab([])
        assert len(model.wv) == 0
        with pytest.raises(RuntimeError):
            model.train([], total_examples=0, epochs=1)
    else:
        with pytest.raises(RuntimeError, match="the corpus is empty"):
            model.build_vocab([])
