"""``w2v.NGramModel``: interpolated modified Kneser–Ney (Chen & Goodman 1998) of any order.

The baseline of Bengio et al. (2003).  Same vocabulary and conventions as
:class:`w2v.LanguageModel` (:mod:`w2v.lm.data`): an ``order``-gram model predicts every word and
sentence end from the ``order - 1`` tokens before it, start-padded with ``<s>``.

For a context ``h`` of length ``k - 1`` (order ``k``) and its suffix ``h'`` one word shorter::

    p_k(w | h) = max(c_k(h w) - D_k(c_k(h w)), 0) / c_k(h .)  +  gamma_k(h) * p_{k-1}(w | h')
    gamma_k(h) = (D_k1 N1(h .) + D_k2 N2(h .) + D_k3+ N3+(h .)) / c_k(h .)

with ``p_0`` uniform over the classes and ``p_k(. | h) = p_{k-1}(. | h')`` for a context never
seen.  ``c_N`` are the counts of the highest order; every lower order uses continuation counts
(how many different tokens precede ``h w``).  The three discounts of each order come from its
count-of-counts ``n1 … n4``: ``Y = n1 / (n1 + 2 n2)``, ``D1 = 1 - 2Y n2/n1``, ``D2 = 2 - 3Y n3/n2``,
``D3+ = 3 - 4Y n4/n3`` (clipped to ``[0, j]``).

Counting is bulk numpy: each context is a dense id built order by order from the id of its
suffix and the token before it (int64 keys, ``np.unique``), each n-gram the key
``context id × classes + word``; lookups are ``np.searchsorted``.  No Python per token.
"""
import os
import time

import numpy as np

from .. import store
from . import data
from .data import LMError

DEFAULTS = {"order": 3, "min_count": 5, "max_final_vocab": None, "unicode_errors": "strict", "progress": None}


def discounts(counts):
    """(D1, D2, D3+) from the count-of-counts of ``counts`` (Chen & Goodman's estimates, clipped)."""
    n = np.bincount(np.minimum(np.asarray(counts, np.int64), 5), minlength=6)[1:5].astype(np.float64)
    n1, n2, n3, n4 = n
    if n1 == 0 or n2 == 0:
        y = 0.5
    else:
        y = n1 / (n1 + 2 * n2)
    out = []
    for j, (lo, hi) in enumerate(((n1, n2), (n2, n3), (n3, n4)), start=1):
        d = j - (j + 1) * y * hi / lo if lo > 0 else y * j
        out.append(float(np.clip(d, 0.0, float(j))))
    return np.array(out)


class _Level:
    """The n-grams of one order: contexts of length ``j`` (ids ``0 … len(ctx_keys)-1``)."""

    def __init__(self, ctx_keys, gram_keys, counts, classes):
        self.ctx_keys = ctx_keys            # sorted; context key = token × (ids below) + suffix id
        self.gram_keys = gram_keys          # sorted; context id × classes + word
        self.counts = counts                # int64, one per gram key
        self.discounts = discounts(counts)
        ctx = gram_keys // classes
        n_ctx = len(ctx_keys)
        self.total = np.bincount(ctx, weights=counts, minlength=n_ctx)
        capped = np.minimum(counts, 3)
        d_sum = np.bincount(ctx, weights=self.discounts[capped - 1], minlength=n_ctx)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.gamma = np.where(self.total > 0, d_sum / self.total, 1.0)

    def count(self, ctx_ids, words, classes):
        keys = ctx_ids.astype(np.int64) * classes + words
        at = np.minimum(np.searchsorted(self.gram_keys, keys), len(self.gram_keys) - 1)
        found = self.gram_keys[at] == keys
        return np.where(found, self.counts[at], 0)


