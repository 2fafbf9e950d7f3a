"""Word2Vec: parameters, vocabulary, the epoch loop (threads, progress, loss, callbacks), save/load.

The names and defaults are gensim's, so switching is a matter of changing an import.
The corpus is read once and encoded to integer ids; every epoch then runs in the
compiled kernel (``kernels/train.py``) on chunks of whole sentences ("jobs", cut from a
fresh shuffled sentence order each epoch), several at a time on ``workers`` threads.
"""
import itertools
import math
import os
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import numpy as np

from . import corpus as corpus_mod
from . import store, vocab
from .errors import FormatError
from .kernels.train import train_job
from .progress import progress_bar
from .vectors import KeyedVectors

#: gensim's Word2Vec parameters (and w2v's own last three), with their defaults.
DEFAULTS = {
    "vector_size": 100, "alpha": 0.025, "window": 5, "min_count": 5, "max_vocab_size": None,
    "sample": 1e-3, "seed": 1, "workers": 3, "min_alpha": 0.0001, "sg": 0, "hs": 0, "negative": 5,
    "ns_exponent": 0.75, "cbow_mean": 1, "epochs": 5, "sorted_vocab": 1, "batch_words": 10000,
    "compute_loss": False, "max_final_vocab": None, "shrink_windows": True, "comment": None,
    "callbacks": (), "progress": None, "unicode_errors": "strict",
}
_SAVED = [k for k in DEFAULTS if k not in ("callbacks", "progress")]


def validate(params):
    """Check a parameter dict; raise ValueError naming the first bad one."""
    def need(ok, name, what):
        if not ok:
            raise ValueError(f"{name} must be {what}, got {params[name]!r}")

    def whole(name, low, optional=False):
        value = params[name]
        if optional and value is None:
            return
        need(isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= low,
             name, f"a whole number >= {low}" + (" or None" if optional else ""))

    def number(name, low):
        value = params[name]
        need(isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
             and math.isfinite(value) and value >= low, name, f"a number >= {low}")

    whole("vector_size", 1)
    whole("window", 1)
    whole("min_count", 0)
    whole("max_vocab_size", 1, optional=True)
    whole("max_final_vocab", 1, optional=True)
    whole("workers", 1)
    whole("negative", 0)
    whole("epochs", 0)
    whole("batch_words", 1)
    whole("seed", 0)
    number("sample", 0)
    number("alpha", 0)
    number("min_alpha", 0)
    number("ns_exponent", -1e9)
    for flag in ("sg", "hs", "cbow_mean", "sorted_vocab"):
        need(params[flag] in (0, 1, True, False), flag, "0 or 1")
    if not params["hs"] and not params["negative"]:
        raise ValueError("nothing to train with: set negative > 0 (negative sampling) or hs=1 (hierarchical softmax)")
    need(params["unicode_errors"] in ("strict", "replace", "ignore"), "unicode_errors",
         "'strict', 'replace' or 'ignore'")


def _mix(*values):
    """A 64-bit seed from several integers (splitmix64 steps)."""
    x = 0x9E3779B97F4A7C15
    for v in values:
        x = (x ^ (int(v) & 0xFFFFFFFFFFFFFFFF)) & 0xFFFFFFFFFFFFFFFF
        x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 31
    return x or 1


def _same_corpus(scanned, source):
    """Whether ``source`` is the corpus build_vocab just read: the same object, or the same path."""
    if source is None:
        return False
    if scanned is source:
        return True
    paths = (str, bytes, os.PathLike)
    return isinstance(scanned, paths) and isinstance(source, paths) and os.fspath(scanned) == os.fspath(source)


def _call(callbacks, event, model):
    for cb in callbacks:
        method = getattr(cb, event, None)
        if method is not None:
            method(model)


