"""The language models' vocabulary and samples: words → ids, sentences → padded id streams.

Both models (neural and n-gram) see text the same way:

* the vocabulary is chosen as ``Word2Vec`` chooses it (``min_count``, ``max_final_vocab``,
  most frequent first, via :func:`w2v.vocab.select`), read in one pass by
  :func:`w2v.corpus.scan` — so files, compressed files, folders, stdin and iterables all work;
* every other word is the unknown token ``<unk>``;
* each sentence is preceded by ``context`` start tokens ``<s>`` and followed by the
  end token ``</s>``; every word of the sentence and the end token is a sample, predicted
  from the ``context`` ids before it.

Ids: ``0 … W-1`` are the words (the rows of ``wv``), ``W`` is ``</s>``, ``W+1`` is ``<unk>``
— these ``W+2`` are the classes a model predicts — and ``W+2`` is ``<s>``, which is only
ever an input.  Everything here is bulk numpy over the int32 id arrays: no Python per token.
"""
import itertools
import os
import warnings

import numpy as np

from .. import corpus as corpus_mod
from .. import store
from .. import vocab as vocab_mod
from ..errors import CorpusError, FormatError

START, END, UNKNOWN = "<s>", "</s>", "<unk>"


class LMError(CorpusError):
    """Bad input for a language model (too little text, a bad context size, an empty test set)."""


class Vocabulary:
    """Words with their counts, and the three special tokens after them."""

    def __init__(self, words, counts):
        self.words = [str(w) for w in words]
        self.counts = np.asarray(counts, dtype=np.int64)
        clash = {START, END, UNKNOWN} & set(self.words)
        if clash:
            raise LMError(f"the corpus uses the reserved token(s) {', '.join(sorted(clash))} as words")
        self.index = {w: i for i, w in enumerate(self.words)}
        self.end = len(self.words)
        self.unknown = self.end + 1
        self.start = self.end + 2

    @property
    def classes(self):
        """Number of predicted classes: the words, ``</s>`` and ``<unk>``."""
        return len(self.words) + 2

    @property
    def inputs(self):
        """Number of input rows: the classes and ``<s>``."""
        return len(self.words) + 3

    def token(self, i):
        i = int(i)
        if i < len(self.words):
            return self.words[i]
        return (END, UNKNOWN, START)[i - len(self.words)]

    def tokens(self):
        """All tokens by id: the words, then ``</s>``, ``<unk>``, ``<s>``."""
        return self.words + [END, UNKNOWN, START]

    def ids(self, tokens):
        """Ids of ``tokens`` (unknown words → ``<unk>``; the special tokens by name)."""
        special = {END: self.end, UNKNOWN: self.unknown, START: self.start}
        get = self.index.get
        return np.fromiter((get(t, special.get(t, self.unknown)) for t in tokens), dtype=np.int64)

    def remap(self, scan):
        """Provisional ids of a :class:`w2v.corpus.Scan` → final ids (``<unk>`` for the rest)."""
        return np.fromiter(map(self.index.get, scan.words, itertools.repeat(self.unknown)), dtype=np.int32,
                           count=len(scan.words))

    @classmethod
    def from_scan(cls, scan, min_count=1, max_final_vocab=None):
        words, counts = scan.vocabulary()
        words, counts = vocab_mod.select(words, counts, min_count, max_final_vocab, sorted_vocab=True)
        return cls(words, counts)


