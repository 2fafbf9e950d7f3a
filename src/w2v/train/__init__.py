"""Training, in layers: what the kernels read and write (``state``), which jobs an epoch runs with
which learning rates and seeds (``schedule``), the epoch loop with progress, callbacks, loss and
checkpoints (``loop``), and where the jobs run (an executor: ``threads`` for this machine).

An executor has one method that matters, ``run_epoch(state, plan)``: run the plan's jobs on the
state's matrices and yield a :class:`JobResult` per job as it finishes.  The loop never looks
inside; a cluster or a GPU executor implements the same contract.
"""
from .loop import run_training
from .schedule import EpochPlan, JobResult, Schedule
from .threads import ThreadExecutor

__all__ = ["EpochPlan", "JobResult", "Schedule", "ThreadExecutor", "run_training"]
