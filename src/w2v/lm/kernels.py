"""The language model's compiled loops (numba): the work around the matrix products, fused.

The matrix products of a training step run in BLAS; what numpy spent most of a sampled-softmax
step on was everything else: ten passes over the (batch × samples) score matrix for the corrected,
masked log-softmax and its gradient, and ``np.unique``/``np.add.at``/fancy-index copies for the
lazy Adam update of the rows a batch touches (bench/RESULTS.md, "Language model").  Each kernel here
does that work in one or two passes, in place; the exact softmax's gradient is numpy passes over
blocks of rows small enough to stay in cache (faster than numba's scalar ``exp`` and ``max``).  Their
readable numpy twins are
:func:`w2v.lm.net.loss_and_grads` and :class:`w2v.lm.net.Adam`; tests/test_lm.py holds each kernel
to its twin.
"""
import math

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@njit(nogil=True, cache=True)
def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# The sampled softmax's exponentials are left to numpy's vectorised np.exp (numba's scalar math.exp is
# 5-10x slower without Intel's SVML); its two kernels are one compiled pass on either side of it.

@njit(nogil=True, cache=True)
def _shift_rows(S, y, sampled, c, t):
    """Add ``c`` (columns) to ``S``; mask a column whose class ``sampled[j]`` is the row's target
    (−inf); subtract from each row the larger of its maximum and
    ``t[i]``, which is shifted the same way."""
    B, n = S.shape
    for i in range(B):
        row = S[i]
        m = t[i]
        for j in range(n):
            v = row[j] + c[j]
            if sampled[j] == y[i]:
                v = -np.inf
            row[j] = v
            if v > m:
                m = v
        for j in range(n):
            row[j] -= m
        t[i] -= m


@njit(nogil=True, cache=True, fastmath=True)
def _finish_rows(E, t):
    """The sampled softmax: ``E`` holds exp(shifted scores of the drawn classes), ``t`` the true class's
    shifted score (not a column of ``E``); each row becomes its softmax divided by B.  Returns the mean
    loss and the gradient of the true class's score."""
    B, n = E.shape
    inv = 1.0 / B
    g_true = np.empty(B, E.dtype)
    loss = 0.0
    for i in range(B):
        row = E[i]
        total = 0.0
        for j in range(n):
            total += row[j]
        e_true = math.exp(t[i])
        total += e_true
        loss += math.log(total) - t[i]
        scale = row.dtype.type(inv / total)
        for j in range(n):
            row[j] *= scale
        g_true[i] = (e_true / total - 1.0) * inv
    return loss * inv, g_true


#: rows of the score matrix :func:`softmax_grad` treats at once: a block of a large vocabulary's scores
#: (16 × 33,565 float32 is 2 MB) stays in the core's cache through its passes
SOFTMAX_ROWS = 16


def _exp_block(block, y, bias):
    """In place: ``block`` (rows, classes) plus ``bias``, shifted by each row's maximum, exponentiated.
    Returns (the shifted scores of the classes ``y``, the rows' sums), float64."""
    if bias is not None:
        block += bias
    block -= block.max(axis=1, keepdims=True)
    t = block[np.arange(len(block)), y].astype(np.float64)
    np.exp(block, out=block)
    return t, block.sum(axis=1, dtype=np.float64)


def softmax_grad(S, y, bias=None, db=None):
    """Exact softmax cross-entropy: ``S`` (B, classes) scores (plus ``bias`` (classes,) when given, added
    here) are overwritten with the gradient ``(softmax(S) − onehot(y)) / B``; ``db`` (classes,), when
    given, receives the gradient's column sums (the bias's gradient).  Returns the mean loss (float64).

    Blocks of :data:`SOFTMAX_ROWS` rows go through numpy's vectorised passes while they are in cache:
    at 33,565 classes 2.8 times as fast as the compiled whole-matrix passes this replaced
    (bench/RESULTS.md, "Language model")."""
    B = len(S)
    inv = 1.0 / B
    loss = 0.0
    if db is not None:
        db[...] = 0
    for lo in range(0, B, SOFTMAX_ROWS):
        block, yy = S[lo:lo + SOFTMAX_ROWS], y[lo:lo + SOFTMAX_ROWS]
        t, total = _exp_block(block, yy, bias)
        loss += float((np.log(total) - t).sum())
        block *= (inv / total).astype(S.dtype)[:, None]
        block[np.arange(len(block)), yy] -= S.dtype.type(inv)
        if db is not None:
            db += block.sum(axis=0)
    return loss * inv


def log_softmax_at(S, y, bias):
    """log softmax(S + ``bias``)[i, y[i]] for each row (float64), in :func:`softmax_grad`'s cached row
    blocks; ``S`` (B, classes) raw scores is overwritten."""
    out = np.empty(len(S), np.float64)
    for lo in range(0, len(S), SOFTMAX_ROWS):
        t, total = _exp_block(S[lo:lo + SOFTMAX_ROWS], y[lo:lo + SOFTMAX_ROWS], bias)
        out[lo:lo + SOFTMAX_ROWS] = t - np.log(total)
    return out


