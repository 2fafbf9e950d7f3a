"""Vocabulary: word counts → kept words, subsampling, the noise distribution, the Huffman tree."""
import numpy as np


def noise_probabilities(counts, exponent=0.75):
    """The negative-sampling distribution: count**exponent, normalised (unigram^0.75 by default)."""
    weights = np.asarray(counts, dtype=np.float64) ** exponent
    total = weights.sum()
    if total <= 0:
        raise ValueError("noise distribution needs at least one positive count")
    return weights / total
