"""Word2Vec: gensim's API over the training core — parameters, vocabulary, train(), save/load.

The names and defaults are gensim's (``params.py``), so switching is a matter of changing an
import.  The corpus is read once and encoded to integer ids; ``train()`` then assembles the
kernel's state (``train/state.py``), the epoch schedule (``train/schedule.py``) and an
executor (``train/threads.py``: threads on this machine) and runs the epoch loop
(``train/loop.py``).
"""
import collections
import collections.abc
import inspect
import itertools
import logging
import os
import shutil
import tempfile

import numpy as np

from . import corpus as corpus_mod
from . import params as params_mod
from . import store, vocab
from .errors import CorpusError, NotAModelError, W2VError
from .utils import keep_mask
from .train.loop import call, run_training
from .train.schedule import Schedule, mix
from .train.state import state_of
from .tokenize import Tokenizer
from .train.threads import ThreadExecutor
from .vectors import KeyedVectors

#: gensim's Word2Vec parameters (and w2v's own last ones), with their defaults (see ``params.py``).
DEFAULTS = params_mod.DEFAULTS
validate = params_mod.validate

logger = logging.getLogger(__name__)

#: gensim's positional order of ``Word2Vec(sentences, corpus_file, ...)``'s parameters.
POSITIONAL = ("vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed", "workers",
              "min_alpha", "sg", "hs", "negative", "ns_exponent", "cbow_mean", "hashfxn", "epochs", "null_word",
              "trim_rule", "sorted_vocab", "batch_words", "compute_loss", "callbacks", "comment",
              "max_final_vocab", "shrink_windows")
#: gensim parameters that are not training parameters of w2v's: they change how the vocabulary
#: is built (trim_rule, null_word) or are kept only so gensim code runs (hashfxn).
_EXTRA = {"hashfxn": hash, "null_word": 0, "trim_rule": None}


class ModelStateError(W2VError, RuntimeError, ValueError):
    """The model cannot do this yet (no vocabulary, or not the training mode it needs);
    a RuntimeError, as gensim raises (and a ValueError, as w2v raised before)."""


class CorpusTypeError(CorpusError, TypeError):
    """No corpus, two corpora, or a corpus of the wrong kind; a TypeError, as gensim raises."""


def _check_corpus(corpus_iterable, corpus_file):
    """gensim's checks of the two corpus arguments (w2v's corpus_file may also be a folder,
    a compressed file or "-"; a string given as corpus_iterable is an error, not characters)."""
    if (corpus_iterable is None) == (corpus_file is None):
        raise CorpusTypeError("give exactly one corpus: corpus_file (a path, folder or '-') or "
                              "corpus_iterable / sentences (an iterable of token lists), not "
                              + ("both" if corpus_iterable is not None else "neither"))
    if corpus_iterable is not None:
        if isinstance(corpus_iterable, (str, bytes, os.PathLike)):
            raise CorpusTypeError(f"the corpus iterable is a {type(corpus_iterable).__name__} ({corpus_iterable!r:.60}); "
                                  "give an iterable of token lists, or pass a path as corpus_file=")
        if not isinstance(corpus_iterable, collections.abc.Iterable):
            raise CorpusTypeError(f"the corpus must be an iterable of token lists, got {type(corpus_iterable).__name__}")
    elif not isinstance(corpus_file, (str, bytes, os.PathLike)):
        raise CorpusTypeError(f"corpus_file must be a path, got {type(corpus_file).__name__}")
    elif corpus_file != "-" and "://" not in str(corpus_file) and not os.path.exists(corpus_file):
        raise CorpusTypeError(f"{os.fspath(corpus_file)}: no such file or folder")


def _same_corpus(scanned, source):
    """Whether ``source`` is the corpus build_vocab just read: the same object, or the same path."""
    if source is None:
        return False
    if scanned is source:
        return True
    paths = (str, bytes, os.PathLike)
    return isinstance(scanned, paths) and isinstance(source, paths) and os.fspath(scanned) == os.fspath(source)


