"""The training parameters: gensim's names, each default written once, one set of rules.

``PARAMS`` lists every parameter of :class:`w2v.Word2Vec` in gensim's order, with its
default, the kind of value it takes and a line of help.  ``Word2Vec``, the ``w2v train``
options (generated from this list) and :class:`w2v.ItemModel` (its own defaults laid
over these, the same rules) all read it.  :func:`validate` runs when training starts —
in ``build_vocab`` and ``train`` — so a parameter changed on the model afterwards
(``model.window = 0``) is checked too; :func:`check_memory` runs once the vocabulary's
size is known, before any matrix is allocated.
"""
import math
import os
from collections import namedtuple

import numpy as np

from .errors import W2VError


class ParameterError(W2VError, ValueError):
    """A training parameter out of its range (a ValueError, as gensim and scikit-learn raise)."""


#: kind: "int" (whole number >= low), "int?" (the same or None), "real" (finite number >= low),
#: "flag" (0/1 or a bool), "choice" (one of ``low``), "text?" (a string or None),
#: "object" (not checked: callbacks, progress).  group: where the CLI lists it (None: not on the CLI).
Param = namedtuple("Param", "name default kind low group help")

PARAMS = (
    Param("vector_size", 100, "int", 1, "model", "dimensions per vector"),
    Param("alpha", 0.025, "real", 0, "training", "initial learning rate"),
    Param("window", 5, "int", 1, "model", "context words on each side"),
    Param("min_count", 5, "int", 0, "vocabulary", "ignore words rarer than this"),
    Param("max_vocab_size", None, "int?", 1, "vocabulary", "bound on words counted at once while reading"),
    Param("sample", 1e-3, "real", 0, "vocabulary", "subsampling threshold for frequent words, 0 for none"),
    Param("seed", 1, "int", 0, "training", "random seed; with one worker training is exactly repeatable"),
    Param("workers", 3, "int", 1, "training", "training threads"),
    Param("min_alpha", 0.0001, "real", 0, "training", "final learning rate"),
    Param("sg", 0, "flag", None, "model", "skip-gram: each word predicts its neighbours (0: CBOW, the neighbours predict the word)"),
    Param("hs", 0, "flag", None, "model", "hierarchical softmax"),
    Param("negative", 5, "int", 0, "model", "negative samples per word, 0 for none"),
    Param("ns_exponent", 0.75, "real", -math.inf, "model", "noise distribution exponent: count**X"),
    Param("cbow_mean", 1, "flag", None, "model", "CBOW: average the context vectors (0: sum them)"),
    Param("epochs", 5, "int", 0, "training", "passes over the corpus"),
    Param("sorted_vocab", 1, "flag", None, "vocabulary", "order the vocabulary by falling count (0: by first appearance)"),
    Param("batch_words", 10000, "int", 1, "training", "words per job handed to a worker"),
    Param("sync_words", 500_000, "int", 1, "cluster", "on a cluster: words each worker trains between synchronisations"),
    Param("client", None, "object", None, None, "a dask.distributed Client: train on its cluster (w2v.train.dask)"),
    Param("compute_loss", False, "flag", None, "training", "compute the loss per epoch"),
    Param("callbacks", (), "object", None, None, "objects with on_epoch_end(model) etc."),
    Param("max_final_vocab", None, "int?", 1, "vocabulary", "keep at most this many words (the most frequent)"),
    Param("shrink_windows", True, "flag", None, "model", "a random window width 1..window per word (0: always the full window)"),
    Param("comment", None, "text?", None, "model", "a note kept with the model"),
    Param("progress", None, "object", None, None, "progress bar on stderr (None: when it is a terminal)"),
    Param("unicode_errors", "strict", "choice", ("strict", "replace", "ignore"), "vocabulary",
          "invalid UTF-8: stop with an error naming the line, replace it with U+FFFD, or drop it"),
    # w2v's own training mode: the article's skip-gram before negative sampling
    Param("softmax", 0, "flag", None, "model",
          "full softmax over the whole vocabulary (the article's first skip-gram; small vocabularies only, "
          "use with negative=0)"),
    # w2v's own, for raw text (the CLI's options for them are in cli/text.py)
    Param("tokenizer", None, "tokenizer", None, None, "how corpus files are split into words (w2v.tokenize)"),
    Param("phrases", 0, "phrases", None, None, "passes of phrase detection (or a dict of Phrases parameters)"),
)
BY_NAME = {p.name: p for p in PARAMS}
NAMES = tuple(BY_NAME)
DEFAULTS = {p.name: p.default for p in PARAMS}
#: what a saved model keeps (callbacks and the progress bar belong to a session, not to the model)
SAVED = tuple(p.name for p in PARAMS if p.kind != "object")


