"""The mixture of the neural and the n-gram model, and the paper's comparison table.

``P(w | h) = weight · P_neural(w | h) + (1 - weight) · P_ngram(w | h)``: both parts are exact,
normalised distributions over the same classes, so the mixture is one too and its perplexity
is exact.  The weight maximises the likelihood of a validation split (EM on the one weight:
it converges to the optimum because the log-likelihood is concave in it).
"""
import os
import time

import numpy as np

from .. import store
from . import data
from .data import LM_KINDS, LMError, load_kind, perplexity_of, top_tokens
from .model import DEFAULTS as NEURAL_DEFAULTS
from .model import LanguageModel
from .ngram import NGramModel

#: the n-gram part's arrays in a mixture file carry this prefix (the neural part's are the file's own,
#: so ``w2v.load`` reads a mixture file's embedding vectors as it does a neural model's)
NGRAM_PREFIX = "ngram."


def best_weight(log_p_neural, log_p_ngram, iterations=200, tol=1e-9):
    """The weight of the neural part that maximises the mixture's likelihood (EM, from 0.5)."""
    a = np.exp(np.asarray(log_p_neural, np.float64))
    b = np.exp(np.asarray(log_p_ngram, np.float64))
    if not len(a):
        raise LMError("no validation tokens to choose the mixture weight on")
    w = 0.5
    for _ in range(iterations):
        new = float(np.mean(w * a / (w * a + (1 - w) * b)))
        if abs(new - w) < tol:
            return new
        w = new
    return w


class MixtureModel:
    """A neural :class:`LanguageModel` and an :class:`NGramModel` on the same vocabulary, mixed."""

    def __init__(self, neural, ngram, weight=0.5):
        if neural.vocab is None or ngram.vocab is None or neural.vocab.words != ngram.vocab.words:
            raise LMError("the neural and the n-gram model must share one vocabulary "
                          "(train the n-gram model with vocabulary=lm.vocab)")
        if not 0.0 <= weight <= 1.0:
            raise LMError(f"the mixture weight must be in [0, 1], got {weight!r}")
        self.neural, self.ngram, self.weight = neural, ngram, float(weight)
        self.vocab = neural.vocab

    def fit_weight(self, validation_sentences):
        """Choose ``weight`` on held-out sentences; returns it."""
        self.weight = best_weight(self.neural.log_probabilities(validation_sentences),
                                  self.ngram.log_probabilities(validation_sentences))
        return self.weight

    def mix(self, log_p_neural, log_p_ngram):
        """The mixture's log probabilities from its parts' (natural-log, per token)."""
        a = np.log(self.weight) + log_p_neural if self.weight > 0 else -np.inf
        b = np.log1p(-self.weight) + log_p_ngram if self.weight < 1 else -np.inf
        return np.logaddexp(a, b)

    def log_probabilities(self, sentences):
        """Natural-log mixture probability of every test token and sentence end."""
        return self.mix(self.neural.log_probabilities(sentences), self.ngram.log_probabilities(sentences))

    def perplexity(self, sentences):
        return perplexity_of(self.log_probabilities(sentences))

    def next_distribution(self, prompt):
        return self.weight * self.neural.next_distribution(prompt) + (1 - self.weight) * self.ngram.next_distribution(prompt)

    def predict(self, prompt, topn=5):
        """The ``topn`` likeliest next tokens after ``prompt``, best first: [(token, probability), ...]."""
        if data.prompt_ids(prompt, self.vocab, self.context)[1]:
            data.warn_all_unknown(prompt)
        return top_tokens(self.next_distribution(prompt), topn, self.vocab)

    @property
    def context(self):
        """The previous tokens the mixture looks at: the longer of its parts' contexts."""
        return max(self.neural.context, self.ngram.context)

    @property
    def wv(self):
        """The neural part's embedding vectors."""
        return self.neural.wv

    def generate(self, prompt, words=20, temperature=0.8, seed=1):
        """Continue ``prompt`` by sampling ``words`` tokens from the mixture (as :meth:`LanguageModel.generate`)."""
        return data.sample_text(self.next_distribution, self.vocab, self.context, prompt, words, temperature, seed)

    def save(self, path):
        """Save both parts and the weight as one native w2v file of kind ``"lm-mixture"``;
        ``w2v.load(path)`` reads the neural part's embedding vectors from it."""
        n_meta, arrays = self.neural._payload()
        g_meta, g_arrays = self.ngram._payload()
        arrays = dict(arrays)
        arrays.update({NGRAM_PREFIX + name: a for name, a in g_arrays.items()})
        store.save(path, "lm-mixture", {"weight": self.weight, "neural": n_meta, "ngram": g_meta, "w2v": 1}, arrays)

    @classmethod
    def load(cls, path):
        """Load a mixture saved by :meth:`save`."""
        _, meta, arrays = load_kind(os.fspath(path), "lm-mixture")
        return cls._from_payload(meta, arrays)

    @classmethod
    def _from_payload(cls, meta, arrays):
        neural = LanguageModel._from_payload(meta["neural"], {k: v for k, v in arrays.items()
                                                              if not k.startswith(NGRAM_PREFIX)})
        ngram = NGramModel._from_payload(meta["ngram"], {k[len(NGRAM_PREFIX):]: v for k, v in arrays.items()
                                                         if k.startswith(NGRAM_PREFIX)})
        return cls(neural, ngram, meta["weight"])


