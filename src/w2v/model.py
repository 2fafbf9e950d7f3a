"""Word2Vec: gensim's API over the training core — parameters, vocabulary, train(), save/load.

The names and defaults are gensim's (``params.py``), so switching is a matter of changing an
import.  The corpus is read once and encoded to integer ids; ``train()`` then assembles the
kernel's state (``train/state.py``), the epoch schedule (``train/schedule.py``) and an
executor (``train/threads.py``: threads on this machine) and runs the epoch loop
(``train/loop.py``).
"""
import inspect
import itertools
import os

import numpy as np

from . import corpus as corpus_mod
from . import params as params_mod
from . import store, vocab
from .errors import FormatError
from .train.loop import call, run_training
from .train.schedule import Schedule, mix
from .train.state import state_of
from .train.threads import ThreadExecutor
from .vectors import KeyedVectors

#: gensim's Word2Vec parameters (and w2v's own last ones), with their defaults (see ``params.py``).
DEFAULTS = params_mod.DEFAULTS
validate = params_mod.validate


def _same_corpus(scanned, source):
    """Whether ``source`` is the corpus build_vocab just read: the same object, or the same path."""
    if source is None:
        return False
    if scanned is source:
        return True
    paths = (str, bytes, os.PathLike)
    return isinstance(scanned, paths) and isinstance(source, paths) and os.fspath(scanned) == os.fspath(source)


