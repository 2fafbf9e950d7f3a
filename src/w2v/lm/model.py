"""``w2v.LanguageModel``: the neural probabilistic language model of Bengio et al. (2003).

The ``context`` previous tokens are looked up in one shared embedding matrix, concatenated,
passed through a tanh hidden layer and projected to a softmax over the vocabulary
(optionally also straight from the embeddings: the paper's direct connections).  Training
runs on shuffled mini-batches, each a handful of float32 matrix products (BLAS) and fused numba
passes (:mod:`w2v.lm.kernels`), one training thread per core on shared parameters; the samples
are cut from the corpus's id arrays with numpy, never one by one.
"""
import contextlib
import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import store
from ..progress import progress_bar
from ..vectors import KeyedVectors
from . import data, kernels, net
from .data import LMError, load_kind, perplexity_of, top_tokens

#: The parameters of :class:`LanguageModel` and their defaults (written once, here).  alpha, samples,
#: softmax_limit and dropout were chosen by measurement on the built-in corpus (bench/RESULTS.md, "Language model").
DEFAULTS = {
    "context": 2, "vector_size": 60, "hidden": 100, "direct": False, "tied": False,
    "min_count": 5, "max_final_vocab": None,
    "epochs": 10, "batch_size": 256, "optimizer": "adam", "alpha": None, "min_alpha": None, "schedule": "linear",
    "objective": "auto", "samples": 256, "shortlist": 0, "softmax_limit": 2048, "exact_epochs": 0,
    "dropout": 0.3, "weight_decay": 0.0, "average": 0.0,
    "validation": 0.05, "max_validation_tokens": 50000, "patience": 2, "max_time": None,
    "seed": 1, "workers": None, "progress": None, "unicode_errors": "strict",
}
#: with ``average``, the running average takes in the parameters every this many steps
AVERAGE_EVERY = 4
#: the learning-rate schedules: a linear fall over the epochs (or max_time), or halving on a plateau
SCHEDULES = ("linear", "halving")
#: ``schedule="halving"``: an epoch that does not lower the validation entropy (log perplexity) by at
#: least this share is a plateau (Mikolov's RNNLM toolkit uses the same 0.3%)
PLATEAU = 0.003
OBJECTIVES = ("auto", "softmax", "sampled", "nce")
#: ``alpha=None``: the optimiser's own starting rate (measured on the built-in corpus, bench/RESULTS.md);
#: ``min_alpha=None``: a hundredth of ``alpha``
ALPHA = {"adam": 0.01, "sgd": 4.0}
_SAVED = [k for k in DEFAULTS if k not in ("progress",)]


def validate(params):
    """Check the parameters; raise :class:`LMError` naming the first bad one."""
    def whole(name, low, optional=False):
        v = params[name]
        if optional and v is None:
            return
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise LMError(f"{name} must be a whole number >= {low}{' or None' if optional else ''}, got {v!r}")

    def number(name, low, high=math.inf, optional=False):
        v = params[name]
        if optional and v is None:
            return
        if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not (low <= v <= high):
            raise LMError(f"{name} must be a number in [{low}, {high}], got {v!r}")

    whole("context", 1)
    whole("vector_size", 1)
    whole("hidden", 1)
    whole("min_count", 1)
    whole("max_final_vocab", 1, optional=True)
    whole("epochs", 0)
    whole("batch_size", 1)
    whole("samples", 1)
    whole("shortlist", 0)
    whole("softmax_limit", 0)
    number("exact_epochs", 0)
    whole("max_validation_tokens", 1)
    whole("patience", 1)
    whole("seed", 0)
    whole("workers", 1, optional=True)
    number("alpha", 0, optional=True)
    number("min_alpha", 0, optional=True)
    number("validation", 0, 0.5)
    number("dropout", 0, 0.9)
    number("average", 0, math.inf)
    number("weight_decay", 0)
    number("max_time", 0, optional=True)
    if params["schedule"] not in SCHEDULES:
        raise LMError(f"schedule must be one of {', '.join(SCHEDULES)}, got {params['schedule']!r}")
    if params["optimizer"] not in net.OPTIMIZERS:
        raise LMError(f"optimizer must be one of {', '.join(net.OPTIMIZERS)}, got {params['optimizer']!r}")
    if params["objective"] not in OBJECTIVES:
        raise LMError(f"objective must be one of {', '.join(OBJECTIVES)}, got {params['objective']!r}")
    if params["shortlist"] and params["objective"] == "nce":
        raise LMError("shortlist works with the sampled softmax (objective 'sampled' or 'auto'), not 'nce'")


