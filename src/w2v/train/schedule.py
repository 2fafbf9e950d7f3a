"""Which jobs an epoch runs, in which order, with which learning rates and seeds.

Everything here is a pure function of the model's seed, the number of earlier ``train()``
calls, the epoch and the corpus's sentence lengths, so a run stopped after any epoch can be
continued from a checkpoint and give the same jobs, rates and seeds as if it had never stopped.
"""
from collections import namedtuple

import numpy as np

from ..kernels.train import job as kernel_job


def mix(*values):
    """A 64-bit seed from several integers (splitmix64 steps)."""
    x = 0x9E3779B97F4A7C15
    for v in values:
        x = (x ^ (int(v) & 0xFFFFFFFFFFFFFFFF)) & 0xFFFFFFFFFFFFFFFF
        x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 31
    return x or 1


#: An epoch's work: the sentence order, the kernel jobs (``kernels.train.Job``) cut from it,
#: and the raw words (before subsampling and vocabulary filtering) each job covers.
EpochPlan = namedtuple("EpochPlan", "epoch order jobs raw_words")

#: What an executor reports per job: words trained (after subsampling), summed loss, raw words.
JobResult = namedtuple("JobResult", "effective loss raw")


def cut_jobs(lengths, raw_lengths, batch_words):
    """Cut sentences (in the given order, with these encoded and raw lengths) into jobs of about
    ``batch_words`` encoded words: a list of (first, end) positions and an array of raw words per job."""
    ends = np.cumsum(lengths)
    marks = np.arange(batch_words, ends[-1] if len(ends) else 0, batch_words)
    n = len(lengths)
    cuts = np.unique(np.concatenate([[0], np.searchsorted(ends, marks, side="left") + 1, [n]]))
    cuts = cuts[cuts <= n]
    raw_cum = np.concatenate([[0], np.cumsum(raw_lengths)])
    spans = [(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
    raw = np.array([raw_cum[b] - raw_cum[a] for a, b in spans], dtype=np.int64)
    return spans, raw


class Schedule:
    """The learning rate falls linearly from ``start_alpha`` to ``end_alpha`` over all ``epochs``
    epochs of one ``train()`` call, by raw words read; sentences are shuffled afresh each epoch."""

    def __init__(self, offsets, raw_lengths, *, epochs, start_alpha, end_alpha, seed, train_count, batch_words):
        self.offsets = offsets
        self.raw_lengths = np.asarray(raw_lengths)
        self.epochs = int(epochs)
        self.start_alpha = float(start_alpha)
        self.end_alpha = float(end_alpha)
        self.seed = int(seed)
        self.train_count = int(train_count)
        self.batch_words = int(batch_words)
        self.epoch_raw = int(np.sum(self.raw_lengths))
        self.total_raw = self.epochs * self.epoch_raw

    def alpha_at(self, raw_done):
        """The learning rate after ``raw_done`` raw words of this call."""
        return self.start_alpha - (self.start_alpha - self.end_alpha) * raw_done / max(1, self.total_raw)

    def plan(self, epoch):
        """The :class:`EpochPlan` of epoch ``epoch`` (0-based)."""
        # Sentences are taken in a fresh seeded order each epoch and cut into jobs in that order.
        # A corpus made of very different parts (news, then scripture, then reviews …) would
        # otherwise meet the falling learning rate in file order; shuffling is plain SGD practice
        # and lifts quality, CBOW's most (bench/RESULTS.md).
        n = len(self.raw_lengths)
        order = np.random.default_rng(mix(self.seed, self.train_count, epoch)).permutation(n)
        spans, raw = cut_jobs(np.diff(self.offsets)[order], self.raw_lengths[order], self.batch_words)
        starts = epoch * self.epoch_raw + np.concatenate([[0], np.cumsum(raw)])
        jobs = [kernel_job(a, b, self.alpha_at(starts[j]), self.alpha_at(starts[j] + raw[j]),
                           mix(self.seed, self.train_count, epoch, j))
                for j, (a, b) in enumerate(spans)]
        return EpochPlan(epoch, order, jobs, raw)