def load(path):
    """Any language-model file: a neural model, an n-gram model or their mixture, by what the file holds."""
    kind, meta, arrays = load_kind(os.fspath(path), LM_KINDS)
    return {"lm": LanguageModel, "ngram": NGramModel, "lm-mixture": MixtureModel}[kind]._from_payload(meta, arrays)


def evaluate(corpus, test=None, *, order=None, test_fraction=0.1, validation=0.05, seed=1, neural=None,
             progress=None):
    """The paper's table: the n-gram baseline, the neural model and their mixture on one split.

    ``corpus`` is read once (vocabulary by ``min_count``/``max_final_vocab`` of ``neural``); without
    ``test`` a seeded ``test_fraction`` of its sentences is the test set.  A further seeded
    ``validation`` share of the training sentences is held out from both models: the neural
    model's early stopping and the mixture weight are chosen on it.  ``order`` defaults to the
    neural context + 1 (both see the same previous words).  Returns a dict with one row per model.
    """
    params = dict(NEURAL_DEFAULTS)
    params.update(neural or {})
    params["progress"] = progress
    order = params["context"] + 1 if order is None else order
    vocab, sentences = data.read(corpus, None, params["min_count"], params["max_final_vocab"],
                                 params["unicode_errors"], progress)
    if test is None:
        rest, held_test = sentences.split(test_fraction, seed)
    else:
        rest = sentences
        _, held_test = data.read(test, vocab, what="test text")
    if held_test.tokens == 0 or len(held_test) == 0:
        raise LMError("the test set has no tokens (give a longer corpus or a --test file with text)")
    train, valid = rest.split(validation, seed + 1)
    if len(valid) == 0:
        raise LMError(f"the corpus is too small to evaluate: {len(rest)} training sentence(s) leave none "
                      "for validation")
    started = time.perf_counter()
    ngram = NGramModel(vocabulary=vocab, order=order).train(train)
    ngram_seconds = time.perf_counter() - started
    lm = LanguageModel(vocabulary=vocab, **{k: v for k, v in params.items() if k != "validation"})
    lm.train(train, validation_sentences=valid)
    mixture = MixtureModel(lm, ngram)
    weight = mixture.fit_weight(valid)
    log_p = {"ngram": ngram.log_probabilities(held_test), "neural": lm.log_probabilities(held_test)}
    log_p["mixture"] = mixture.mix(log_p["neural"], log_p["ngram"])
    rows = []
    for name, key, seconds, extra in (
            (f"Kneser-Ney {order}-gram", "ngram", ngram_seconds, {"order": order}),
            (f"neural, context {lm.context}", "neural", lm.last_training["seconds"],
             {"context": lm.context, "samples_per_second": lm.last_training["samples_per_second"],
              "epochs": lm.last_training["epochs"], "objective": lm.last_training["objective"]}),
            (f"mixture (neural weight {weight:.2f})", "mixture", ngram_seconds + lm.last_training["seconds"],
             {"weight": weight})):
        rows.append({"model": name, "perplexity": perplexity_of(log_p[key]), "tokens": int(len(log_p[key])),
                     "training_seconds": seconds, **extra})
    base = rows[0]["perplexity"]
    for row in rows:
        row["vs_ngram"] = row["perplexity"] / base - 1.0
    return {"rows": rows, "vocabulary": len(vocab.words), "train_tokens": train.tokens,
            "validation_tokens": valid.tokens, "test_tokens": held_test.tokens, "weight": weight,
            "models": {"ngram": ngram, "neural": lm, "mixture": mixture}}