class Word2Vec:
    """Learn word vectors from text (skip-gram or CBOW; negative sampling or hierarchical softmax).

    Give ``sentences`` (a re-iterable of token lists; a one-shot generator works too, it is
    read once) or ``corpus_file`` (a path to a text file — plain, .gz, .bz2, .xz — a folder of
    them, or ``"-"`` for stdin; one sentence per line) to build the vocabulary and train at once.
    ``progress`` shows a bar on stderr (None: only when stderr is a terminal).
    """

    def __init__(self, sentences=None, corpus_file=None, **params):
        values = params_mod.merged(params)
        validate(values)
        for name, value in values.items():
            setattr(self, name, value)
        self.callbacks = tuple(self.callbacks)
        self.wv = KeyedVectors(self.vector_size)
        self.syn1neg = None
        self.syn1 = None
        self.corpus_count = 0
        self.corpus_total_words = 0
        self.epoch_losses = []
        self.running_training_loss = 0.0
        self.train_count = 0
        self.total_train_time = 0.0
        self.last_training = {}
        self._pending = None
        self._resume = None     # an unfinished train() call, from a checkpoint: see resume()
        if sentences is not None or corpus_file is not None:
            self.build_vocab(sentences, corpus_file)
            self.train(sentences, corpus_file)

    # -- parameters -------------------------------------------------------------------------
    def params(self):
        """The model's parameters as a dict with gensim's names."""
        return {name: getattr(self, name) for name in params_mod.NAMES}

    def _check_params(self):
        """Validate the parameters as they are now (they may have been changed since __init__)."""
        validate(self.params())

    def __repr__(self):
        mode = "skip-gram" if self.sg else "CBOW"
        loss = " + ".join(x for x in (("hs" if self.hs else ""), (f"negative={self.negative}" if self.negative else "")) if x)
        return f"Word2Vec<{mode}, {loss}, vocab={len(self.wv)}, vector_size={self.vector_size}, window={self.window}>"

    # -- vocabulary -------------------------------------------------------------------------
    def build_vocab(self, corpus_iterable=None, corpus_file=None, update=False, progress=None, **kwargs):
        """Read the corpus once, count words and choose the vocabulary.

        ``update=True`` adds the new corpus's words (those reaching ``min_count`` in it) to a
        trained model and adds its counts to the known words, keeping the trained vectors.
        """
        unknown = set(kwargs) - {"progress_per", "keep_raw_vocab", "trim_rule"}
        if unknown:
            raise TypeError(f"build_vocab() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        self._check_params()
        progress = self.progress if progress is None else progress
        scan = corpus_mod.scan(corpus_file, corpus_iterable, self.unicode_errors, self.max_vocab_size, progress)
        words, counts = scan.vocabulary()
        if update:
            if not len(self.wv):
                raise ValueError("build_vocab(update=True) needs a model that already has a vocabulary")
            self._update_vocab(words, counts)
        else:
            words, counts = vocab.select(words, counts, self.min_count, self.max_final_vocab, self.sorted_vocab)
            params_mod.check_memory(self.params(), len(words))
            syn0 = self._initial_vectors(np.random.default_rng(self.seed), len(words))
            self.wv.set_vectors(words, syn0, counts)
            self.syn1neg = np.zeros_like(syn0) if self.negative else None
            self.syn1 = np.zeros_like(syn0) if self.hs else None
        self.corpus_count = scan.sentence_count
        self.corpus_total_words = scan.total_words
        self._pending = (corpus_iterable if corpus_iterable is not None else corpus_file, scan)
        self._prepare_tables()
        return self

    def _update_vocab(self, words, counts):
        known = np.fromiter(map(self.wv.key_to_index.get, words, itertools.repeat(-1)), dtype=np.int64,
                            count=len(words))
        old_counts = self.wv.counts.copy()
        np.add.at(old_counts, known[known >= 0], counts[known >= 0])
        fresh = np.flatnonzero((known < 0) & (counts >= self.min_count))
        fresh = fresh[np.argsort(-counts[fresh], kind="stable")]
        new_words = [words[i] for i in fresh.tolist()]
        n_old, n_new = len(self.wv), len(new_words)
        params_mod.check_memory(self.params(), n_old + n_new)
        added = self._initial_vectors(np.random.default_rng(mix(self.seed, n_old)), n_new)
        syn0 = np.vstack([self.wv.vectors, added])
        self.wv.set_vectors(self.wv.index_to_key + new_words, syn0, np.concatenate([old_counts, counts[fresh]]))
        zeros = np.zeros((n_new, self.vector_size), np.float32)
        if self.negative:
            self.syn1neg = np.vstack([self.syn1neg, zeros]) if self.syn1neg is not None else np.zeros_like(syn0)
        if self.hs:
            self.syn1 = np.vstack([self.syn1, zeros]) if self.syn1 is not None else np.zeros_like(syn0)

    def _initial_vectors(self, rng, n):
        """Starting vectors for n new words: uniform in [-1/d, 1/d), as gensim 4."""
        return (rng.random((n, self.vector_size), dtype=np.float32) * 2 - 1) / self.vector_size

    def _prepare_tables(self):
        counts = self.wv.counts
        self._keep = vocab.thresholds(vocab.keep_probabilities(counts, self.sample))
        if self.negative:
            self._neg_accept, self._neg_alias = vocab.alias_table(vocab.noise_probabilities(counts, self.ns_exponent))
        else:
            self._neg_accept, self._neg_alias = np.ones(1, np.uint64), np.zeros(1, np.int32)
        if self.hs:
            self._points, self._codes, self._code_lengths = vocab.huffman_tree(counts)
        else:
            self._points = np.zeros((1, 0), np.int32)
            self._codes = np.zeros((1, 0), np.uint8)
            self._code_lengths = np.zeros(1, np.int32)

    # -- training ---------------------------------------------------------------------------
    def train(self, corpus_iterable=None, corpus_file=None, total_examples=None, total_words=None,
              epochs=None, start_alpha=None, end_alpha=None, compute_loss=None, callbacks=None,
              progress=None, checkpoint_every=None, checkpoint_path=None, **kwargs):
        """Train on a corpus (words outside the vocabulary are skipped).

        ``epochs`` defaults to the model's; the learning rate falls linearly from
        ``start_alpha`` (``alpha``) to ``end_alpha`` (``min_alpha``) over all of them.
        ``total_examples``/``total_words`` are accepted for gensim compatibility and not needed.
        ``checkpoint_every=N`` with ``checkpoint_path`` saves the full model there (atomically)
        after every N epochs; ``Word2Vec.load(checkpoint_path).resume(corpus)`` finishes the run.
        Returns (words trained after subsampling, raw words read).
        """
        unknown = set(kwargs) - {"word_count", "queue_factor", "report_delay"}
        if unknown:
            raise TypeError(f"train() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        if not len(self.wv):
            raise ValueError("the model has no vocabulary yet: call build_vocab() first (or pass a corpus to Word2Vec())")
        self._check_params()
        epochs = self.epochs if epochs is None else epochs
        params_mod.check("epochs", epochs)
        run = {"epochs": int(epochs), "done": 0, "trained": 0,
               "start_alpha": float(self.alpha if start_alpha is None else start_alpha),
               "end_alpha": float(self.min_alpha if end_alpha is None else end_alpha),
               "compute_loss": bool(self.compute_loss if compute_loss is None else compute_loss)}
        params_mod.check("alpha", run["start_alpha"])
        params_mod.check("min_alpha", run["end_alpha"])
        self.epoch_losses = []
        self.running_training_loss = 0.0
        return self._run(corpus_iterable, corpus_file, run, callbacks, progress, checkpoint_every, checkpoint_path)

    def resume(self, corpus_iterable=None, corpus_file=None, callbacks=None, progress=None,
               checkpoint_every=None, checkpoint_path=None):
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
                         checkpoint_every, checkpoint_path)

    def _encoded(self, corpus_iterable, corpus_file, progress):
        source = corpus_iterable if corpus_iterable is not None else corpus_file
        if self._pending is not None and _same_corpus(self._pending[0], source):
            scan = self._pending[1]
        else:
            scan = corpus_mod.scan(corpus_file, corpus_iterable, self.unicode_errors, None, progress)
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
        ids, offsets, raw_lengths = self._encoded(corpus_iterable, corpus_file, progress)
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
        self.train_count += 1
        self.total_train_time += elapsed
        self.last_training = {"epochs": run["epochs"], "seconds": elapsed, "raw_words": schedule.total_raw,
                              "effective_words": stats["effective_words"],
                              "words_per_second": raw / elapsed if elapsed else 0.0,
                              "compile_seconds": stats["compile_seconds"],
                              "epoch_losses": list(self.epoch_losses)}
        call(callbacks, "on_train_end", self)
        return stats["effective_words"], schedule.total_raw

    def get_latest_training_loss(self):
        """The summed loss of the last ``train()`` call (float64; needs ``compute_loss=True``)."""
        return self.running_training_loss

    # -- saving -----------------------------------------------------------------------------
    def save(self, path):
        """Save the full model (parameters, vocabulary with counts, both matrices) atomically.

        The file is w2v's native format; its vectors can be memory-mapped with ``load(mmap="r")``.
        """
        # No timings: with workers=1 and a seed, the same training saves the same bytes.
        meta = {"params": {k: getattr(self, k) for k in params_mod.SAVED}, "corpus_count": self.corpus_count,
                "corpus_total_words": self.corpus_total_words, "train_count": self.train_count, "w2v": 1}
        if self._resume is not None:
            meta["resume"] = {**self._resume, "epoch_losses": list(self.epoch_losses)}
        arrays = self.wv._native_arrays()
        if self.syn1neg is not None:
            arrays["syn1neg"] = self.syn1neg
        if self.syn1 is not None:
            arrays["syn1"] = self.syn1
        store.save(path, "model", meta, arrays)

    @classmethod
    def load(cls, path, mmap=None):
        """Load a model saved by :meth:`save`; ``mmap="r"`` maps the matrices read-only (query, not train)."""
        path = os.fspath(path)
        kind, meta, arrays = store.load(path, mmap=mmap)
        if kind != "model":
            raise FormatError(f"{path}: holds {kind!r}, not a full model; use w2v.load() to read vectors")
        params = dict(DEFAULTS)
        params.update(meta["params"])
        params.pop("callbacks", None)
        params.pop("progress", None)
        model = cls(**params)
        model.wv = KeyedVectors._from_native_arrays(arrays)
        model.syn1neg = arrays.get("syn1neg")
        model.syn1 = arrays.get("syn1")
        model.corpus_count = meta.get("corpus_count", 0)
        model.corpus_total_words = meta.get("corpus_total_words", 0)
        model.train_count = meta.get("train_count", 0)
        model.total_train_time = meta.get("total_train_time", 0.0)   # files saved before it was left out
        resume = meta.get("resume")
        if resume is not None:
            model.epoch_losses = list(resume.pop("epoch_losses", []))
            model.running_training_loss = float(sum(model.epoch_losses))
            model._resume = resume
        model._prepare_tables()
        return model


def _init_signature():
    """``Word2Vec(sentences=None, corpus_file=None, *, vector_size=100, ...)`` for help() and editors,
    made from ``params.PARAMS`` so the defaults stay written once."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    fixed = [inspect.Parameter("self", kind), inspect.Parameter("sentences", kind, default=None),
             inspect.Parameter("corpus_file", kind, default=None)]
    named = [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default) for p in params_mod.PARAMS]
    return inspect.Signature(fixed + named)


Word2Vec.__init__.__signature__ = _init_signature()