def _is_whole(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check(name, value):
    """Raise ParameterError unless ``value`` is allowed for parameter ``name``."""
    p = BY_NAME[name]
    if p.kind in ("int", "int?"):
        if p.kind == "int?" and value is None:
            return
        if not (_is_whole(value) and value >= p.low):
            what = f"a whole number >= {p.low}" + (" or None" if p.kind == "int?" else "")
            raise ParameterError(f"{name} must be {what}, got {value!r}")
    elif p.kind == "real":
        if not (isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
                and math.isfinite(value) and value >= p.low):
            what = "a finite number" + ("" if p.low == -math.inf else f" >= {p.low}")
            raise ParameterError(f"{name} must be {what}, got {value!r}")
    elif p.kind == "flag":
        if value not in (0, 1, True, False) or not isinstance(value, (int, np.integer, bool)):
            raise ParameterError(f"{name} must be 0 or 1, got {value!r}")
    elif p.kind == "choice":
        if value not in p.low:
            raise ParameterError(f"{name} must be one of {', '.join(map(repr, p.low))}, got {value!r}")
    elif p.kind == "tokenizer":
        from .tokenize import Tokenizer

        Tokenizer.make(value)
    elif p.kind == "phrases":
        if not (isinstance(value, dict) or (_is_whole(value) and value >= 0)):
            raise ParameterError(f"{name} must be a number of passes >= 0 or a dict of Phrases parameters, "
                                 f"got {value!r}")
    elif p.kind == "text?":
        if value is not None and not isinstance(value, str):
            raise ParameterError(f"{name} must be a string or None, got {value!r}")


def validate(values):
    """Check a dict of parameters (any subset of ``NAMES``); raise ParameterError naming the first bad one."""
    unknown = sorted(set(values) - set(BY_NAME))
    if unknown:
        raise TypeError(f"unknown parameter(s): {', '.join(unknown)}")
    for name, value in values.items():
        check(name, value)
    hs = values.get("hs", DEFAULTS["hs"])
    negative = values.get("negative", DEFAULTS["negative"])
    if values.get("softmax", DEFAULTS["softmax"]):
        # One output layer at a time: negative=5 is the default, and a full softmax silently
        # mixed with five negatives would not be the model the user asked for.
        if hs or negative:
            raise ParameterError(f"softmax=1 trains with the full softmax alone: set negative=0 and hs=0 "
                                 f"(got negative={negative}, hs={int(hs)})")
    elif not hs and not negative:
        raise ParameterError("nothing to train with: set negative > 0 (negative sampling), "
                             "hs=1 (hierarchical softmax) or softmax=1 (full softmax)")


def merged(overrides, defaults=None):
    """``defaults`` (the module's by default) updated with ``overrides``; unknown names are a TypeError."""
    unknown = sorted(set(overrides) - set(BY_NAME))
    if unknown:
        raise TypeError(f"unexpected parameter(s): {', '.join(unknown)} (known: {', '.join(NAMES)})")
    return {**(DEFAULTS if defaults is None else defaults), **overrides}


#: The largest vocabulary ``softmax=1`` trains.  The full softmax costs about 3·m·V·d
#: multiply-adds per centre word (m inputs of its window, V words, d dimensions) where negative
#: sampling costs 3·m·(negative+1)·d, so its speed falls as 1/V.  Measured on 2 shared cores
#: (bench/bench_softmax.py, bench/RESULTS.md "Full-softmax skip-gram"; d = 100): about 1,300
#: words trained per second at V = 10,000, 600 at V = 19,000 — an epoch of a 5-million-word
#: corpus takes 50 minutes at this limit and twice that at twice the vocabulary, against about
#: 7 seconds with negative sampling.  Above it, use negative sampling or hierarchical softmax.
SOFTMAX_MAX_VOCAB = 10_000


def check_softmax_vocabulary(values, n_words):
    """Raise ParameterError when ``softmax=1`` is asked of a vocabulary above :data:`SOFTMAX_MAX_VOCAB`."""
    if values.get("softmax") and n_words > SOFTMAX_MAX_VOCAB:
        raise ParameterError(
            f"softmax=1 computes a probability for every word of the vocabulary for every training pair "
            f"(cost ~ vocabulary x vector_size); this vocabulary has {n_words:,} words, more than the limit of "
            f"{SOFTMAX_MAX_VOCAB:,}: keep fewer words (max_final_vocab={SOFTMAX_MAX_VOCAB} or a higher min_count) "
            f"or train with negative sampling (negative=5) or hs=1")


def memory_needed(values, n_words):
    """Bytes that training with ``values`` on a vocabulary of ``n_words`` allocates at least:
    the matrices (float32) and each worker's scratch buffers of the kernel."""
    d = int(values["vector_size"])
    softmax = bool(values.get("softmax"))
    matrices = 1 + bool(values["negative"]) + bool(values["hs"]) + softmax
    width = 2 * int(values["window"])
    targets = max(int(values["negative"]) + 1 + (64 if values["hs"] else 0), n_words if softmax else 0)
    scratch = 4 * (width * (d + targets + 1) + 2 * d)
    return 4 * matrices * n_words * d + int(values["workers"]) * scratch


def physical_memory():
    """The machine's memory in bytes (None where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _size(n):
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000


def check_memory(values, n_words, available=None):
    """Raise ParameterError, stating the memory needed, when training would not fit in memory
    (and, first, when ``softmax=1`` meets a vocabulary above its limit)."""
    check_softmax_vocabulary(values, n_words)
    need = memory_needed(values, n_words)
    words = f"{n_words:,} word" + ("" if n_words == 1 else "s")
    available = physical_memory() if available is None else available
    if available is not None and need > available:
        raise ParameterError(
            f"vector_size={values['vector_size']}, window={values['window']} and {words} need "
            f"{_size(need)} for training, more than this machine's memory ({_size(available)})")
