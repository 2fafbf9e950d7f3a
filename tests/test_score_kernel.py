"""The compiled sentence-scoring kernel (w2v.kernels.score) held to its numpy reference."""
import numpy as np
import pytest

from w2v import vocab
from w2v.kernels.score import MAX_EXP, MAX_SENTENCE_WORDS, score_sentences, score_sentences_reference


def _model(n_words=40, dim=10, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 1000, n_words)
    points, codes, lengths = vocab.huffman_tree(counts)
    syn0 = (rng.standard_normal((n_words, dim)) * scale).astype(np.float32)
    syn1 = (rng.standard_normal((n_words, dim)) * scale).astype(np.float32)
    return syn0, syn1, points, codes, lengths


def _kernel(sentences, syn0, syn1, points, codes, lengths, sg, window, cbow_mean, first=0, last=None):
    ids = np.concatenate([np.asarray(s, np.int32) for s in sentences] + [np.zeros(0, np.int32)])
    offsets = np.zeros(len(sentences) + 1, np.int64)
    offsets[1:] = np.cumsum([len(s) for s in sentences])
    out = np.full(len(sentences), np.nan, np.float32)
    score_sentences(ids, offsets, first, len(sentences) if last is None else last, syn0, syn1, points, codes,
                    lengths, sg, window, cbow_mean, out)
    return out


@pytest.mark.parametrize("sg,cbow_mean", [(1, 1), (0, 1), (0, 0)], ids=["skip-gram", "cbow-mean", "cbow-sum"])
@pytest.mark.parametrize("window", [1, 3, 5])
@pytest.mark.parametrize("scale", [0.3, 1.5], ids=["small", "large-skips-nodes"])
def test_kernel_matches_reference(sg, cbow_mean, window, scale):
    model = _model(scale=scale)
    rng = np.random.default_rng(window)
    sentences = [rng.integers(0, 40, rng.integers(0, 25)).tolist() for _ in range(60)] + [[], [3], [7, 7, 7]]
    ours = _kernel(sentences, *model, sg, window, cbow_mean)
    expected = score_sentences_reference(sentences, *model, sg, window, cbow_mean)
    np.testing.assert_allclose(ours, expected, rtol=2e-5, atol=1e-5)
    assert ours[-3] == expected[-3] == 0                     # an empty sentence
    if sg:
        assert ours[-2] == 0                                 # one word: no context to predict from
    else:   # CBOW predicts a lone word from a zero context: log σ(0) per node of its path
        assert ours[-2] == pytest.approx(-np.log(2) * model[4][3], rel=1e-6)
    if scale > 1:   # the |x·node| >= 6 rule is exercised
        syn0, syn1 = model[:2]
        assert np.any(np.abs(syn0 @ syn1.T) >= MAX_EXP)


def test_only_the_requested_sentences_are_written_and_long_sentences_are_cut():
    model = _model()
    long = (np.arange(MAX_SENTENCE_WORDS + 500) % 40).tolist()
    sentences = [[1, 2, 3], long, [4, 5]]
    ours = _kernel(sentences, *model, 1, 2, 1, first=1, last=2)
    assert np.isnan(ours[0]) and np.isnan(ours[2])
    expected = score_sentences_reference([long], *model, 1, 2, 1)[0]
    assert ours[1] == pytest.approx(expected, rel=1e-5)
    assert expected == pytest.approx(score_sentences_reference([long[:MAX_SENTENCE_WORDS]], *model, 1, 2, 1)[0])


def test_reference_by_hand_on_two_words():
    """Two words: one inner node; each word's path is that node with opposite branch bits."""
    syn0 = np.array([[0.5, -1.0], [2.0, 0.25]], np.float32)
    syn1 = np.array([[0.75, 0.5], [0.0, 0.0]], np.float32)
    points, codes, lengths = vocab.huffman_tree([5, 3])
    assert list(lengths) == [1, 1] and codes[0, 0] != codes[1, 0]

    def log_sigmoid(x):
        return -np.log1p(np.exp(-x))

    def predict(context_vector, word):   # log P(word | context) through the single node
        f = float(context_vector @ syn1[points[word, 0]])
        return log_sigmoid(-f if codes[word, 0] else f)

    sentence = [0, 1]
    skip_gram = predict(syn0[1], 0) + predict(syn0[0], 1)
    for sg, expected in ((1, skip_gram), (0, skip_gram)):   # with one context word CBOW is the same
        got = _kernel([sentence], syn0, syn1, points, codes, lengths, sg, 1, 1)[0]
        assert got == pytest.approx(expected, rel=1e-6)
        assert score_sentences_reference([sentence], syn0, syn1, points, codes, lengths, sg, 1, 1)[0] == \
            pytest.approx(expected, rel=1e-6)