class NGramModel:
    """Interpolated modified Kneser–Ney language model of any ``order`` (>= 1).

    Give ``sentences`` (token lists) or ``corpus_file`` (path, folder, compressed file, ``"-"``)
    to count at once; ``vocabulary`` (a :class:`w2v.lm.Vocabulary`, e.g. a neural model's
    ``lm.vocab``) reuses one instead of choosing it by ``min_count``/``max_final_vocab``.
    """

    def __init__(self, sentences=None, corpus_file=None, *, vocabulary=None, **params):
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"NGramModel() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        merged = dict(DEFAULTS)
        merged.update(params)
        order = merged["order"]
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
            raise LMError(f"order must be a whole number >= 1, got {order!r}")
        for name, value in merged.items():
            setattr(self, name, value)
        self.order = int(order)
        self.vocab = vocabulary
        self.levels = None
        self.last_training = {}
        if sentences is not None or corpus_file is not None:
            self.train(corpus_file if corpus_file is not None else sentences)

    @property
    def context(self):
        """Tokens a prediction looks at: ``order - 1``."""
        return self.order - 1

    def __repr__(self):
        n = len(self.vocab.words) if self.vocab else 0
        return f"NGramModel<order={self.order}, vocab={n}, modified Kneser-Ney>"

    # -- counting -----------------------------------------------------------------------------
    def train(self, corpus):
        """Build the vocabulary (unless given) and count ``corpus``."""
        started = time.perf_counter()
        self.vocab, sentences = data.read(corpus, self.vocab, self.min_count, self.max_final_vocab,
                                          self.unicode_errors, self.progress)
        if sentences.tokens == 0 or len(sentences.ids) == 0:
            raise LMError("the corpus is empty: no words to count an n-gram model on")
        stream, pos = sentences.stream(self.context, self.vocab.start, self.vocab.end)
        classes = self.vocab.classes
        words = stream[pos].astype(np.int64)
        ctx_ids = np.zeros(len(pos), np.int64)      # the empty context
        ctx_keys_by_level = [np.zeros(1, np.int64)]
        ids_by_level = [ctx_ids]
        for j in range(1, self.order):
            keys = stream[pos - j].astype(np.int64) * len(ctx_keys_by_level[-1]) + ids_by_level[-1]
            uniq, inverse = np.unique(keys, return_inverse=True)
            ctx_keys_by_level.append(uniq)
            ids_by_level.append(inverse.reshape(-1).astype(np.int64))
        levels = [None] * self.order
        top = self.order - 1
        gram = ids_by_level[top] * classes + words
        g_keys, g_first, g_counts = np.unique(gram, return_index=True, return_counts=True)
        levels[top] = _Level(ctx_keys_by_level[top], g_keys, g_counts.astype(np.int64), classes)
        for j in range(top - 1, -1, -1):
            # continuation counts: the distinct (j+1)-context n-grams ending in each j-context n-gram
            lower = ids_by_level[j][g_first] * classes + words[g_first]
            l_keys, l_first, l_counts = np.unique(lower, return_index=True, return_counts=True)
            levels[j] = _Level(ctx_keys_by_level[j], l_keys, l_counts.astype(np.int64), classes)
            g_first = g_first[l_first]
        self.levels = levels
        seconds = time.perf_counter() - started
        self.last_training = {"seconds": seconds, "train_tokens": sentences.tokens,
                              "ngrams": [int(len(lv.gram_keys)) for lv in levels],
                              "discounts": [lv.discounts.tolist() for lv in levels]}
        return self

    # -- probabilities --------------------------------------------------------------------------
    def _need_trained(self):
        if self.levels is None:
            raise LMError("the n-gram model is not trained yet")

    def _context_ids(self, ctx):
        """Training ids (-1: never seen) of the contexts of length 0 … order-1 of each row of ``ctx``
        (an int array of shape (n, order - 1), oldest token first)."""
        n = len(ctx)
        out = [np.zeros(n, np.int64)]
        for j in range(1, self.order):
            below = out[-1]
            keys = ctx[:, self.context - j].astype(np.int64) * len(self.levels[j - 1].ctx_keys) + below
            table = self.levels[j].ctx_keys
            at = np.minimum(np.searchsorted(table, keys), len(table) - 1)
            out.append(np.where((below >= 0) & (table[at] == keys), at, -1))
        return out

    def _probabilities(self, ids_by_level, words):
        classes = self.vocab.classes
        p = np.full(len(words), 1.0 / classes)
        for j, level in enumerate(self.levels):
            cid = ids_by_level[j]
            seen = cid >= 0
            safe = np.where(seen, cid, 0)
            c = level.count(safe, words, classes)
            total = level.total[safe]
            disc = np.where(c > 0, level.discounts[np.clip(c, 1, 3) - 1], 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                mixed = np.maximum(c - disc, 0.0) / total + level.gamma[safe] * p
            p = np.where(seen & (total > 0), mixed, p)
        return p

    def log_probabilities_of(self, ctx, words):
        """Natural-log P(word | context) for rows of ``ctx`` (shape (n, order - 1)) and ``words``."""
        self._need_trained()
        ctx = np.asarray(ctx, np.int64).reshape(len(words), self.context)
        return np.log(self._probabilities(self._context_ids(ctx), np.asarray(words, np.int64)))

    def next_distribution(self, prompt):
        """P(next token | the prompt's last ``order - 1`` tokens) over all classes (float64)."""
        self._need_trained()
        ids, _ = data.prompt_ids(prompt, self.vocab, self.context)
        classes = self.vocab.classes
        ctx = np.repeat(ids[None, :], classes, axis=0)
        return self._probabilities(self._context_ids(ctx), np.arange(classes, dtype=np.int64))

    def predict(self, prompt, topn=5):
        """The ``topn`` likeliest next tokens after ``prompt``, best first: [(token, probability), ...]."""
        self._need_trained()
        _, all_unknown = data.prompt_ids(prompt, self.vocab, self.context)
        if all_unknown:
            data.warn_all_unknown(prompt)
        return data.top_tokens(self.next_distribution(prompt), topn, self.vocab)

    def generate(self, prompt, words=20, temperature=0.8, seed=1):
        """Continue ``prompt`` by sampling ``words`` tokens (as :meth:`LanguageModel.generate`)."""
        self._need_trained()
        return data.sample_text(self.next_distribution, self.vocab, self.context, prompt, words, temperature, seed)

    def log_probabilities(self, sentences):
        """Natural-log probability of every test token and sentence end (the perplexity's terms)."""
        self._need_trained()
        _, held = data.read(sentences, self.vocab, what="test text")
        stream, pos = held.stream(self.context, self.vocab.start, self.vocab.end)
        return self.log_probabilities_of(data.contexts(stream, pos, self.context), stream[pos].astype(np.int64))

    def perplexity(self, sentences):
        """exp(mean negative log-likelihood) over every token and sentence end of ``sentences``."""
        return data.perplexity_of(self.log_probabilities(sentences))

    # -- saving -------------------------------------------------------------------------------
    def save(self, path):
        """Save as a native w2v file of kind ``"ngram"``."""
        store.save(path, "ngram", *self._payload())

    def _payload(self):
        """(meta, arrays) of the native file (a mixture file holds them too)."""
        self._need_trained()
        blob, offsets = store.encode_strings(self.vocab.words)
        arrays = {"keys.blob": blob, "keys.offsets": offsets, "counts": self.vocab.counts}
        for j, level in enumerate(self.levels):
            arrays[f"ctx{j}"] = level.ctx_keys
            arrays[f"grams{j}"] = level.gram_keys
            arrays[f"counts{j}"] = level.counts
        meta = {"params": {"order": self.order, "min_count": self.min_count, "max_final_vocab": self.max_final_vocab},
                "last_training": self.last_training, "tokens": [data.END, data.UNKNOWN, data.START], "w2v": 1}
        return meta, arrays

    @classmethod
    def load(cls, path):
        """Load a model saved by :meth:`save`."""
        _, meta, arrays = data.load_kind(os.fspath(path), "ngram")
        return cls._from_payload(meta, arrays)

    @classmethod
    def _from_payload(cls, meta, arrays):
        model = cls(**{k: v for k, v in meta.get("params", {}).items() if k in DEFAULTS})
        keys = store.decode_strings(arrays["keys.blob"], arrays["keys.offsets"])
        model.vocab = data.Vocabulary(keys, np.asarray(arrays["counts"]))
        model.levels = [_Level(np.array(arrays[f"ctx{j}"]), np.array(arrays[f"grams{j}"]),
                               np.array(arrays[f"counts{j}"]), model.vocab.classes) for j in range(model.order)]
        model.last_training = meta.get("last_training", {})
        return model
