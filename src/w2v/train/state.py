"""The training state of a model: its matrices, tables and settings as the kernel's TrainState."""
import numpy as np

from ..kernels.train import HOT_ROWS, training_state


def lock_factors(wv):
    """``wv.vectors_lockf`` when it locks or scales some row, else None (the kernel's fast path)."""
    lockf = getattr(wv, "vectors_lockf", None)
    if lockf is None:
        return None
    lockf = np.asarray(lockf, dtype=np.float32).reshape(-1)
    if lockf.shape[0] == 1 and lockf[0] == 1:
        return None
    if lockf.shape[0] != len(wv):
        if lockf.shape[0] == 1:  # one factor for every row
            return np.full(len(wv), lockf[0], np.float32)
        raise ValueError(f"wv.vectors_lockf has {lockf.shape[0]} factors for {len(wv)} vectors: "
                         "give one per vector (or a single one for all)")
    if np.all(lockf == 1):
        return None
    return np.ascontiguousarray(lockf)


def state_of(model, ids, offsets, compute_loss):
    """The :class:`~w2v.kernels.train.TrainState` a model trains with on the encoded corpus ``ids``/``offsets``.

    The matrices are the model's own arrays (the kernels update them in place), not copies.
    """
    syn0 = model.wv.vectors
    if not syn0.flags.writeable:
        raise ValueError("the model's vectors are read-only (loaded with mmap='r'); load without mmap to train")
    return training_state(ids, offsets, syn0, model.syn1neg, model.syn1, lock_factors(model.wv),
                          model._keep, model._neg_accept, model._neg_alias,
                          model._points, model._codes, model._code_lengths,
                          model.sg, model.hs, model.negative, model.window, model.shrink_windows,
                          model.cbow_mean, compute_loss, model.syn1softmax, model.softmax,
                          hot_rows=HOT_ROWS if model.workers > 1 else 0)
