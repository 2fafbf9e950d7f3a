"""Vocabulary: word counts → kept words, subsampling, the noise distribution, the Huffman tree.

All of it is per distinct word, prepared once before training; the kernels only read
the arrays made here.
"""
import numpy as np
from numba import njit

from .errors import CorpusError, EmptyVocabularyError
from .utils import keep_mask

# Probabilities travel to the kernels as integer thresholds compared against 32 random bits.
_ONE = 1 << 32


def effective_min_count(counts, min_count=5, max_final_vocab=None):
    """The count a word needs to be kept: ``min_count``, raised (as gensim does) to one more than
    the count of the first word beyond the ``max_final_vocab`` most frequent."""
    counts = np.asarray(counts, dtype=np.int64)
    if max_final_vocab is None:
        return int(min_count)
    calculated = 1
    if max_final_vocab < len(counts):
        calculated = int(-np.partition(-counts, max_final_vocab)[max_final_vocab]) + 1
    return max(calculated, int(min_count))


def select(words, counts, min_count=5, max_final_vocab=None, sorted_vocab=True, trim_rule=None):
    """The words that are trained: at least ``min_count`` occurrences, at most ``max_final_vocab``
    of them (the most frequent), most frequent first when ``sorted_vocab``; ``trim_rule`` (gensim's
    ``rule(word, count, min_count)`` returning ``w2v.utils.RULE_*``) may keep or drop any word.
    Returns (words, counts)."""
    counts = np.asarray(counts, dtype=np.int64)
    if len(counts) == 0 or counts.sum() == 0:
        raise EmptyVocabularyError("the corpus is empty: no words were read")
    effective = effective_min_count(counts, min_count, max_final_vocab)
    keep = np.flatnonzero(keep_mask(words, counts, effective, trim_rule))
    if len(keep) == 0:
        rule = " and trim_rule" if trim_rule is not None else ""
        raise EmptyVocabularyError(
            f"no word occurs min_count={min_count} times or more{rule} (the most frequent occurs "
            f"{int(counts.max())} times); lower min_count or give more text"
        )
    if sorted_vocab:
        keep = keep[np.argsort(-counts[keep], kind="stable")]
    return [str(words[i]) for i in keep.tolist()], counts[keep]   # plain str, even from numpy.str_ tokens


def sample_threshold(total, sample):
    """The count t of word2vec's subsampling formula, as gensim computes it: ``sample`` × the
    retained words (``sample`` < 1), or, for ``sample`` >= 1, ``sample`` × (3 + √5) / 2."""
    if sample < 1.0:
        return sample * float(total)
    return float(int(sample * (3 + np.sqrt(5)) / 2))


def keep_probabilities(counts, sample):
    """word2vec's subsampling: a word of count f is kept with probability
    min(1, (sqrt(f / t) + 1) * t / f), where t is :func:`sample_threshold`."""
    counts = np.asarray(counts, dtype=np.float64)
    if not sample:
        return np.ones(len(counts))
    threshold = sample_threshold(counts.sum(), sample)
    with np.errstate(divide="ignore"):
        p = (np.sqrt(counts / threshold) + 1.0) * (threshold / counts)
    return np.minimum(p, 1.0)


def thresholds(probabilities):
    """Probabilities as uint64 thresholds for a 32-bit random draw (kept when draw < threshold)."""
    return np.minimum(np.round(np.asarray(probabilities) * _ONE), _ONE).astype(np.uint64)


def noise_probabilities(counts, exponent=0.75):
    """The negative-sampling distribution: count**exponent, normalised (unigram^0.75 by default)."""
    weights = np.asarray(counts, dtype=np.float64) ** exponent
    total = weights.sum()
    if total <= 0:
        raise ValueError("noise distribution needs at least one positive count")
    return weights / total


@njit(cache=True)
def _alias_build(scaled, accept, alias):
    n = len(scaled)
    small = np.empty(n, np.int64)
    large = np.empty(n, np.int64)
    ns = nl = 0
    for i in range(n):
        if scaled[i] < 1.0:
            small[ns] = i
            ns += 1
        else:
            large[nl] = i
            nl += 1
    while ns > 0 and nl > 0:
        ns -= 1
        s = small[ns]
        nl -= 1
        g = large[nl]
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] = scaled[g] + scaled[s] - 1.0
        if scaled[g] < 1.0:
            small[ns] = g
            ns += 1
        else:
            large[nl] = g
            nl += 1
    for k in range(nl):
        accept[large[k]] = 1.0
    for k in range(ns):  # only rounding leftovers
        accept[small[k]] = 1.0