class Word2Vec:
    """Learn word vectors from text (skip-gram or CBOW; negative sampling, hierarchical softmax or,
    for small vocabularies, the full softmax: ``softmax=1``).

    Give ``sentences`` (a re-iterable of token lists; a one-shot generator works too, it is
    read once) or ``corpus_file`` (a path to a text file — plain, .gz, .bz2, .xz — a folder of
    them, or ``"-"`` for stdin; one sentence per line) to build the vocabulary and train at once.
    ``progress`` shows a bar on stderr (None: only when stderr is a terminal).
    """

    def __init__(self, sentences=None, corpus_file=None, *args, **params):
        if len(args) > len(POSITIONAL):
            raise TypeError(f"Word2Vec() takes at most {len(POSITIONAL) + 2} positional arguments "
                            f"({len(args) + 2} given)")
        for name, value in zip(POSITIONAL, args):
            if name in params:
                raise TypeError(f"Word2Vec() got multiple values for argument {name!r}")
            params[name] = value
        extra = {name: params.pop(name, default) for name, default in _EXTRA.items()}
        values = params_mod.merged(params)
        validate(values)
        if extra["null_word"] not in (0, 1, True, False):
            raise params_mod.ParameterError(f"null_word must be 0 or 1, got {extra['null_word']!r}")
        for name, value in values.items():
            setattr(self, name, value)
        self.callbacks = tuple(self.callbacks)
        if self.tokenizer is not None:   # kept as a JSON-able dict, for save()
            self.tokenizer = Tokenizer.make(self.tokenizer).to_dict()
        self.hashfxn = extra["hashfxn"]
        self.null_word = int(extra["null_word"])
        self.layer1_size = self.vector_size
        self.wv = KeyedVectors(self.vector_size)
        self.syn1neg = None
        self.syn1 = None
        self.syn1softmax = None  # softmax=1: one output row per word
        self.cum_table = None   # gensim's noise table: made with the vocabulary (see _prepare_tables)
        self.corpus_count = 0
        self.corpus_total_words = 0
        self.effective_min_count = self.min_count
        self.min_alpha_yet_reached = float(self.alpha)
        self.epoch_losses = []
        self.running_training_loss = 0.0
        self.train_count = 0
        self.total_train_time = 0.0
        self.last_training = {}
        self._raw = None        # the last scan's (words, counts), or a dict given as raw_vocab
        self._pending = None
        self._tables_of = None  # what the sampling tables were made from (see _ensure_trainable)
        self._resume = None     # an unfinished train() call, from a checkpoint: see resume()
        if sentences is not None or corpus_file is not None:
            self.build_vocab(sentences, corpus_file, trim_rule=extra["trim_rule"])
            self.train(sentences, corpus_file)
        elif extra["trim_rule"] is not None:
            logger.warning("trim_rule is only used while a vocabulary is built; Word2Vec() was given no corpus, "
                           "so it is ignored: pass it to build_vocab() instead")

    # -- parameters -------------------------------------------------------------------------
    def params(self):
        """The model's parameters as a dict with gensim's names."""
        return {name: getattr(self, name) for name in params_mod.NAMES}

    def _check_params(self):
        """Validate the parameters as they are now (they may have been changed since __init__)."""
        validate(self.params())

    def __repr__(self):
        mode = "skip-gram" if self.sg else "CBOW"
        loss = " + ".join(x for x in (("hs" if self.hs else ""), (f"negative={self.negative}" if self.negative else ""),
                                      ("softmax" if self.softmax else "")) if x)
        return f"Word2Vec<{mode}, {loss}, vocab={len(self.wv)}, vector_size={self.vector_size}, window={self.window}>"

    # -- vocabulary -------------------------------------------------------------------------
    def build_vocab(self, corpus_iterable=None, corpus_file=None, update=False, progress_per=10000,
                    keep_raw_vocab=False, trim_rule=None, progress=None, **kwargs):
        """Read the corpus once, count words and choose the vocabulary (gensim's ``build_vocab``).

        ``trim_rule(word, count, min_count)`` may answer ``w2v.utils.RULE_KEEP`` or ``RULE_DISCARD``
        for a word (``RULE_DEFAULT``: the usual ``count >= min_count``); it is called once per
        distinct word and not kept.  ``update=True`` adds the new corpus's words (those reaching
        ``min_count`` in it) to a trained model and adds its counts to the known words, keeping the
        trained vectors.  ``keep_raw_vocab=True`` keeps every counted word in ``raw_vocab``; other
        keyword arguments (``min_count``, ``sample``, ``dry_run``) go to :meth:`prepare_vocab`.
        ``progress_per`` is accepted for gensim's sake (w2v shows a progress bar instead).
        """
        unknown = set(kwargs) - {"min_count", "sample", "dry_run"}
        if unknown:
            raise TypeError(f"build_vocab() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        self._check_params()
        params_mod.check_memory(self.params(), 1)   # sizes that cannot fit even one word fail before the scan
        total_words, corpus_count = self.scan_vocab(corpus_iterable, corpus_file, progress_per, trim_rule=trim_rule,
                                                    progress=progress)
        self.corpus_count = corpus_count
        self.corpus_total_words = total_words
        report = self.prepare_vocab(update=update, keep_raw_vocab=keep_raw_vocab, trim_rule=trim_rule, **kwargs)
        report["memory"] = self.estimate_memory(vocab_size=report["num_retained_words"])

    def scan_vocab(self, corpus_iterable=None, corpus_file=None, progress_per=10000, workers=None, trim_rule=None,
                   progress=None):
        """Count the words of a corpus into ``raw_vocab`` (nothing else changes).  Returns
        (total words, sentences), as gensim.  ``max_vocab_size`` prunes while counting;
        ``trim_rule`` is consulted there.  ``progress_per`` and ``workers`` are accepted for gensim's sake."""
        _check_corpus(corpus_iterable, corpus_file)
        progress = self.progress if progress is None else progress
        scan = self._scan(corpus_file, corpus_iterable, self.max_vocab_size, progress, trim_rule=trim_rule)
        self._raw = scan.vocabulary()
        self._pending = (corpus_iterable if corpus_iterable is not None else corpus_file, scan)
        logger.info("collected %i word types from a corpus of %i raw words and %i sentences",
                    len(self._raw[0]), scan.total_words, scan.sentence_count)
        return scan.total_words, scan.sentence_count

    @property
    def raw_vocab(self):
        """Every word counted by the last scan and its count (a dict, as gensim's); emptied by
        :meth:`prepare_vocab` unless ``keep_raw_vocab=True``."""
        if not isinstance(self._raw, dict):
            words, counts = self._raw if self._raw is not None else ([], [])
            self._raw = collections.defaultdict(int, zip(words, np.asarray(counts).tolist()))
        return self._raw

    @raw_vocab.setter
    def raw_vocab(self, value):
        self._raw = value

    def _raw_arrays(self):
        if isinstance(self._raw, dict):
            return list(self._raw.keys()), np.fromiter(self._raw.values(), np.int64, len(self._raw))
        if self._raw is None:
            return [], np.zeros(0, np.int64)
        return self._raw

    def build_vocab_from_freq(self, word_freq, keep_raw_vocab=False, corpus_count=None, trim_rule=None,
                              update=False):
        """Build the vocabulary from a dict of word counts instead of a corpus (gensim's)."""
        self._check_params()
        self.corpus_count = corpus_count or 0
        self._raw = dict(word_freq)
        logger.info("collected %i unique word types, with total frequency of %i",
                    len(self._raw), sum(self._raw.values()))
        self._pending = None
        report = self.prepare_vocab(update=update, keep_raw_vocab=keep_raw_vocab, trim_rule=trim_rule)
        report["memory"] = self.estimate_memory(vocab_size=report["num_retained_words"])

    def prepare_vocab(self, update=False, keep_raw_vocab=False, trim_rule=None, min_count=None, sample=None,
                      dry_run=False):
        """Choose the vocabulary from ``raw_vocab`` with ``min_count`` (and ``max_final_vocab``,
        ``trim_rule``) and prepare subsampling; then set up the vectors (gensim's ``prepare_vocab``
        and ``prepare_weights`` in one).  ``dry_run=True`` changes nothing and only reports.

        Returns gensim's report: ``drop_unique`` (distinct words dropped), ``retain_total`` (the
        occurrences of the words kept), ``downsample_unique`` (words subsampling thins out),
        ``downsample_total`` (expected occurrences left after subsampling), ``num_retained_words``.
        """
        min_count = min_count or self.min_count
        sample = sample or self.sample
        words, counts = self._raw_arrays()
        self.effective_min_count = vocab.effective_min_count(counts, min_count, self.max_final_vocab)
        keep = keep_mask(words, counts, self.effective_min_count, trim_rule)
        if update:
            if not len(self.wv):
                raise ModelStateError("build_vocab(update=True) needs a model that already has a vocabulary")
            known = np.fromiter(map(self.wv.key_to_index.get, words, itertools.repeat(-1)), np.int64, len(words))
        else:
            known = np.full(len(words), -1, np.int64)
        retained = counts[keep]
        retain_total = int(retained.sum())
        p = vocab.keep_probabilities(retained, sample) if retain_total else np.ones(0)
        report = {"drop_unique": int(np.count_nonzero(~keep)), "retain_total": retain_total,
                  "downsample_unique": int(np.count_nonzero(p < 1.0)),
                  "downsample_total": int(np.sum(p * retained)), "num_retained_words": int(np.count_nonzero(keep))}
        logger.info("min_count=%i (effective %i) retains %i unique words, %i word occurrences; sample=%g "
                    "downsamples %i most-common words", min_count, self.effective_min_count,
                    report["num_retained_words"], retain_total, sample, report["downsample_unique"])
        if dry_run:
            return report
        if not update:
            self.min_count = min_count
            self.sample = sample
            if not np.any(keep):
                vocab.select(words, counts, self.effective_min_count, trim_rule=trim_rule)   # raises, saying why
            chosen = np.flatnonzero(keep)
            new_words = [str(words[i]) for i in chosen.tolist()]
            new_counts = counts[chosen]
            if self.null_word:   # gensim's padding word: never a centre word, count 1
                new_words.append("\0")
                new_counts = np.append(new_counts, 1)
            if self.sorted_vocab:
                order = np.argsort(-new_counts, kind="stable")
                new_words = [new_words[i] for i in order.tolist()]
                new_counts = new_counts[order]
            params_mod.check_memory(self.params(), len(new_words))
            self.wv.set_vectors(new_words, np.zeros((len(new_words), self.vector_size), np.float32), new_counts)
            self.syn1neg = self.syn1 = self.syn1softmax = None
            self.init_weights()
        else:
            self._update_vocab(words, counts, known, keep)
        if not keep_raw_vocab:
            self._raw = None
        self._prepare_tables()
        return report

    def _scan(self, corpus_file, corpus_iterable, max_vocab_size, progress, trim_rule=None):
        """Read the corpus once (with the tokenizer), and join phrases in its ids when asked."""
        if getattr(self, "client", None) is not None:   # the workers count their shards; merged here
            from .train.dask import check_model, scan_shards

            check_model(self, corpus_iterable)
            return scan_shards(self.client, corpus_file, self.unicode_errors, self.tokenizer, max_vocab_size,
                               trim_rule, progress)
        scan = corpus_mod.scan(corpus_file, corpus_iterable, self.unicode_errors, max_vocab_size, progress,
                               tokenizer=self.tokenizer, trim_rule=trim_rule)
        if self.phrases and scan.total_words:
            from .phrases import phrase_scan

            scan = phrase_scan(scan, self.phrases)
            self.phrase_models = scan.phrase_models
        return scan

    def _update_vocab(self, words, counts, known, keep):
        old_counts = self.wv.counts.copy()
        seen = known >= 0
        np.add.at(old_counts, known[seen], counts[seen])
        fresh = np.flatnonzero(~seen & keep)
        fresh = fresh[np.argsort(-counts[fresh], kind="stable")]
        new_words = [str(words[i]) for i in fresh.tolist()]
        params_mod.check_memory(self.params(), len(self.wv) + len(new_words))
        vectors = np.vstack([self.wv.vectors, np.zeros((len(new_words), self.vector_size), np.float32)])
        n_old = len(self.wv)
        lockf = getattr(self.wv, "vectors_lockf", None)
        self.wv.set_vectors(self.wv.index_to_key + new_words, vectors, np.concatenate([old_counts, counts[fresh]]))
        if lockf is not None and np.size(lockf) == n_old:   # new words start free to move
            self.wv.vectors_lockf = np.concatenate([np.asarray(lockf, np.float32),
                                                    np.ones(len(new_words), np.float32)])
        self.update_weights(n_old)

    def prepare_weights(self, update=False):
        """gensim's step after :meth:`prepare_vocab`; w2v's ``prepare_vocab`` has done it already,
        so this only makes sure every matrix has a row per word."""
        if not update and self.wv.vectors.shape != (len(self.wv), self.vector_size):
            self.init_weights()
        else:
            self.update_weights()

    def init_weights(self):
        """Fresh random input vectors (seeded by ``seed``) and zero output matrices for the vocabulary."""
        n = len(self.wv)
        syn0 = self._initial_vectors(np.random.default_rng(self.seed), n)
        self.wv.set_vectors(list(self.wv.index_to_key), syn0, self.wv.counts)
        self.syn1neg = np.zeros_like(syn0) if self.negative else None
        self.syn1 = np.zeros_like(syn0) if self.hs else None
        self.syn1softmax = np.zeros_like(syn0) if self.softmax else None

    def update_weights(self, n_old=None):
        """Give words added since the matrices were made (from row ``n_old`` on) their rows:
        random input vectors, zero output rows; the trained rows are kept."""
        n = len(self.wv)
        if n_old is None:
            n_old = min(len(self.wv.vectors), n)
        vectors = self.wv.vectors
        if n_old < n:
            added = self._initial_vectors(np.random.default_rng(mix(self.seed, n_old)), n - n_old)
            vectors = np.ascontiguousarray(np.vstack([vectors[:n_old], added]), dtype=np.float32)
            self.wv.set_vectors(list(self.wv.index_to_key), vectors, self.wv.counts)

        def grown(matrix):
            if matrix is None:
                return np.zeros((n, self.vector_size), np.float32)
            matrix = np.asarray(matrix, dtype=np.float32)
            if len(matrix) < n:
                matrix = np.vstack([matrix, np.zeros((n - len(matrix), self.vector_size), np.float32)])
            return matrix

        self.syn1neg = grown(self.syn1neg) if self.negative else self.syn1neg
        self.syn1 = grown(self.syn1) if self.hs else self.syn1
        self.syn1softmax = grown(self.syn1softmax) if self.softmax else self.syn1softmax

    def _initial_vectors(self, rng, n):
        """Starting vectors for n new words: uniform in [-1/d, 1/d), as gensim 4."""
        return (rng.random((n, self.vector_size), dtype=np.float32) * 2 - 1) / self.vector_size

    def _tables_key(self):
        counts = self.wv.counts
        return (id(self.wv), id(counts), len(self.wv), int(np.sum(counts)), self.sample, self.negative,
                self.ns_exponent, self.hs)

    def _ensure_trainable(self):
        """Make a model whose vocabulary or vectors were given by hand (``model.wv = ...``,
        ``wv.add_vectors``, ``build_vocab_from_freq``) ready to train, or say clearly why it cannot be."""
        if not isinstance(self.wv, KeyedVectors):
            raise TypeError(f"model.wv must be a w2v.KeyedVectors, not {type(self.wv).__module__}."
                            f"{type(self.wv).__name__}; convert it with w2v.KeyedVectors.load(...) or "
                            "add its vectors with model.wv.add_vectors(keys, vectors)")
        n = len(self.wv)
        if not n:
            raise ModelStateError("the model has no vocabulary yet: call build_vocab() first "
                                  "(or pass a corpus to Word2Vec())")
        params_mod.check_softmax_vocabulary(self.params(), n)   # softmax switched on after build_vocab
        if self.wv.vector_size != self.vector_size:
            raise params_mod.ParameterError(f"model.wv holds {self.wv.vector_size}-dimensional vectors but the model's "
                                            f"vector_size is {self.vector_size}")
        vectors = self.wv.vectors
        if vectors.shape != (n, self.vector_size):
            raise ValueError(f"model.wv has {n} keys but its vectors have shape {vectors.shape}")
        counts = np.asarray(self.wv.counts)
        if counts.shape != (n,) or counts.sum() <= 0:
            raise ModelStateError("the vocabulary has no word counts, which subsampling and negative sampling need: "
                                  "set them with model.wv.set_vecattr(word, 'count', n) or build the vocabulary "
                                  "with build_vocab() / build_vocab_from_freq()")
        if vectors.flags.writeable and (vectors.dtype != np.float32 or not vectors.flags.c_contiguous):
            self.wv.set_vectors(list(self.wv.index_to_key), np.ascontiguousarray(vectors, np.float32), counts)
        self.update_weights()
        if self._tables_of != self._tables_key():
            self._prepare_tables()

    def _prepare_tables(self):
        counts = self.wv.counts
        self._keep = vocab.thresholds(vocab.keep_probabilities(counts, self.sample))
        if self.negative:
            self._neg_accept, self._neg_alias = vocab.alias_table(vocab.noise_probabilities(counts, self.ns_exponent))
        else:
            self._neg_accept, self._neg_alias = np.ones(1, np.uint64), np.zeros(1, np.int32)
        self.cum_table = self.make_cum_table() if self.negative else None   # gensim's table, for code reading it
        attrs = self.wv.__dict__.setdefault("_attrs", {})
        if self.hs:
            self._points, self._codes, self._code_lengths = vocab.huffman_tree(counts)
            # gensim's per-word "code" and "point" attributes: views of the tables the kernels use
            attrs["code"], attrs["point"] = vocab.paths_per_word(self._points, self._codes, self._code_lengths)
        else:
            self._points = np.zeros((1, 0), np.int32)
            self._codes = np.zeros((1, 0), np.uint8)
            self._code_lengths = np.zeros(1, np.int32)
            attrs.pop("code", None)
            attrs.pop("point", None)
        self._tables_of = self._tables_key()

    # -- training ---------------------------------------------------------------------------
    def train(self, corpus_iterable=None, corpus_file=None, total_examples=None, total_words=None,
              epochs=None, start_alpha=None, end_alpha=None, word_count=0, queue_factor=2, report_delay=1.0,
              compute_loss=None, callbacks=None, progress=None, checkpoint_every=None, checkpoint_path=None,
              executor=None, **kwargs):
        """Train on a corpus (words outside the vocabulary are skipped).

        ``epochs`` defaults to the model's; the learning rate falls linearly from
        ``start_alpha`` (``alpha``) to ``end_alpha`` (``min_alpha``) over all of them.
        ``total_examples``/``total_words`` are not needed (the corpus is counted as it is read);
        when given and different from what was read, gensim's warning is logged.  ``word_count``,
        ``queue_factor`` and ``report_delay`` are accepted for gensim's sake (w2v has no job queue).
        ``checkpoint_every=N`` with ``checkpoint_path`` saves the full model there (atomically)
        after every N epochs; ``Word2Vec.load(checkpoint_path).resume(corpus)`` finishes the run.
        ``executor`` runs the epochs' jobs (default: ``w2v.train.ThreadExecutor(workers)``; see
        :mod:`w2v.train` for the contract).
        Returns (words trained after subsampling, raw words read).
        """
        if kwargs:
            raise TypeError(f"train() got unexpected keyword arguments: {', '.join(sorted(kwargs))}")
        self._ensure_trainable()
        self._check_params()
        _check_corpus(corpus_iterable, corpus_file)
        epochs = self.epochs if epochs is None else epochs
        params_mod.check("epochs", epochs)
        run = {"epochs": int(epochs), "done": 0, "trained": 0,
               "start_alpha": float(self.alpha if start_alpha is None else start_alpha),
               "end_alpha": float(self.min_alpha if end_alpha is None else end_alpha),
               "compute_loss": bool(self.compute_loss if compute_loss is None else compute_loss)}
        params_mod.check("alpha", run["start_alpha"])
        params_mod.check("min_alpha", run["end_alpha"])
        if self.hs and self.negative:
            logger.warning("Both hierarchical softmax and negative sampling are activated. This is probably a "
                           "mistake (hs=1, negative=%i): set hs=0 or negative=0 to use one of them", self.negative)
        if run["start_alpha"] > self.min_alpha_yet_reached:
            logger.warning("Effective 'alpha' higher than previous training cycles (start_alpha=%g, the last "
                           "cycle ended at %g)", run["start_alpha"], self.min_alpha_yet_reached)
        self._expected_totals = (total_examples, total_words)
        self.epoch_losses = []
        self.running_training_loss = 0.0
        return self._run(corpus_iterable, corpus_file, run, callbacks, progress, checkpoint_every, checkpoint_path,
                         executor)

    def resume(self, corpus_iterable=None, corpus_file=None, callbacks=None, progress=None,
               checkpoint_every=None, checkpoint_path=None, executor=None):
        """Finish the ``train()`` call a checkpoint was saved in, on the same corpus.

        The remaining epochs run with the learning rates, sentence orders and seeds the
        uninterrupted run would have used, so with ``workers=1`` the vectors are bit-identical
        to it.  Returns what that ``train()`` call would have (words trained, raw words read).
        """
        if self._resume is None:
            raise ValueError("this model holds no unfinished training run: resume() needs a model saved by "
                             "train(..., checkpoint_every=N, checkpoint_path=...)")
        self._check_params()
        return self._run(corpus_iterable, corpus_file, dict(self._resume), callbacks, progress,
                         checkpoint_every, checkpoint_path, executor)

    def _encoded(self, corpus_iterable, corpus_file, progress):
        source = corpus_iterable if corpus_iterable is not None else corpus_file
        if self._pending is not None and _same_corpus(self._pending[0], source):
            scan = self._pending[1]
        else:
            scan = self._scan(corpus_file, corpus_iterable, None, progress)
        self._pending = None
        return scan.encode(self.wv.key_to_index)

    def _run(self, corpus_iterable, corpus_file, run, callbacks, progress, checkpoint_every, checkpoint_path,
             executor=None):
        callbacks = self.callbacks if callbacks is None else tuple(callbacks)
        progress = self.progress if progress is None else progress
        if checkpoint_every is not None:
            params_mod.check("epochs", checkpoint_every)   # a whole number >= 0, as epochs
            if checkpoint_path is None:
                raise ValueError("checkpoint_every needs checkpoint_path: where to save the checkpoints")
        if executor is None and getattr(self, "client", None) is not None:
            from .train.dask import DaskExecutor

            executor = DaskExecutor(self.client)
        if getattr(executor, "reads_corpus", False):   # a cluster: its workers read the corpus, not this process
            source = corpus_iterable if corpus_iterable is not None else corpus_file
            scan = self._pending[1] if self._pending is not None and _same_corpus(self._pending[0], source) else None
            self._pending = None
            state, schedule = executor.plan_corpus(self, corpus_iterable, corpus_file, run, scan)
        else:
            ids, offsets, raw_lengths = self._encoded(corpus_iterable, corpus_file, progress)
            self._warn_totals(raw_lengths)
            state = state_of(self, ids, offsets, run["compute_loss"])
            schedule = Schedule(offsets, raw_lengths, epochs=run["epochs"], start_alpha=run["start_alpha"],
                                end_alpha=run["end_alpha"], seed=self.seed, train_count=self.train_count,
                                batch_words=self.batch_words)
            executor = ThreadExecutor(self.workers) if executor is None else executor

        def checkpoint(done, trained):
            self._resume = {**run, "done": done, "trained": trained}
            try:
                self.save(checkpoint_path)
            finally:
                self._resume = None

        stats = run_training(self, state, schedule, executor, callbacks=callbacks, progress=progress,
                             first_epoch=run["done"], trained=run["trained"],
                             checkpoint=checkpoint if checkpoint_every else None, checkpoint_every=checkpoint_every)
        self._resume = None
        elapsed = stats["seconds"]
        raw = schedule.total_raw - run["done"] * schedule.epoch_raw
        if schedule.total_raw:
            self.min_alpha_yet_reached = run["end_alpha"]
        self.train_count += 1
        self.total_train_time += elapsed
        self.last_training = {"epochs": run["epochs"], "seconds": elapsed, "raw_words": schedule.total_raw,
                              "effective_words": stats["effective_words"],
                              "words_per_second": raw / elapsed if elapsed else 0.0,
                              "compile_seconds": stats["compile_seconds"],
                              "epoch_losses": list(self.epoch_losses)}
        if getattr(executor, "stats", None):
            self.last_training["cluster"] = dict(executor.stats)
        call(callbacks, "on_train_end", self)
        return stats["effective_words"], schedule.total_raw

    def _warn_totals(self, raw_lengths):
        """gensim's warnings when the corpus given to train() is not what the caller said it is."""
        total_examples, total_words = getattr(self, "_expected_totals", (None, None))
        self._expected_totals = (None, None)
        if len(raw_lengths) == 0 and self.train_count == 0:
            logger.warning("train() called with an empty iterator (if not intended, be sure to provide a corpus "
                           "that offers restartable iteration = an iterable).")
        if total_examples and total_examples != len(raw_lengths):
            logger.warning("supplied example count (%i) did not equal the sentences read (%i)", total_examples,
                           len(raw_lengths))
        read = int(np.sum(raw_lengths))
        if total_words and total_words != read:
            logger.warning("supplied raw word count (%i) did not equal the words read (%i)", total_words, read)

    def get_latest_training_loss(self):
        """The summed loss of the last ``train()`` call (float64; needs ``compute_loss=True``)."""
        return self.running_training_loss

    # -- using a trained model -------------------------------------------------------------
    def predict_output_word(self, context_words_list, topn=10):
        """The ``topn`` most probable centre words given context words (str keys or int indices),
        as gensim: softmax over ``syn1neg`` of the context vectors' mean (``cbow_mean``) or sum.
        Returns a list of (word, probability), or None (with gensim's warning) when no context
        word is known.  Needs a negative-sampling model, or a full-softmax one (``softmax=1``: its
        own output layer ``syn1softmax``, whose softmax is the distribution it was trained on)."""
        if self.negative:
            output = self.syn1neg
        elif self.softmax:
            output = self.syn1softmax
        else:
            raise ModelStateError("predict_output_word needs a negative-sampling model (negative > 0) or a "
                                  "full-softmax one (softmax=1); this one has negative=0")
        if output is None or not len(self.wv):
            raise ModelStateError("predict_output_word needs a trained model: build the vocabulary and train first")
        rows = [self.wv.get_index(w) for w in context_words_list if w in self.wv]
        if not rows:
            logger.warning("All the input context words are out-of-vocabulary for the current model.")
            return None
        hidden = np.sum(self.wv.vectors[rows], axis=0, dtype=np.float32)
        if self.cbow_mean:
            hidden /= np.float32(len(rows))
        logits = np.asarray(output, dtype=np.float32) @ hidden
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        best = np.argsort(-probabilities, kind="stable")[:topn]
        return [(self.wv.index_to_key[i], probabilities[i]) for i in best.tolist()]

    def score(self, sentences, total_sentences=int(1e6), chunksize=100, queue_factor=2, report_delay=1):
        """The log-likelihood of each sentence under the model (gensim's ``score``; needs ``hs=1``):
        a float32 array, one value per sentence, for at most ``total_sentences`` sentences.
        Words outside the vocabulary are left out; see :mod:`w2v.kernels.score` for the formula.
        ``chunksize``, ``queue_factor`` and ``report_delay`` are accepted for gensim's sake."""
        from .kernels.score import score_sentences

        if not len(self.wv):
            raise ModelStateError("you must first build vocabulary before scoring new data")
        if not self.hs or self.syn1 is None:
            raise ModelStateError("score needs a hierarchical-softmax model (hs=1): it scores sentences by the "
                                  "Huffman tree's probabilities")
        if self._tables_of != self._tables_key():
            self._prepare_tables()
        ids, offsets = self._known_ids(sentences, int(total_sentences))
        n = len(offsets) - 1
        out = np.zeros(n, np.float64)
        args = (np.asarray(self.wv.vectors, np.float32), np.asarray(self.syn1, np.float32), self._points,
                self._codes, self._code_lengths, bool(self.sg), int(self.window), bool(self.cbow_mean), out)
        workers = min(self.workers, max(1, n // 1000))
        if workers <= 1:
            score_sentences(ids, offsets, 0, n, *args)
        else:
            from concurrent.futures import ThreadPoolExecutor

            cuts = np.linspace(0, n, workers + 1).astype(np.int64)
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(lambda k: score_sentences(ids, offsets, int(cuts[k]), int(cuts[k + 1]), *args),
                              range(workers)))
        return out.astype(np.float32)

    def _known_ids(self, sentences, limit):
        """The first ``limit`` sentences as the ids of their known words: (ids, sentence offsets)."""
        if isinstance(sentences, (str, bytes)):
            raise CorpusTypeError("sentences must be an iterable of token lists, not a single string")
        iterator = iter(sentences)
        batch = list(itertools.islice(iterator, limit))
        if next(iterator, None) is not None:
            logger.warning("terminating after %i sentences (set higher total_sentences if you want more).", limit)
        if any(map(isinstance, batch, itertools.repeat((str, bytes)))):
            raise CorpusTypeError("each sentence must be a list of tokens, not a string (e.g. line.split())")
        lengths = np.fromiter(map(len, batch), np.int64, len(batch))
        ids = np.fromiter(map(self.wv.key_to_index.get, itertools.chain.from_iterable(batch), itertools.repeat(-1)),
                          np.int64, int(lengths.sum()))
        known = ids >= 0
        kept = np.bincount(np.repeat(np.arange(len(batch)), lengths)[known], minlength=len(batch))
        offsets = np.zeros(len(batch) + 1, np.int64)
        np.cumsum(kept, out=offsets[1:])
        return ids[known].astype(np.int32), offsets

    def reset_from(self, other_model):
        """Take ``other_model``'s vocabulary (words, counts, the sampling tables) and corpus size,
        with fresh random vectors — to train several models on one corpus (gensim's ``reset_from``;
        w2v copies the vocabulary rather than sharing it)."""
        self.wv = KeyedVectors(self.vector_size)
        self.wv.set_vectors(list(other_model.wv.index_to_key),
                            np.zeros((len(other_model.wv), self.vector_size), np.float32),
                            np.array(other_model.wv.counts, np.int64))
        self.corpus_count = other_model.corpus_count
        self.corpus_total_words = other_model.corpus_total_words
        self.syn1neg = self.syn1 = self.syn1softmax = None
        self.init_weights()
        self._prepare_tables()

    def estimate_memory(self, vocab_size=None, report=None):
        """Bytes the model needs for ``vocab_size`` words (default: its vocabulary), by gensim's keys:
        ``vocab`` (the vocabulary; the same rough per-word figure as gensim), ``vectors``, ``syn1``
        (hs), ``syn1neg`` (negative sampling) and ``total``."""
        vocab_size = vocab_size or len(self.wv)
        report = report or {}
        row = vocab_size * self.vector_size * np.dtype(np.float32).itemsize
        report["vocab"] = vocab_size * (700 if self.hs else 500)
        report["vectors"] = row
        if self.hs:
            report["syn1"] = row
        if self.negative:
            report["syn1neg"] = row
        if self.softmax:
            report["syn1softmax"] = row
        report["total"] = sum(v for k, v in report.items() if k != "total")
        logger.info("estimated required memory for %i words and %i dimensions: %i bytes", vocab_size,
                    self.vector_size, report["total"])
        return report

    def make_cum_table(self, domain=2**31 - 1):
        """gensim's cumulative table of the noise distribution (``cum_table``, uint32 up to ``domain``).
        w2v's kernels draw negatives from an alias table instead; this is for code that reads it."""
        weights = np.asarray(self.wv.counts, np.float64) ** float(self.ns_exponent)
        self.cum_table = np.round(np.cumsum(weights) / max(weights.sum(), 1e-300) * domain).astype(np.uint32)
        return self.cum_table

    def create_binary_tree(self):
        """(Re)build the Huffman tree hierarchical softmax uses, from the current counts."""
        self._prepare_tables()

    def add_null_word(self):
        """Add gensim's padding word ``"\\0"`` (count 1, a vector of its own) at the end of the vocabulary."""
        if "\0" in self.wv:
            return
        n_old = len(self.wv)
        self.wv.set_vectors(list(self.wv.index_to_key) + ["\0"],
                            np.vstack([self.wv.vectors, np.zeros((1, self.vector_size), np.float32)]),
                            np.append(self.wv.counts, 1))
        self.update_weights(n_old)
        self._prepare_tables()

    def seeded_vector(self, seed_string, vector_size):
        """A random vector (uniform in [-1/d, 1/d)) seeded by ``hashfxn(seed_string)``, as gensim's."""
        rng = np.random.default_rng(self.hashfxn(seed_string) & 0xFFFFFFFF)
        return ((rng.random(vector_size) * 2 - 1) / vector_size).astype(np.float32)

    def init_sims(self, replace=False):
        """Obsolete in gensim 4 too: fills the cached unit vectors; ``replace=True`` normalises
        the vectors themselves (the trained lengths are lost)."""
        if replace:
            self.wv.unit_normalize_all()
        else:
            self.wv.fill_norms()

    def add_lifecycle_event(self, event_name, log_level=logging.INFO, **event):
        """Record an event in ``lifecycle_events`` and log it, as gensim's models do."""
        event = {**event, "event": event_name}
        self.__dict__.setdefault("lifecycle_events", []).append(event)
        if log_level:
            logger.log(log_level, "%s lifecycle event %s", type(self).__name__, event)

    def __str__(self):
        return f"{type(self).__name__}<vocab={len(self.wv)}, vector_size={self.vector_size}, alpha={self.alpha}>"

    # -- saving -----------------------------------------------------------------------------
    def save(self, fname_or_handle, separately=None, sep_limit=10 * 1024**2, ignore=frozenset(), pickle_protocol=4):
        """Save the full model (parameters, vocabulary with counts, both matrices) atomically.

        The file is w2v's native format (not a pickle); its vectors can be memory-mapped with
        ``load(mmap="r")``.  ``fname_or_handle`` is a path or a binary file object.  gensim's
        ``separately``, ``sep_limit`` and ``pickle_protocol`` choose how gensim pickles; they have
        no effect here (every array is stored apart and mappable anyway).  ``ignore`` may name
        ``"syn1neg"``, ``"syn1"`` or ``"syn1softmax"`` to leave that matrix out (a model loaded
        without it trains it again from zero); other names are ignored.
        """
        if hasattr(fname_or_handle, "write"):
            with tempfile.TemporaryDirectory(prefix="w2v-save-") as folder:
                path = os.path.join(folder, "model.w2v")
                self.save(path, ignore=ignore)
                with open(path, "rb") as data:
                    shutil.copyfileobj(data, fname_or_handle)
            return
        path = fname_or_handle
        # No timings: with workers=1 and a seed, the same training saves the same bytes.
        meta = {"params": {k: getattr(self, k) for k in params_mod.SAVED}, "corpus_count": self.corpus_count,
                "corpus_total_words": self.corpus_total_words, "train_count": self.train_count, "w2v": 1}
        if self._resume is not None:
            meta["resume"] = {**self._resume, "epoch_losses": list(self.epoch_losses)}
        arrays = self.wv._native_arrays()
        if self.syn1neg is not None and "syn1neg" not in ignore:
            arrays["syn1neg"] = self.syn1neg
        if self.syn1 is not None and "syn1" not in ignore:
            arrays["syn1"] = self.syn1
        if self.syn1softmax is not None and "syn1softmax" not in ignore:
            arrays["syn1softmax"] = self.syn1softmax
        meta["null_word"] = self.null_word
        meta["min_alpha_yet_reached"] = self.min_alpha_yet_reached
        store.save(path, "model", meta, arrays)

    @classmethod
    def load(cls, path, mmap=None):
        """Load a model saved by :meth:`save` or by gensim's ``Word2Vec.save`` (3.x or 4.x; see
        :mod:`w2v.gensim_io`); ``mmap="r"`` maps the matrices read-only (query, not train)."""
        path = os.fspath(path)
        from . import gensim_io   # a model saved by gensim: the same contract, read from its pickle

        reader = store.load if store.is_native(path) or not gensim_io.is_gensim_pickle(path) else gensim_io.read
        kind, meta, arrays = reader(path, mmap=mmap)
        if kind != "model":
            raise NotAModelError(f"{path}: holds {kind!r}, not a full model; use w2v.load() to read vectors")
        params = dict(DEFAULTS)
        params.update(meta["params"])
        params.pop("callbacks", None)
        params.pop("progress", None)
        model = cls(**params)
        model.wv = KeyedVectors._from_native_arrays(arrays)
        model.syn1neg = arrays.get("syn1neg")
        model.syn1 = arrays.get("syn1")
        model.syn1softmax = arrays.get("syn1softmax")   # absent from files of the other modes
        model.corpus_count = meta.get("corpus_count", 0)
        model.corpus_total_words = meta.get("corpus_total_words", 0)
        model.train_count = meta.get("train_count", 0)
        model.null_word = meta.get("null_word", 0)
        model.min_alpha_yet_reached = meta.get("min_alpha_yet_reached", model.alpha)
        model.total_train_time = meta.get("total_train_time", 0.0)   # files saved before it was left out
        resume = meta.get("resume")
        if resume is not None:
            model.epoch_losses = list(resume.pop("epoch_losses", []))
            model.running_training_loss = float(sum(model.epoch_losses))
            model._resume = resume
        model._prepare_tables()
        return model


def _init_signature():
    """``Word2Vec(sentences=None, corpus_file=None, vector_size=100, ...)`` for help() and editors:
    gensim's parameters in gensim's positional order, then w2v's own (keyword-only), with the
    defaults from ``params.PARAMS`` so they stay written once."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    defaults = {**DEFAULTS, **_EXTRA}
    fixed = [inspect.Parameter("self", kind), inspect.Parameter("sentences", kind, default=None),
             inspect.Parameter("corpus_file", kind, default=None)]
    positional = [inspect.Parameter(name, kind, default=defaults[name]) for name in POSITIONAL]
    named = [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default)
             for p in params_mod.PARAMS if p.name not in POSITIONAL]
    return inspect.Signature(fixed + positional + named)


Word2Vec.__init__.__signature__ = _init_signature()
