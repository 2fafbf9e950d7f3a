"""gensim users' code, run unchanged on gensim's KeyedVectors and on w2v's, results compared."""
import numpy as np
import pytest

import w2v.vectors

gensim_kv = pytest.importorskip("gensim.models.keyedvectors")

MODULES = {"gensim": gensim_kv, "w2v": w2v.vectors}
N, DIM = 200, 12


def build(module):
    rng = np.random.default_rng(3)
    kv = module.KeyedVectors(DIM)
    kv.add_vectors([f"w{i}" for i in range(N)], rng.standard_normal((N, DIM)).astype(np.float32))
    return kv


@pytest.fixture(params=sorted(MODULES))
def kv(request):
    return build(MODULES[request.param])


def test_a_key_is_at_distance_zero_from_itself(kv):
    assert kv.distance("w5", "w5") == 0.0
    assert kv.similarity("w5", "w5") == pytest.approx(1.0, abs=1e-6)


def test_w2v_gives_exactly_one_for_a_key_and_itself():
    assert build(w2v.vectors).similarity("w5", "w5") == 1.0


@pytest.mark.parametrize("old_name", ["index2word", "index2entity", "vocab", "vectors_norm"])
def test_gensim_3_names_raise_a_helpful_attribute_error(kv, old_name):
    with pytest.raises(AttributeError, match="gensim 4|Gensim 4"):
        getattr(kv, old_name)


def test_words_closer_than_is_closer_than(kv):
    assert kv.words_closer_than("w1", "w2") == kv.closer_than("w1", "w2")


def test_same_answers_on_both():
    ours, theirs = build(w2v.vectors), build(gensim_kv)
    assert ours.words_closer_than("w1", "w9") == theirs.words_closer_than("w1", "w9")
    assert ours.distance("w1", "w9") == pytest.approx(theirs.distance("w1", "w9"), abs=1e-6)


def test_similarity_unseen_docs_is_not_implemented(kv):
    with pytest.raises(NotImplementedError):
        kv.similarity_unseen_docs("a", "b")


def test_negative_restrict_vocab_is_a_clear_error():
    kv = build(w2v.vectors)
    with pytest.raises(ValueError, match="restrict_vocab must be None or >= 0"):
        kv.most_similar("w1", restrict_vocab=-5)
    with pytest.raises(ValueError, match="restrict_vocab"):
        kv.most_similar_cosmul("w1", restrict_vocab=-1)
