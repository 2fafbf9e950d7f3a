"""Vocabulary selection, subsampling, the noise distribution, the Huffman tree."""
import heapq

import numpy as np
import pytest

from w2v import vocab
from w2v.errors import CorpusError


def test_select_min_count_and_frequency_order():
    words, counts = vocab.select(["a", "b", "c", "d"], [3, 9, 1, 3], min_count=2)
    assert words == ["b", "a", "d"] and counts.tolist() == [9, 3, 3]   # ties keep first-seen order


def test_max_final_vocab_raises_the_threshold_like_gensim():
    words, counts = vocab.select(list("abcdef"), [10, 8, 8, 5, 3, 1], min_count=1, max_final_vocab=3)
    assert words == ["a", "b", "c"]
    words, _ = vocab.select(list("abcdef"), [10, 8, 7, 5, 3, 1], min_count=1, max_final_vocab=2)
    assert words == ["a", "b"]


def test_empty_and_too_rare_corpora_are_clear_errors():
    with pytest.raises(CorpusError, match="empty"):
        vocab.select([], [], min_count=1)
    with pytest.raises(CorpusError, match="no word occurs min_count=5"):
        vocab.select(["a", "b"], [2, 4], min_count=5)


def test_subsampling_follows_the_word2vec_formula():
    counts = np.array([1_000_000, 10_000, 100, 1])
    p = vocab.keep_probabilities(counts, 1e-3)
    t = 1e-3 * counts.sum()
    expected = np.minimum((np.sqrt(counts / t) + 1) * t / counts, 1)
    np.testing.assert_allclose(p, expected)
    assert p[0] < 0.1 and p[-1] == 1.0
    assert np.all(vocab.keep_probabilities(counts, 0) == 1)


def test_alias_table_reproduces_the_noise_distribution():
    counts = np.random.default_rng(0).zipf(1.3, 500)
    p = vocab.noise_probabilities(counts, 0.75)
    np.testing.assert_allclose(p, counts ** 0.75 / np.sum(counts ** 0.75))
    accept, alias = vocab.alias_table(p)
    np.testing.assert_allclose(vocab.alias_probabilities(accept, alias), p, atol=1e-9)


def _huffman_cost(counts):
    heap = list(counts)
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    return cost


def test_huffman_codes_are_optimal_and_prefix_free():
    counts = np.sort(np.random.default_rng(1).integers(1, 1000, 300))[::-1]
    points, codes, lengths = vocab.huffman_tree(counts)
    assert int((counts * lengths).sum()) == _huffman_cost(counts.tolist())     # optimal weighted length
    code_strings = {"".join(map(str, codes[w, :lengths[w]])) for w in range(len(counts))}
    assert len(code_strings) == len(counts)
    assert not any(a != b and b.startswith(a) for a in code_strings for b in code_strings)
    assert np.all(points[:, 0] == len(counts) - 2)    # every path starts at the root (the last inner node)
    assert points.max() < len(counts) - 1
    assert lengths[0] <= lengths[-1]                  # frequent words get short codes
