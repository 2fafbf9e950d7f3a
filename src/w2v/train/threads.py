"""The executor for one machine: the epoch's jobs on a pool of threads sharing the matrices (Hogwild).

The kernel releases the GIL, so ``workers`` threads train at once; at most two jobs per
thread are in flight, so memory stays flat however long the epoch.  With one worker the
jobs run in order on the calling thread, and training is exactly repeatable.
"""
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import numpy as np

from ..kernels import train as kernels
from .schedule import JobResult

#: Shown before the first compilation of the training kernel (measured on a 2-core machine).
COMPILE_NOTE = "w2v: compiling the training kernels (first run only, about {seconds} s)"
COMPILE_SECONDS = 20


class ThreadExecutor:
    """Runs an epoch's jobs on ``workers`` threads of this process."""

    def __init__(self, workers=1):
        self.workers = max(1, int(workers))
        self._pool = None

    def prepare(self, state):
        """Compile the kernel (or load it from numba's cache) on an empty job; returns the seconds taken.

        Done before the clock starts: a first run's compilation would otherwise count as training
        and skew the words/s and the progress bar's ETA.
        """
        args = (state, np.zeros(0, np.int64), kernels.job(0, 0, 0.0, 0.0, 0))
        if not kernels.is_compiled(kernels.train_job, args):
            print(COMPILE_NOTE.format(seconds=COMPILE_SECONDS), file=sys.stderr, flush=True)
        started = time.perf_counter()
        kernels.train_job(*args)
        return time.perf_counter() - started

    def __enter__(self):
        if self.workers > 1:
            self._pool = ThreadPoolExecutor(self.workers)
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run_epoch(self, state, plan):
        """Yield a :class:`JobResult` per job of ``plan`` as it finishes."""
        def run(j):
            effective, loss = kernels.train_job(state, plan.order, plan.jobs[j])
            return JobResult(int(effective), float(loss), int(plan.raw_words[j]))

        if self._pool is None:
            yield from map(run, range(len(plan.jobs)))
            return
        pending = set()
        submitted = 0
        ahead = 2 * self.workers
        while submitted < len(plan.jobs) or pending:
            while submitted < len(plan.jobs) and len(pending) < ahead:
                pending.add(self._pool.submit(run, submitted))
                submitted += 1
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
