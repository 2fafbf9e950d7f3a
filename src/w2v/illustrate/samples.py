"""The training data as the article tabulates it: sliding-window samples and negative samples.

The windows come from the reference kernels' own ``window_positions`` /
``skipgram_pairs`` and the negatives from ``vocab.noise_probabilities`` of a real
model or corpus, so the tables show what training actually feeds the kernels.
"""
import numpy as np

from ..errors import W2VError
from ..kernels.reference import skipgram_pairs, window_positions
from ..tokenize import Tokenizer

ARTICLE_SENTENCE = "Thou shalt not make a machine in the likeness of a human mind"
MODES = ("skipgram", "cbow", "lm")


def tokenize(sentence, lowercase=True, tokenizer=None):
    """Split a sentence with w2v's tokenizer (:class:`w2v.tokenize.Tokenizer`); by default the way
    the packaged corpus is written: Unicode words, lower case, no punctuation.

    A list of tokens is used as it is.
    """
    if isinstance(sentence, str):
        tokens = (Tokenizer.make(tokenizer) if tokenizer is not None
                  else Tokenizer("words", lowercase=lowercase)).tokens(sentence)
    else:
        tokens = [str(t) for t in sentence]
    if not tokens:
        raise W2VError("the sentence has no words")
    return tokens


def sample_positions(length, window=2, mode="skipgram"):
    """Where each sample of :func:`positive_samples` sits in a sentence of ``length`` words.

    One ``(centre, input positions, output position)`` per sample, in the same order:
    the position the sliding window is at, the positions of the input words (CBOW:
    ordered by offset) and of the output word.  The explorer moves its window with these.
    """
    if window < 1:
        raise W2VError(f"window must be at least 1, got {window}")
    if mode not in MODES:
        raise W2VError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if mode == "skipgram":
        return [(i, (i,), j) for i in range(length) for j in window_positions(length, i, window)]
    if mode == "cbow":
        return [(i, tuple(window_positions(length, i, window)), i) for i in range(length)]
    return [(i, tuple(range(i - window, i)), i) for i in range(window, length)]


def positive_samples(tokens, window=2, mode="skipgram"):
    """The (inputs, output) samples a sliding window makes of ``tokens``.

    skip-gram: each word is the input and each neighbour within ``window`` an output,
    in the article's order; CBOW: all neighbours together are the input, the middle
    word the output (inputs are ``{offset: word}``); lm: the ``window`` previous words
    predict the next one.
    """
    places = sample_positions(len(tokens), window, mode)
    if mode == "cbow":
        return [({j - i: tokens[j] for j in inputs}, tokens[out]) for i, inputs, out in places]
    return [(tuple(tokens[j] for j in inputs), tokens[out]) for _, inputs, out in places]


class Noise:
    """The negative-sampling distribution over a vocabulary: count**exponent, normalised."""

    def __init__(self, words, counts, exponent=0.75, source=""):
        self.words = list(words)
        self.counts = np.asarray(counts, dtype=np.int64)
        self.exponent = float(exponent)
        self.source = source
        if not len(self.words) or self.counts.sum() <= 0:
            raise W2VError(f"{source or 'the vocabulary'} has no word counts to draw negative samples from")
        from .. import vocab   # here, not at the top: vocab starts numba, which `w2v show` does not need

        self.probabilities = vocab.noise_probabilities(self.counts, self.exponent)
        self._cumulative = np.cumsum(self.probabilities)
        self._index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def from_model(cls, model, exponent=None, source=""):
        """The noise of a trained model (``model.wv.counts``, ``model.ns_exponent``) or of KeyedVectors."""
        kv = getattr(model, "wv", model)
        if exponent is None:
            exponent = getattr(model, "ns_exponent", 0.75)
        counts = np.asarray(getattr(kv, "counts", ()), dtype=np.int64)
        if len(counts) != len(kv.index_to_key) or not counts.any():
            raise W2VError(f"{source or 'these vectors'} carry no word counts; negative samples need a "
                           "trained model or --corpus")
        return cls(kv.index_to_key, counts, exponent, source)

    @classmethod
    def from_corpus(cls, path, min_count=5, exponent=0.75, progress=False):
        """Count the words of a corpus file and keep those seen ``min_count`` times, as training would."""
        from .. import corpus, vocab

        words, counts = corpus.scan(path, progress=progress).vocabulary()
        words, counts = vocab.select(words, counts, min_count=min_count)
        return cls(words, counts, exponent, source=str(path))

    def draw(self, rng, k, exclude=()):
        """``k`` words drawn from the distribution, none of them in ``exclude``.

        word2vec.c silently skips a draw that hits the positive word; a table reads
        better with exactly ``k`` negatives, so such draws are redrawn instead.
        """
        banned = {self._index[w] for w in exclude if w in self._index}
        if self.probabilities.sum() - self.probabilities[list(banned)].sum() <= 1e-12:
            raise W2VError("the vocabulary has no word left to draw as a negative sample")
        out = []
        while len(out) < k:
            u = rng.random(k - len(out))
            picks = np.minimum(np.searchsorted(self._cumulative, u * self._cumulative[-1], side="right"),
                               len(self.words) - 1)
            out += [int(i) for i in picks if int(i) not in banned]
        return [self.words[i] for i in out[:k]]


def pairs_table(sentence=ARTICLE_SENTENCE, window=2, mode="skipgram", negative=0, noise=None, seed=1,
                lowercase=True, tokenizer=None):
    """The article's training-sample table as a pandas DataFrame.

    skip-gram: columns ``input word``, ``output word``; CBOW: one ``context ±k`` column
    per window offset (empty where the window runs past the sentence) and
    ``output word``; lm: ``input 1`` … ``input <window>`` and ``output word``.  With
    ``negative=K`` a ``target`` column is added: 1 for each real sample, followed by K
    rows with the same inputs, an output drawn from ``noise`` (a :class:`Noise`, a
    model or KeyedVectors with counts) and target 0.
    """
    import pandas as pd

    tokens = tokenize(sentence, lowercase, tokenizer)
    samples = positive_samples(tokens, window, mode)
    if mode == "skipgram":
        input_columns = ["input word"]
    elif mode == "cbow":
        input_columns = [f"context {o:+d}" for o in range(-window, window + 1) if o]
    else:
        input_columns = [f"input {k}" for k in range(1, window + 1)]

    def inputs_row(inputs):
        if mode == "cbow":
            return {f"context {o:+d}": inputs.get(o, "") for o in range(-window, window + 1) if o}
        return dict(zip(input_columns, inputs))

    rows = []
    if negative:
        if negative < 0:
            raise W2VError(f"--negative must be 0 or more, got {negative}")
        if noise is None:
            raise W2VError("negative samples are drawn from a vocabulary: give a model or a corpus")
        if not isinstance(noise, Noise):
            noise = Noise.from_model(noise)
        rng = np.random.default_rng(seed)
        for inputs, output in samples:
            base = inputs_row(inputs)
            rows.append({**base, "output word": output, "target": 1})
            for word in noise.draw(rng, negative, exclude=(output,)):
                rows.append({**base, "output word": word, "target": 0})
        columns = input_columns + ["output word", "target"]
    else:
        rows = [{**inputs_row(inputs), "output word": output} for inputs, output in samples]
        columns = input_columns + ["output word"]
    return pd.DataFrame(rows, columns=columns)