def sampled_grad(S, s_true, y, sampled, log_kq_sampled, log_kq_true, nce):
    """The sampled objectives' loss and score gradients, in place.

    ``S`` (B, k) holds the raw scores of the drawn classes ``sampled`` and ``s_true`` (B,) those of
    the targets ``y``; both are corrected by ``−log(k Q)``, a drawn class equal to the row's target
    (an accidental hit) is left out.  Sampled softmax (``nce`` false): cross-entropy of the true class
    against the drawn ones; NCE: logistic losses, true class positive, drawn ones negative.
    ``S`` becomes ∂loss/∂S (zero at hits); returns (mean loss float64, ∂loss/∂s_true (B,))."""
    if nce:
        return _nce_grad(S, s_true, y, sampled, log_kq_sampled, log_kq_true)
    t = (s_true - log_kq_true).astype(np.float64)
    _shift_rows(S, y, sampled, (-log_kq_sampled).astype(S.dtype), t)
    np.exp(S, out=S)
    return _finish_rows(S, t)


@njit(nogil=True, cache=True)
def _nce_grad(S, s_true, y, sampled, log_kq_sampled, log_kq_true):
    B, k = S.shape
    g_true = np.empty(B, S.dtype)
    loss = 0.0
    inv = 1.0 / B
    for i in range(B):
        row = S[i]
        yi = y[i]
        st = s_true[i] - log_kq_true[i]
        loss += _softplus(-st)
        g_true[i] = (_sigmoid(st) - 1.0) * inv
        for j in range(k):
            if sampled[j] == yi:
                row[j] = 0.0
            else:
                s = row[j] - log_kq_sampled[j]
                loss += _softplus(s)
                row[j] = _sigmoid(s) * inv
    return loss * inv, g_true


@njit(nogil=True, cache=True, fastmath=True)
def adam_dense(P, M, V, G, rate, b1, c1, b2, c2, eps, keep):
    """One Adam step on a whole parameter (flat, contiguous arrays), in one pass.  The scalars come
    in the arrays' dtype (``c1 = 1 − b1``, ``c2 = 1 − b2``) so that float32 stays float32 (and SIMD);
    ``keep`` (1 − learning rate × weight decay) shrinks the parameter first (decoupled weight decay)."""
    for i in range(P.size):
        g = G[i]
        m = b1 * M[i] + c1 * g
        v = b2 * V[i] + c2 * g * g
        M[i] = m
        V[i] = v
        P[i] = keep * P[i] - rate * m / (np.sqrt(v) + eps)


@njit(nogil=True, cache=True, fastmath=True)
def adam_rows(P, M, V, ids, G, slot, rate, b1, c1, b2, c2, eps, keep):
    """Lazy Adam on the rows ``ids`` of ``P`` (rows, dim): the gradient rows ``G`` of a repeated id
    are summed first (in the order given), then each touched row and its moments take one step.
    ``slot`` (rows,) int64 is scratch filled with −1, and left so; ``keep`` as in :func:`adam_dense`
    (a row shrinks only in the steps that touch it, as its moments move only then)."""
    n, dim = G.shape
    acc = np.zeros((n, dim), G.dtype)
    uniq = np.empty(n, np.int64)
    u = 0
    for i in range(n):
        r = ids[i]
        s = slot[r]
        if s < 0:
            s = u
            slot[r] = u
            uniq[u] = r
            u += 1
        acc[s] += G[i]
    for s in range(u):
        r = uniq[s]
        slot[r] = -1
        g = acc[s]
        p, m, v = P[r], M[r], V[r]
        for c in range(dim):
            mc = b1 * m[c] + c1 * g[c]
            vc = b2 * v[c] + c2 * g[c] * g[c]
            m[c] = mc
            v[c] = vc
            p[c] = keep * p[c] - rate * mc / (np.sqrt(vc) + eps)


@njit(nogil=True, cache=True, fastmath=True)
def sgd_dense(P, G, rate, keep):
    """One plain gradient step on a whole parameter (flat, contiguous arrays): ``P = keep·P − rate·G``."""
    for i in range(P.size):
        P[i] = keep * P[i] - rate * G[i]


@njit(nogil=True, cache=True, fastmath=True)
def sgd_rows(P, ids, G, rate, keep, touched):
    """Plain gradient steps on the rows ``ids`` of ``P`` (rows, dim): each gradient row is subtracted
    in the order given (a repeated id takes all of its rows); with ``keep`` < 1 a touched row first
    shrinks once by ``keep`` (``touched`` (rows,) bool scratch, all False, and left so)."""
    n, dim = G.shape
    if keep != 1:
        for i in range(n):
            r = ids[i]
            if not touched[r]:
                touched[r] = True
                P[r] *= keep
        for i in range(n):
            touched[ids[i]] = False
    for i in range(n):
        p, g = P[ids[i]], G[i]
        for c in range(dim):
            p[c] -= rate * g[c]


@njit(nogil=True, cache=True, fastmath=True)
def blend(A, P, w):
    """``A += w · (P − A)`` over flat, contiguous arrays: one step of a running (exponential) average."""
    for i in range(A.size):
        A[i] += w * (P[i] - A[i])