class Sentences:
    """A corpus as final ids: ``ids`` (int32, all sentences back to back) and ``offsets``."""

    def __init__(self, ids, offsets):
        self.ids = np.asarray(ids, dtype=np.int32)
        self.offsets = np.asarray(offsets, dtype=np.int64)

    def __len__(self):
        return len(self.offsets) - 1

    @property
    def lengths(self):
        return np.diff(self.offsets)

    @property
    def tokens(self):
        """Samples: every word and every sentence end."""
        return int(len(self.ids) + len(self))

    def subset(self, which):
        """The sentences ``which`` (indices), in that order."""
        which = np.asarray(which, dtype=np.int64)
        lengths = self.lengths[which]
        offsets = np.zeros(len(which) + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        source = np.repeat(self.offsets[which] - offsets[:-1], lengths) + np.arange(offsets[-1])
        return Sentences(self.ids[source], offsets)

    def sample(self, max_tokens, seed):
        """At most ``max_tokens`` tokens (sentence ends counted) of seeded random sentences, in corpus
        order; all of them when they fit (and always at least one sentence).  Random, not the first
        ones: a corpus is often ordered by source, and its first sentences are then no sample of the rest."""
        if self.tokens <= max_tokens:
            return self
        order = np.random.default_rng(seed).permutation(len(self))
        keep = np.searchsorted(np.cumsum(self.lengths[order] + 1), max_tokens, side="right")
        return self.subset(np.sort(order[:max(1, keep)]))

    def split(self, fraction, seed):
        """(rest, held out): a seeded random ``fraction`` of the sentences held out."""
        n = len(self)
        held = int(round(n * fraction))
        if fraction > 0 and n >= 2:
            held = min(max(held, 1), n - 1)
        else:
            held = 0
        order = np.random.default_rng(seed).permutation(n)
        return self.subset(np.sort(order[held:])), self.subset(np.sort(order[:held]))

    def stream(self, pad, start, end):
        """The padded stream and the positions of its samples.

        Each sentence becomes ``[start] * pad + ids + [end]``; returns (stream int32, positions
        int64 of the ids and ends).  The ``pad`` ids before a position are its context.
        """
        lengths = self.lengths
        n = len(lengths)
        out_len = lengths + pad + 1
        out_off = np.zeros(n + 1, np.int64)
        np.cumsum(out_len, out=out_off[1:])
        stream = np.full(out_off[-1], start, dtype=np.int32)
        word_pos = np.repeat(out_off[:-1] + pad - self.offsets[:-1], lengths) + np.arange(len(self.ids))
        stream[word_pos] = self.ids
        end_pos = out_off[1:] - 1
        stream[end_pos] = end
        positions = np.concatenate([word_pos, end_pos])
        positions.sort()
        return stream, positions


def read(source, vocabulary=None, min_count=1, max_final_vocab=None, unicode_errors="strict", progress=None,
         what="corpus"):
    """Read a corpus once: (vocabulary, Sentences).  ``source`` is a path, folder, ``"-"`` or an iterable
    of token lists; with ``vocabulary`` given, it is used instead of choosing one."""
    if isinstance(source, Sentences):
        if vocabulary is None:
            raise LMError("encoded sentences need their vocabulary")
        return vocabulary, source
    if source is None:
        raise LMError(f"no {what} given")
    is_path = isinstance(source, (str, bytes)) or hasattr(source, "__fspath__")
    scan = corpus_mod.scan(source if is_path else None, None if is_path else source, unicode_errors,
                           None, progress)
    if vocabulary is None:
        vocabulary = Vocabulary.from_scan(scan, min_count, max_final_vocab)
    remap = vocabulary.remap(scan)
    ids = remap[np.asarray(scan.ids)] if len(scan.ids) else np.zeros(0, np.int32)
    offsets = np.zeros(len(scan.lengths) + 1, np.int64)
    np.cumsum(scan.lengths, out=offsets[1:])
    return vocabulary, Sentences(ids, offsets)


def contexts(stream, positions, context):
    """The ``context`` ids before each position: an int array of shape (len(positions), context)."""
    return stream[positions[:, None] + np.arange(-context, 0)[None, :]]


def tokens_of(text):
    """A prompt as tokens: a string is split on white space, a list is used as it is."""
    if isinstance(text, str):
        return text.split()
    return [str(t) for t in text]


def prompt_ids(prompt, vocab, context):
    """The last ``context`` ids of a prompt, start-padded with ``<s>``; and whether all its words
    (of those) are unknown."""
    tokens = tokens_of(prompt)
    ids = vocab.ids(tokens)[-context:] if tokens and context else np.zeros(0, np.int64)
    all_unknown = len(ids) > 0 and bool(np.all(ids == vocab.unknown))
    return np.concatenate([np.full(context - len(ids), vocab.start, np.int64), ids]), all_unknown


def warn_all_unknown(prompt):
    """The warning of a ``predict`` whose prompt has no known word (it is predicted from ``<unk>``)."""
    warnings.warn(f"no word of the prompt {' '.join(tokens_of(prompt))!r} is in the vocabulary: "
                  "predicting from the unknown token <unk>", stacklevel=3)


def sample_text(next_distribution, vocab, context, prompt, words, temperature, seed):
    """Continue ``prompt`` by drawing ``words`` tokens from ``next_distribution(tokens)`` (a model's
    distribution over the classes, given the tokens so far) at ``temperature`` (p^(1/T), renormalised).

    ``<unk>`` is never drawn; a drawn ``</s>`` ends the sentence and the next word starts a new one."""
    if temperature <= 0:
        raise LMError(f"temperature must be > 0, got {temperature}")
    rng = np.random.default_rng(seed)
    so_far = tokens_of(prompt)[-context:] if context else []
    out = []
    for _ in range(int(words)):
        p = np.asarray(next_distribution(so_far), dtype=np.float64).copy()
        p[vocab.unknown] = 0.0
        with np.errstate(divide="ignore"):
            logits = np.log(p) / temperature
        p = np.exp(logits - logits.max())
        p /= p.sum()
        nxt = int(min(np.searchsorted(np.cumsum(p), rng.random(), side="right"), len(p) - 1))
        token = vocab.token(nxt)
        out.append(token)
        so_far = [] if nxt == vocab.end else (so_far + [token])[-context:] if context else []
    return out


def perplexity_of(log_probs):
    """exp(mean negative log-likelihood) of per-token natural-log probabilities."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if not len(log_probs):
        raise LMError("no tokens to compute a perplexity on")
    with np.errstate(over="ignore"):   # a diverged model's is inf, and its caller says so
        return float(np.exp(-log_probs.mean()))


def top_tokens(p, topn, vocab):
    """The ``topn`` most probable tokens of distribution ``p`` with their probabilities, best first."""
    topn = max(1, min(int(topn), len(p)))
    best = np.argpartition(-p, topn - 1)[:topn]
    best = best[np.argsort(-p[best], kind="stable")]
    return [(vocab.token(i), float(p[i])) for i in best]


_KIND_NAMES = {"model": "a word2vec model", "vectors": "word vectors", "items": "an item model",
               "lm": "a neural language model", "ngram": "an n-gram language model",
               "lm-mixture": "a mixture of a neural and an n-gram language model"}
#: the kinds of native file that hold a language model
LM_KINDS = ("lm", "ngram", "lm-mixture")


def load_kind(path, expect):
    """store.load that names what the file is when it is not of kind ``expect`` (a kind or a tuple of kinds)."""
    if not os.path.exists(path):
        raise FormatError(f"{path}: no such file")
    if not store.is_native(path):
        raise FormatError(f"{path}: not a w2v language model file (it is not a native w2v file at all; "
                          "train one with `w2v lm train`)")
    kind, meta, arrays = store.load(path)
    wanted = (expect,) if isinstance(expect, str) else tuple(expect)
    if kind not in wanted:
        what = _KIND_NAMES.get(kind, f"kind {kind!r}")
        names = " or ".join(_KIND_NAMES[k] for k in wanted) if len(wanted) < 3 else "a language model"
        raise FormatError(f"{path}: holds {what} (kind {kind!r}), not {names}; "
                          "train a language model with `w2v lm train`")
    return kind, meta, arrays