class Word2Vec:
    """Learn word vectors from text (skip-gram or CBOW; negative sampling or hierarchical softmax).

    Give ``sentences`` (a re-iterable of token lists; a one-shot generator works too, it is
    read once) or ``corpus_file`` (a path to a text file — plain, .gz, .bz2, .xz — a folder of
    them, or ``"-"`` for stdin; one sentence per line) to build the vocabulary and train at once.
    ``progress`` shows a bar on stderr (None: only when stderr is a terminal).
    """

    def __init__(self, sentences=None, corpus_file=None, *, vector_size=100, alpha=0.025, window=5,
                 min_count=5, max_vocab_size=None, sample=1e-3, seed=1, workers=3, min_alpha=0.0001,
                 sg=0, hs=0, negative=5, ns_exponent=0.75, cbow_mean=1, epochs=5, sorted_vocab=1,
                 batch_words=10000, compute_loss=False, callbacks=(), max_final_vocab=None,
                 shrink_windows=True, comment=None, progress=None, unicode_errors="strict"):
        params = dict(locals())
        del params["self"], params["sentences"], params["corpus_file"]
        validate(params)
        for name, value in params.items():
            setattr(self, name, value)
        self.callbacks = tuple(callbacks)
        self.wv = KeyedVectors(vector_size)
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
        if sentences is not None or corpus_file is not None:
            self.build_vocab(sentences, corpus_file)
            self.train(sentences, corpus_file)

    # -- parameters -------------------------------------------------------------------------
    def params(self):
        """The model's parameters as a dict with gensim's names."""
        return {name: getattr(self, name) for name in DEFAULTS}

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
        progress = self.progress if progress is None else progress
        scan = corpus_mod.scan(corpus_file, corpus_iterable, self.unicode_errors, self.max_vocab_size, progress)
        words, counts = scan.vocabulary()
        if update:
            if not len(self.wv):
                raise ValueError("build_vocab(update=True) needs a model that already has a vocabulary")
            self._update_vocab(words, counts)
        else:
            words, counts = vocab.select(words, counts, self.min_count, self.max_final_vocab, self.sorted_vocab)
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
        added = self._initial_vectors(np.random.default_rng(_mix(self.seed, n_old)), n_new)
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
              progress=None, **kwargs):
        """Train on a corpus (words outside the vocabulary are skipped).

        ``epochs`` defaults to the model's; the learning rate falls linearly from
        ``start_alpha`` (``alpha``) to ``end_alpha`` (``min_alpha``) over all of them.
        ``total_examples``/``total_words`` are accepted for gensim compatibility and not needed.
        Returns (words trained after subsampling, raw words read).
        """
        unknown = set(kwargs) - {"word_count", "queue_factor", "report_delay"}
        if unknown:
            raise TypeError(f"train() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        if not len(self.wv):
            raise ValueError("the model has no vocabulary yet: call build_vocab() first (or pass a corpus to Word2Vec())")
        epochs = self.epochs if epochs is None else epochs
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a whole number >= 0, got {epochs!r}")
        start_alpha = self.alpha if start_alpha is None else start_alpha
        end_alpha = self.min_alpha if end_alpha is None else end_alpha
        compute_loss = self.compute_loss if compute_loss is None else compute_loss
        callbacks = self.callbacks if callbacks is None else tuple(callbacks)
        progress = self.progress if progress is None else progress

        source = corpus_iterable if corpus_iterable is not None else corpus_file
        if self._pending is not None and _same_corpus(self._pending[0], source):
            scan = self._pending[1]
        else:
            scan = corpus_mod.scan(corpus_file, corpus_iterable, self.unicode_errors, None, progress)
        self._pending = None
        ids, offsets, raw_lengths = scan.encode(self.wv.key_to_index)
        del scan
        return self._train_encoded(ids, offsets, raw_lengths, epochs, start_alpha, end_alpha,
                                   compute_loss, callbacks, progress)

    def _jobs(self, offsets, raw_lengths, order):
        """Cut the sentences, taken in ``order``, into jobs of about ``batch_words`` words:
        (first position in order, end position, raw words)."""
        lengths = np.diff(offsets)[order]
        ends = np.cumsum(lengths)
        marks = np.arange(self.batch_words, ends[-1] if len(ends) else 0, self.batch_words)
        cuts = np.unique(np.concatenate([[0], np.searchsorted(ends, marks, side="left") + 1, [len(order)]]))
        cuts = cuts[cuts <= len(order)]
        raw_cum = np.concatenate([[0], np.cumsum(np.asarray(raw_lengths)[order])])
        return [(int(a), int(b), int(raw_cum[b] - raw_cum[a])) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]

    def _train_encoded(self, ids, offsets, raw_lengths, epochs, start_alpha, end_alpha, compute_loss,
                       callbacks, progress):
        total_raw = int(np.sum(raw_lengths))
        grand_total = max(1, epochs * total_raw)
        syn1neg = self.syn1neg if self.syn1neg is not None else np.zeros((1, self.vector_size), np.float32)
        syn1 = self.syn1 if self.syn1 is not None else np.zeros((1, self.vector_size), np.float32)
        tables = (syn1neg, syn1, self._keep, self._neg_accept, self._neg_alias,
                  self._points, self._codes, self._code_lengths,
                  bool(self.sg), bool(self.hs), int(self.negative), int(self.window),
                  bool(self.shrink_windows), bool(self.cbow_mean))
        syn0 = self.wv.vectors
        if not syn0.flags.writeable:
            raise ValueError("the model's vectors are read-only (loaded with mmap='r'); load without mmap to train")
        self.epoch_losses = []
        self.running_training_loss = 0.0
        trained = 0
        # Compile the kernel (or load it from numba's cache) on an empty job before the clock
        # starts: a first run's compilation would otherwise count as training, and skew the
        # words/s and the ETA of the progress bar.
        warming = time.perf_counter()
        train_job(ids, offsets, np.zeros(0, np.int64), 0, 0, syn0, *tables, float(start_alpha), float(end_alpha),
                  np.uint64(0), bool(compute_loss))
        compile_seconds = time.perf_counter() - warming
        started = time.perf_counter()
        pool = ThreadPoolExecutor(self.workers) if self.workers > 1 else None
        bar = progress_bar(total=epochs * total_raw, unit="word", unit_scale=True,
                           disable=None if progress is None else not progress, smoothing=0.1)
        _call(callbacks, "on_train_begin", self)
        try:
            for epoch in range(epochs):
                bar.set_description(f"epoch {epoch + 1}/{epochs}")
                _call(callbacks, "on_epoch_begin", self)
                before = epoch * total_raw

                # Sentences are taken in a fresh seeded order each epoch, and cut into jobs in that
                # order.  A corpus made of very different parts (news, then scripture, then
                # reviews …) would otherwise meet the falling learning rate in file order; shuffling
                # is plain SGD practice and lifts quality, CBOW's most (bench/RESULTS.md).
                order = np.random.default_rng(_mix(self.seed, self.train_count, epoch)).permutation(len(raw_lengths))
                jobs = self._jobs(offsets, raw_lengths, order)
                job_starts = np.concatenate([[0], np.cumsum([raw for _, _, raw in jobs])])

                def run(j):
                    first, end, raw = jobs[j]
                    done = before + job_starts[j]
                    a0 = start_alpha - (start_alpha - end_alpha) * done / grand_total
                    a1 = start_alpha - (start_alpha - end_alpha) * (done + raw) / grand_total
                    seed = np.uint64(_mix(self.seed, self.train_count, epoch, j))
                    return train_job(ids, offsets, order, first, end, syn0, *tables, a0, a1, seed,
                                     bool(compute_loss)), raw

                epoch_loss = 0.0
                results = map(run, range(len(jobs))) if pool is None else self._run_pool(pool, run, len(jobs), 2 * self.workers)
                for (effective, loss), raw in results:
                    trained += effective
                    epoch_loss += loss
                    bar.update(raw)
                    if compute_loss:
                        bar.set_postfix(loss=f"{epoch_loss:.4g}", refresh=False)
                self.epoch_losses.append(epoch_loss)
                self.running_training_loss += epoch_loss
                _call(callbacks, "on_epoch_end", self)
        finally:
            bar.close()
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            self.wv._clear_cache()
        elapsed = time.perf_counter() - started
        self.train_count += 1
        self.total_train_time += elapsed
        self.last_training = {"epochs": epochs, "seconds": elapsed, "raw_words": epochs * total_raw,
                              "effective_words": trained,
                              "words_per_second": epochs * total_raw / elapsed if elapsed else 0.0,
                              "compile_seconds": compile_seconds,
                              "epoch_losses": list(self.epoch_losses)}
        _call(callbacks, "on_train_end", self)
        return trained, epochs * total_raw

    @staticmethod
    def _run_pool(pool, run, n_jobs, ahead):
        """Results as jobs finish, keeping at most ``ahead`` jobs submitted at once."""
        pending = set()
        submitted = 0
        while submitted < n_jobs or pending:
            while submitted < n_jobs and len(pending) < ahead:
                pending.add(pool.submit(run, submitted))
                submitted += 1
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()

    def get_latest_training_loss(self):
        """The summed loss of the last ``train()`` call (float64; needs ``compute_loss=True``)."""
        return self.running_training_loss

    # -- saving -----------------------------------------------------------------------------
    def save(self, path):
        """Save the full model (parameters, vocabulary with counts, both matrices) atomically.

        The file is w2v's native format; its vectors can be memory-mapped with ``load(mmap="r")``.
        """
        meta = {"params": {k: getattr(self, k) for k in _SAVED}, "corpus_count": self.corpus_count,
                "corpus_total_words": self.corpus_total_words, "train_count": self.train_count,
                "total_train_time": self.total_train_time, "w2v": 1}
        arrays = self.wv._native_arrays()
        if self.syn1neg is not None:
            arrays["syn1neg"] = self.syn1neg
        if self.syn1 is not None:
            arrays["syn1"] = self.syn1
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
        model.total_train_time = meta.get("total_train_time", 0.0)
        model._prepare_tables()
        return model
