"""Scoring sentences under a hierarchical-softmax model: the log-likelihood gensim's
``Word2Vec.score`` computes (Taddy's document classification by inversion).

For each word of a sentence (words outside the vocabulary are left out first, as in gensim)
the model predicts it from its window: skip-gram from each context word in turn, CBOW from
the context words' mean (or sum, ``cbow_mean=0``).  A prediction's log-probability is the sum
over the inner nodes on the word's Huffman path of log σ(±x·node).  As in gensim (and
word2vec.c's table), a node whose |x·node| reaches 6 adds nothing, and the window has its full
width ``window`` (no random shrinking).  A sentence's score is the sum of all of them.

``score_sentences`` is the compiled kernel (no GIL: threads score separate sentence ranges),
``score_sentences_reference`` its readable numpy twin; tests hold them to each other.
"""
import numpy as np
from numba import njit

#: as gensim: at most this many known words of a sentence are scored, the rest is ignored
MAX_SENTENCE_WORDS = 10_000
#: |x·node| at which a node is left out (gensim's MAX_EXP)
MAX_EXP = 6.0


@njit(inline="always")
def _path_score(x, syn1, points, codes, length, word):
    total = 0.0
    d = x.shape[0]
    for b in range(length[word]):
        node = points[word, b]
        f = 0.0
        for j in range(d):
            f += x[j] * syn1[node, j]
        if codes[word, b]:
            f = -f
        if -MAX_EXP < f < MAX_EXP:
            total -= np.log1p(np.exp(-f))     # log sigmoid(f)
    return total


@njit(nogil=True, cache=True)
def score_sentences(ids, offsets, first, last, syn0, syn1, points, codes, code_lengths, sg, window, cbow_mean,
                    out):
    """Score sentences ``first`` … ``last - 1`` (sentence s is ``ids[offsets[s]:offsets[s+1]]``,
    known words only) into ``out[s]``."""
    d = syn0.shape[1]
    x = np.empty(d, np.float64)
    for s in range(first, last):
        start = offsets[s]
        n = min(offsets[s + 1] - start, MAX_SENTENCE_WORDS)
        total = 0.0
        for i in range(n):
            word = ids[start + i]
            lo = max(0, i - window)
            hi = min(n, i + window + 1)
            if sg:
                for c in range(lo, hi):
                    if c == i:
                        continue
                    ctx = ids[start + c]
                    for j in range(d):
                        x[j] = syn0[ctx, j]
                    total += _path_score(x, syn1, points, codes, code_lengths, word)
            else:
                for j in range(d):
                    x[j] = 0.0
                count = 0
                for c in range(lo, hi):
                    if c == i:
                        continue
                    ctx = ids[start + c]
                    count += 1
                    for j in range(d):
                        x[j] += syn0[ctx, j]
                if cbow_mean and count > 0:
                    for j in range(d):
                        x[j] /= count
                total += _path_score(x, syn1, points, codes, code_lengths, word)
        out[s] = total


def score_sentences_reference(sentences, syn0, syn1, points, codes, code_lengths, sg, window, cbow_mean):
    """The same scores, one sentence (a list of word ids) at a time, in plain numpy."""

    def path_score(x, word):
        nodes = points[word, :code_lengths[word]]
        signs = 1.0 - 2.0 * codes[word, :code_lengths[word]]
        f = signs * (syn1[nodes].astype(np.float64) @ x)
        inside = np.abs(f) < MAX_EXP
        return float(np.sum(-np.logaddexp(0.0, -f[inside])))

    scores = []
    for sentence in sentences:
        sentence = list(sentence)[:MAX_SENTENCE_WORDS]
        total = 0.0
        for i, word in enumerate(sentence):
            context = [sentence[c] for c in range(max(0, i - window), min(len(sentence), i + window + 1)) if c != i]
            if sg:
                total += sum(path_score(syn0[c].astype(np.float64), word) for c in context)
            else:
                x = syn0[context].astype(np.float64).sum(axis=0) if context else np.zeros(syn0.shape[1])
                if cbow_mean and context:
                    x /= len(context)
                total += path_score(x, word)
        scores.append(total)
    return np.array(scores, dtype=np.float32)