def alias_table(probabilities):
    """Walker's alias method: draw index i uniformly, keep it with probability accept[i], else
    take alias[i].  O(1) per draw from two small arrays that stay in cache (word2vec.c uses a
    100M-entry table instead).  Returns (uint64 accept thresholds, int32 aliases)."""
    p = np.asarray(probabilities, dtype=np.float64)
    scaled = p * len(p) / p.sum()
    accept = np.ones(len(p))
    alias = np.arange(len(p), dtype=np.int32)
    _alias_build(scaled, accept, alias)
    return thresholds(accept), alias


def alias_probabilities(accept, alias):
    """The distribution an alias table draws from (to check a table against its source)."""
    n = len(alias)
    p_keep = np.asarray(accept, dtype=np.float64) / _ONE
    out = p_keep / n
    np.add.at(out, alias, (1.0 - p_keep) / n)
    return out


@njit(cache=True)
def _huffman(counts, parent, bit):
    # counts sorted in decreasing order; leaves 0..n-1, inner nodes n..2n-2 created in order
    n = len(counts)
    weight = np.empty(2 * n - 1, np.int64)
    weight[:n] = counts
    leaf = n - 1       # next smallest leaf (walking down the sorted counts)
    inner = n          # next smallest inner node (they are created in increasing weight)
    pick = np.empty(2, np.int64)
    for node in range(n, 2 * n - 1):
        for k in range(2):
            if leaf >= 0 and (inner >= node or weight[leaf] <= weight[inner]):
                pick[k] = leaf
                leaf -= 1
            else:
                pick[k] = inner
                inner += 1
        weight[node] = weight[pick[0]] + weight[pick[1]]
        parent[pick[0]] = node
        parent[pick[1]] = node
        bit[pick[1]] = 1


@njit(cache=True)
def _max_leaf_depth(n, parent):
    depth = np.zeros(2 * n - 1, np.int64)
    for node in range(2 * n - 3, -1, -1):  # parents have larger indices than children
        depth[node] = depth[parent[node]] + 1
    return depth[:n].max()


@njit(cache=True)
def _paths(n, parent, bit, points, codes, lengths):
    root = 2 * n - 2
    tmp_nodes = np.empty(points.shape[1], np.int32)
    tmp_bits = np.empty(points.shape[1], np.uint8)
    for w in range(n):
        depth = 0
        node = w
        while node != root:
            tmp_bits[depth] = bit[node]
            node = parent[node]
            tmp_nodes[depth] = node - n   # inner node index = row of syn1
            depth += 1
        lengths[w] = depth
        for k in range(depth):  # root first
            points[w, k] = tmp_nodes[depth - 1 - k]
            codes[w, k] = tmp_bits[depth - 1 - k]


def huffman_tree(counts):
    """Huffman codes for hierarchical softmax: frequent words get short paths.

    Returns (points int32 [n, maxlen], codes uint8 [n, maxlen], lengths int32 [n]): for word w
    the inner nodes on its path from the root (rows of ``syn1``) and the branch bits taken.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = len(counts)
    if n < 2:
        raise CorpusError("hierarchical softmax needs at least two words in the vocabulary")
    order = np.argsort(-counts, kind="stable")
    parent = np.zeros(2 * n - 1, np.int64)
    bit = np.zeros(2 * n - 1, np.uint8)
    _huffman(counts[order], parent, bit)
    # depth is at most n - 1; find the real maximum before allocating n × depth arrays
    maxlen = _max_leaf_depth(n, parent)
    points = np.zeros((n, maxlen), np.int32)
    codes = np.zeros((n, maxlen), np.uint8)
    lengths = np.zeros(n, np.int32)
    _paths(n, parent, bit, points, codes, lengths)
    # back from sorted order to the caller's order
    inverse = np.empty(n, np.int64)
    inverse[order] = np.arange(n)
    return points[inverse], codes[inverse], lengths[inverse]


def paths_per_word(points, codes, lengths):
    """gensim's per-word ``"code"`` and ``"point"`` attributes from :func:`huffman_tree`'s tables:
    two object arrays holding, for word w, ``codes[w, :lengths[w]]`` (uint8) and
    ``points[w, :lengths[w]]`` (as uint32, gensim's type).  Each entry is a view of the tables
    (no copy), about 100 bytes a word for each attribute."""
    n = len(lengths)
    unsigned = points.view(np.uint32)   # rows of syn1: never negative
    code, point = np.empty(n, object), np.empty(n, object)
    code[:] = [codes[w, :length] for w, length in enumerate(lengths.tolist())]
    point[:] = [unsigned[w, :length] for w, length in enumerate(lengths.tolist())]
    return code, point