@contextlib.contextmanager
def blas_threads(workers):
    """Limit BLAS to ``workers`` threads (threadpoolctl), when it is installed."""
    if workers is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:   # BLAS then uses its own default (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS)
        yield
        return
    with threadpool_limits(limits=int(workers), user_api="blas"):
        yield


class LanguageModel:
    """Predict the next word from the ``context`` previous ones (Bengio et al. 2003).

    Give ``sentences`` (an iterable of token lists) or ``corpus_file`` (a path, a folder,
    a compressed file or ``"-"``) to build the vocabulary and train at once.

    * ``objective``: ``"softmax"`` (exact), ``"sampled"`` (sampled softmax with ``samples``
      classes drawn per batch) or ``"nce"``; ``"auto"`` uses the exact softmax up to
      ``softmax_limit`` classes and the sampled softmax above (bench/RESULTS.md).  Perplexity
      is always the exact normalised softmax.  ``shortlist``: the sampled softmax scores the
      ``shortlist`` most frequent classes in every batch, exactly, and draws its ``samples`` from the
      other classes (a shortlist of every class is the exact softmax).
    * ``validation``: the share of sentences held out (seeded) to watch the perplexity after
      each epoch; training stops after ``patience`` epochs without improvement and keeps the
      best parameters.  ``max_time`` (seconds) ends training early; the learning rate falls
      linearly from ``alpha`` to ``min_alpha`` over the epochs (or the time, if shorter).
      ``max_validation_tokens``: a seeded sample of at most that many held-out tokens is scored after
      each epoch (with the exact softmax: on a large vocabulary a share of the epoch's time).
    * ``optimizer``: ``"adam"`` (the default) or ``"sgd"``, plain mini-batch gradient descent as in the
      paper and in Mikolov's RNNLM; ``alpha=None`` is the optimiser's own starting rate (0.01 for Adam, 4
      for SGD, whose steps are the batch's mean gradient), ``min_alpha=None`` a hundredth of it.
      A run whose validation perplexity overflows stops with an error asking for a lower ``alpha``.
    * ``workers``: training threads (default: one per core), each running whole mini-batch steps
      with single-threaded BLAS on shared parameters (Hogwild, as ``Word2Vec``'s workers).  With
      ``workers=1`` and a fixed ``seed`` training is repeatable bit for bit.
    * ``dropout``: the share of the concatenated embeddings and of the hidden units zeroed (and the
      rest scaled up) in each training step, rounded to a 256th; none when predicting.
    * ``exact_epochs``: the last that many of the ``epochs`` train with the exact softmax whatever
      ``objective`` trained before (a sampled objective's model, fine-tuned on the exact one); a
      fraction (0.5) cuts the last exact epoch to that share of its batches.  When early stopping (or
      the halving schedule) ends the sampled epochs sooner, the exact ones follow from the best
      parameters.  With ``max_time`` the sampled epochs end in time for the exact ones (their time is
      estimated from an exact step timed at the start, and two validations'; at most half of
      ``max_time`` is kept for them, and exact epochs that do not fit are cut short), the linear rate falls
      over the sampled epochs' share of the time, and ``max_time`` still ends everything.  Their learning
      rate goes on as the schedule has it (the linear schedule's last rate, ``min_alpha``).
    * ``schedule``: ``"linear"`` (the rate falls linearly, stopping after ``patience`` epochs without
      improvement) or ``"halving"`` (Mikolov et al. 2011: ``alpha`` until an epoch lowers the validation
      entropy by less than 0.3%, then half the rate after every epoch, until an epoch does not improve).
      Halving suits a time budget whose epochs are unknown in advance.
    * ``weight_decay``: decoupled weight decay (AdamW; with SGD the same shrinking) of the weights, not
      the biases; a row of the embeddings (or of a sampled objective's output) shrinks only in the steps
      that touch it.
    * ``average``: when > 0, validation, early stopping and the result use a running average of the
      parameters over about that many epochs instead of their last values.
    * ``tied``: each class is scored against its own input embedding (a row of ``C``) through a
      projection of the hidden layer, instead of an output matrix of its own (Press & Wolf 2017).
    """

    def __init__(self, sentences=None, corpus_file=None, *, validation_sentences=None, vocabulary=None,
                 **params):
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"LanguageModel() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        merged = dict(DEFAULTS)
        merged.update(params)
        validate(merged)
        for name, value in merged.items():
            setattr(self, name, value)
        self.vocab = vocabulary
        self.params = None
        self.wv = KeyedVectors(self.vector_size)
        self.history = []
        self.last_training = {}
        if sentences is not None or corpus_file is not None:
            self.train(corpus_file if corpus_file is not None else sentences, validation_sentences)

    def __repr__(self):
        n = len(self.vocab.words) if self.vocab else 0
        return (f"LanguageModel<context={self.context}, vector_size={self.vector_size}, hidden={self.hidden}, "
                f"direct={self.direct}, vocab={n}>")

    def get_params(self):
        return {name: getattr(self, name) for name in DEFAULTS}

    # -- training ---------------------------------------------------------------------------
    def chosen_objective(self):
        if self.objective != "auto":
            return self.objective
        return "softmax" if self.vocab.classes <= self.softmax_limit else "sampled"

    def train(self, corpus, validation_sentences=None):
        """Build the vocabulary (unless one was given) and train on ``corpus``."""
        self.vocab, sentences = data.read(corpus, self.vocab, self.min_count, self.max_final_vocab,
                                          self.unicode_errors, self.progress)
        if validation_sentences is not None:
            _, held = data.read(validation_sentences, self.vocab, what="validation text")
            train = sentences
        else:
            train, held = sentences.split(self.validation, self.seed)
        if train.tokens < 2 * self.batch_size and train.tokens < 50:
            raise LMError(f"the corpus is too small to train a language model: {len(train.ids)} words in "
                          f"{len(train)} sentences (give at least a few hundred words)")
        if len(held):
            held = held.sample(self.max_validation_tokens, [self.seed, 1])
        self._fit(train, held)
        return self

    def _proposal(self, counts, dtype):
        """The sampled objectives' classes: ``head``, the ``shortlist`` most frequent classes, in every
        batch and scored exactly (correction log 1 = 0), and ``k`` draws from the other classes'
        unigram^0.75 distribution (``cdf``), each corrected by the log of its expected count ``k Q(c)``."""
        classes = len(counts)
        head = np.sort(np.argsort(-counts, kind="stable")[:min(self.shortlist, classes)]).astype(np.int64)
        noise = counts ** 0.75
        noise[head] = 0.0
        k = min(self.samples, classes - len(head)) if noise.sum() > 0 else 0
        noise /= max(noise.sum(), 1e-300)
        log_kq = np.log(k * noise + 1e-30)
        log_kq[head] = 0.0
        return head, k, np.cumsum(noise), log_kq.astype(dtype)

    def _log_prior(self, sentences):
        counts = np.bincount(sentences.ids, minlength=self.vocab.classes).astype(np.float64)[:self.vocab.classes]
        counts[self.vocab.end] += len(sentences)
        return np.log((counts + 1.0) / (counts.sum() + len(counts))), counts

    def _fit(self, train, held, dtype=np.float32):
        rng = np.random.default_rng(self.seed)
        vocab = self.vocab
        log_prior, counts = self._log_prior(train)
        self.params = net.init_params(vocab.inputs, vocab.classes, self.context, self.vector_size, self.hidden,
                                      self.direct, log_prior, rng, dtype, tied=self.tied)
        self._bind_wv()
        objective = self.chosen_objective()
        head, k, cdf, log_kq = self._proposal(counts, dtype)
        stream, positions = train.stream(self.context, vocab.start, vocab.end)
        if len(held):
            v_stream, v_pos = held.stream(self.context, vocab.start, vocab.end)
            v_ctx, v_y = data.contexts(v_stream, v_pos, self.context), v_stream[v_pos].astype(np.int64)
        optimizer = net.OPTIMIZERS[self.optimizer](self.params, fast=True)
        alpha, min_alpha = self.rates()
        threads = self._threads()
        n = len(positions)
        batches = -(-n // self.batch_size)
        # the epochs' plan: the sampled (or exact) epochs, then exact_epochs more on the exact softmax, the
        # last one cut to its share of the batches when exact_epochs is not whole
        exact = self.exact_epochs if objective != "softmax" else 0
        first = self.epochs - math.ceil(exact)
        plan = [(objective, batches)] * first
        whole = math.floor(exact)
        plan += [("softmax", batches)] * whole
        if exact > whole:
            plan.append(("softmax", max(1, round((exact - whole) * batches))))
        total = max(1, sum(b for _, b in plan))
        # with max_time, the sampled epochs end in time for the exact ones: their time (one timed exact step
        # a batch, shared by the threads) and two validations' are kept back, at most half the time (exact
        # epochs that do not fit are cut by max_time), and a time-bound rate falls over the sampled epochs'
        # share; the exact epochs then run at the rate reached
        reserve = 0.0
        if self.max_time and 0 < first < len(plan):
            reserve = min(sum(b for _, b in plan[first:]) * self._exact_step_seconds(stream, positions) / threads,
                          self.max_time / 2)
        budget = self.max_time - reserve if self.max_time else None
        best, best_params, bad = math.inf, None, 0
        self.history = []
        started = time.perf_counter()
        shared = {"steps": 0, "stop": False, "switch": False, "lr": alpha, "blends": 0, "epoch_lr": alpha,
                  "validation_s": 0.0}
        # schedule="halving" (after Mikolov et al. 2011): alpha until an epoch is a plateau on validation,
        # then half the rate each epoch; an epoch that does not improve at all ends the phase
        halving = self.schedule == "halving" and len(held) > 0
        halved = False
        # the running average of the parameters (``average`` epochs long), what validation and the result use
        avg = {key: v.copy() for key, v in self.params.items()} if self.average else None
        avg_w = AVERAGE_EVERY / max(1.0, self.average * batches)
        lock = threading.Lock()
        stopped = "epochs"
        bar = progress_bar(total=sum(min(b * self.batch_size, n) for _, b in plan), unit="sample", unit_scale=True,
                           smoothing=0.1, disable=None if self.progress is None else not self.progress)

        def run(order, part, rng_t, sums, objective, limit):
            """Batches part, part + threads, ... below ``limit`` of an epoch: one training thread (Hogwild
            between threads)."""
            scratch = {}
            for j in range(part, limit, threads):
                if shared["stop"] or (shared["switch"] and objective != "softmax"):
                    return
                pick = positions[order[j * self.batch_size:(j + 1) * self.batch_size]]
                ctx = data.contexts(stream, pick, self.context)
                y = stream[pick].astype(np.int64)
                if halving:
                    lr = shared["epoch_lr"]
                else:
                    frac = shared["steps"] / total
                    if budget:
                        frac = max(frac, (time.perf_counter() - started) / budget)
                    lr = alpha - (alpha - min_alpha) * min(frac, 1.0)
                masks = self._dropout_masks(rng_t, len(y))
                if objective == "softmax":
                    loss, dense, rows = net.loss_and_grads(self.params, ctx, y, fast=True, masks=masks)
                else:
                    sampled = np.minimum(np.searchsorted(cdf, rng_t.random(k) * cdf[-1], side="right"),
                                         vocab.classes - 1)
                    if len(head):
                        sampled = np.concatenate([head, sampled])
                    loss, dense, rows = net.loss_and_grads(self.params, ctx, y, objective, sampled, log_kq,
                                                            fast=True, masks=masks)
                # the epoch's last batch may be short: its step is scaled to its share of a batch (a full
                # step from a few samples, just before validation, made SGD's validation jump; RESULTS)
                optimizer.step(self.params, dense, rows, lr * min(1.0, len(y) / self.batch_size), scratch,
                               self.weight_decay)
                sums[0] += loss * len(y)
                sums[1] += len(y)
                with lock:
                    shared["steps"] += 1
                    shared["lr"] = lr
                    if avg is not None and shared["steps"] % AVERAGE_EVERY == 0:
                        shared["blends"] += 1
                        w = max(avg_w, 1.0 / shared["blends"])
                        for key, value in self.params.items():
                            kernels.blend(avg[key].reshape(-1), value.reshape(-1), value.dtype.type(w))
                    bar.update(len(y))
                    if j % 50 < threads and self.history and len(held):
                        bar.set_postfix_str(f"loss {sums[0] / sums[1]:.3f}, val ppl "
                                            f"{self.history[-1]['validation_perplexity']:.1f}", refresh=False)
                if self.max_time:
                    elapsed = time.perf_counter() - started
                    if elapsed >= self.max_time:
                        shared["stop"] = True
                    elif reserve and elapsed >= budget - 2 * shared["validation_s"]:
                        shared["switch"] = True   # time for the exact epochs (and two validations)

        # the batches' products are small: BLAS runs one thread per training thread (on cores shared with
        # other work, two BLAS threads made a sampled-softmax step ten times slower; bench/RESULTS.md)
        epoch = 0
        with blas_threads(1), bar, ThreadPoolExecutor(threads) as pool:
            while epoch < len(plan):
                this, limit = plan[epoch]
                # epochs are counted as run (early stopping may skip from the sampled phase to the exact one)
                run_no = len(self.history) + 1
                bar.set_description(f"epoch {run_no}" + ("" if halving else f"/{len(plan)}")
                                    + (" (exact)" if epoch >= first else ""))
                order = rng.permutation(n)
                parts = [[0.0, 0] for _ in range(threads)]
                rngs = rng.spawn(threads)
                if threads == 1:
                    run(order, 0, rngs[0], parts[0], this, limit)
                else:
                    for job in [pool.submit(run, order, t, rngs[t], parts[t], this, limit) for t in range(threads)]:
                        job.result()
                loss_sum, loss_n = sum(p[0] for p in parts), sum(p[1] for p in parts)
                record = {"epoch": run_no, "objective": this, "loss": loss_sum / max(loss_n, 1), "samples": loss_n,
                          "seconds": time.perf_counter() - started, "learning_rate": shared["lr"]}
                if len(held):
                    judged = self.params if avg is None else avg
                    clock = time.perf_counter()
                    ppl = perplexity_of(net.log_probabilities(judged, v_ctx, v_y, threads=threads))
                    shared["validation_s"] = time.perf_counter() - clock
                    if not math.isfinite(ppl):
                        raise LMError(f"training diverged: the validation perplexity is {ppl} after epoch {run_no} "
                                      f"(learning rate {shared['lr']:.3g}, optimizer {self.optimizer}); give a lower "
                                      f"alpha")
                    record["validation_perplexity"] = ppl
                    plateau = math.log(ppl) > (1.0 - PLATEAU) * math.log(best) if best < math.inf else False
                    if ppl < best:
                        best, bad = ppl, 0
                        best_params = {key: v.copy() for key, v in judged.items()}
                    else:
                        bad += 1
                self.history.append(record)
                bar.set_postfix_str(f"loss {record['loss']:.3f}" + (f", val ppl {record['validation_perplexity']:.1f}"
                                                                    if len(held) else ""))
                epoch += 1
                if shared["stop"]:
                    stopped = "max_time"
                    break
                if halving:
                    done = halved and bad
                    halved = halved or plateau
                    if halved and not done:
                        shared["epoch_lr"] = max(shared["epoch_lr"] / 2, min_alpha)
                else:
                    done = bad >= self.patience
                why = "early stopping"
                if shared["switch"] and this != "softmax":
                    done, why, shared["switch"] = True, "max_time", False
                if done:
                    # early stopping (or the time kept for the exact epochs) ends the phase: the exact epochs
                    # still follow a sampled phase, from its best parameters (the rate as it was); in the
                    # exact phase it ends training
                    stopped = why
                    if this == "softmax":
                        break
                    for key, value in (best_params or {}).items():
                        np.copyto(self.params[key], value)
                        if avg is not None:
                            np.copyto(avg[key], value)
                    bad = 0
                    epoch = first
        if best_params is None and avg is not None:
            best_params = avg
        if best_params is not None:
            for key, value in best_params.items():
                np.copyto(self.params[key], value)
        seconds = time.perf_counter() - started
        samples = sum(r["samples"] for r in self.history)
        self.last_training = {"objective": objective, "seconds": seconds, "samples": samples,
                              "samples_per_second": samples / seconds if seconds else 0.0,
                              "epochs": len(self.history), "stopped": stopped,
                              "validation_perplexity": best if best < math.inf else None,
                              "train_tokens": train.tokens, "validation_tokens": held.tokens if len(held) else 0,
                              "flops_per_sample": self._mean_flops(objective)}
        self.wv._clear_cache()

    def _dropout_masks(self, rng, rows):
        """A training step's dropout masks (concatenated embeddings, hidden units), or None without dropout."""
        sizes = (self.context * self.vector_size, self.hidden)
        return net.dropout_masks(rng, rows, sizes, self.dropout) if self.dropout else None

    def _exact_step_seconds(self, stream, positions):
        """Seconds of one exact-softmax training step of this model's shapes on one thread: the median of
        three steps on the first batch, with a throwaway optimiser at rate 0 (the parameters do not move)."""
        pick = positions[:self.batch_size]
        ctx, y = data.contexts(stream, pick, self.context), stream[pick].astype(np.int64)
        masks = self._dropout_masks(np.random.default_rng(0), len(y))
        optimizer = net.OPTIMIZERS[self.optimizer](self.params, fast=True)
        times = []
        with blas_threads(1):
            for _ in range(3):
                clock = time.perf_counter()
                _, dense, rows = net.loss_and_grads(self.params, ctx, y, fast=True, masks=masks)
                optimizer.step(self.params, dense, rows, 0.0, {}, 0.0)
                times.append(time.perf_counter() - clock)
        return sorted(times)[1]

    def rates(self):
        """(alpha, min_alpha) as training uses them: ``None`` is the optimiser's own rate (``ALPHA``), and
        a hundredth of it for ``min_alpha``."""
        alpha = ALPHA[self.optimizer] if self.alpha is None else self.alpha
        return alpha, alpha / 100 if self.min_alpha is None else self.min_alpha

    def _mean_flops(self, objective):
        """FLOPs per training sample over the epochs run (sampled and exact epochs weigh differently)."""
        samples = sum(r["samples"] for r in self.history)
        if not samples:
            return self.flops_per_sample(objective)
        return sum(r["samples"] * self.flops_per_sample(r["objective"]) for r in self.history) / samples

    def _threads(self):
        return self.workers or os.cpu_count() or 1

    def flops_per_sample(self, objective=None):
        """Multiply-adds ×2 of one training sample (forward and backward: about 3 × the forward)."""
        objective = objective or self.chosen_objective()
        n = self.context * self.vector_size
        out = (self.vocab.classes if objective == "softmax"
               else min(self.shortlist + self.samples, self.vocab.classes) + 1)
        width = self.vector_size if self.tied else self.hidden   # the output rows' width
        per = n * self.hidden + (self.hidden * width if self.tied else 0) + width * out + (n * out if self.direct else 0)
        return 2 * 3 * per

    def _bind_wv(self):
        w = len(self.vocab.words)
        self.wv = KeyedVectors(self.vector_size).set_vectors(self.vocab.words, self.params["C"][:w],
                                                             self.vocab.counts)

    # -- using ------------------------------------------------------------------------------
    def _need_trained(self):
        if self.params is None:
            raise LMError("the language model is not trained yet")

    def next_distribution(self, prompt):
        """P(next token | the prompt's last ``context`` tokens) over all classes (float64)."""
        self._need_trained()
        ids, _ = data.prompt_ids(prompt, self.vocab, self.context)
        return net.distribution(self.params, ids[None, :])[0]

    def predict(self, prompt, topn=5):
        """The ``topn`` likeliest next tokens after ``prompt`` (a string or a token list), best first:
        [(token, probability), ...].  Unknown words count as ``<unk>``; a prompt of unknown words
        only is predicted from ``<unk>`` (with a warning); a short prompt is start-padded."""
        self._need_trained()
        ids, all_unknown = data.prompt_ids(prompt, self.vocab, self.context)
        if all_unknown:
            data.warn_all_unknown(prompt)
        p = net.distribution(self.params, ids[None, :])[0]
        return top_tokens(p, topn, self.vocab)

    def log_probabilities(self, sentences):
        """Natural-log probability of every test token and sentence end (the perplexity's terms)."""
        self._need_trained()
        _, held = data.read(sentences, self.vocab, what="test text")
        stream, pos = held.stream(self.context, self.vocab.start, self.vocab.end)
        with blas_threads(1):   # one BLAS thread per chunk, chunks side by side
            return net.log_probabilities(self.params, data.contexts(stream, pos, self.context),
                                         stream[pos].astype(np.int64), threads=self._threads())

    def perplexity(self, sentences):
        """exp(mean negative log-likelihood) over every token and sentence end of ``sentences``
        (a path or token lists), each predicted from the ``context`` tokens before it."""
        return perplexity_of(self.log_probabilities(sentences))

    def generate(self, prompt, words=20, temperature=0.8, seed=1):
        """Continue ``prompt`` by sampling ``words`` tokens from the model (softmax at ``temperature``).

        ``<unk>`` is never drawn; a drawn ``</s>`` ends the sentence and the next word starts a new
        one (from start tokens).  Returns the generated tokens (sentence ends as ``"</s>"``)."""
        self._need_trained()
        return data.sample_text(self.next_distribution, self.vocab, self.context, prompt, words, temperature, seed)

    # -- saving -----------------------------------------------------------------------------
    def save(self, path):
        """Save as a native w2v file of kind ``"lm"``; ``w2v.load(path)`` reads its embedding vectors."""
        store.save(path, "lm", *self._payload())

    def _payload(self):
        """(meta, arrays) of the native file (a mixture file holds them too)."""
        self._need_trained()
        w = len(self.vocab.words)
        arrays = self.wv._native_arrays()
        arrays["specials"] = self.params["C"][w:]
        for name in ("H", "hb", "U", "P", "b", "W"):
            if name in self.params:
                arrays[name] = self.params[name]
        meta = {"params": {k: getattr(self, k) for k in _SAVED}, "history": self.history,
                "last_training": self.last_training, "tokens": [data.END, data.UNKNOWN, data.START], "w2v": 1}
        return meta, arrays

    @classmethod
    def load(cls, path):
        """Load a model saved by :meth:`save`."""
        _, meta, arrays = load_kind(os.fspath(path), "lm")
        return cls._from_payload(meta, arrays)

    @classmethod
    def _from_payload(cls, meta, arrays):
        params = dict(DEFAULTS)
        params.update({k: v for k, v in meta.get("params", {}).items() if k in DEFAULTS})
        model = cls(**params)
        keys = store.decode_strings(arrays["keys.blob"], arrays["keys.offsets"])
        model.vocab = data.Vocabulary(keys, np.asarray(arrays["counts"]))
        model.params = {"C": np.concatenate([np.asarray(arrays["vectors"]), np.asarray(arrays["specials"])])}
        for name in ("H", "hb", "U", "P", "b", "W"):
            if name in arrays:
                model.params[name] = np.array(arrays[name])
        model._bind_wv()
        model.history = meta.get("history", [])
        model.last_training = meta.get("last_training", {})
        return model
