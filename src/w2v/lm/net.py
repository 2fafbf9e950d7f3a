"""The neural language model's arithmetic (Bengio et al. 2003), as whole mini-batches of matrix products.

Parameters (``dtype`` float32 for training, float64 for the gradient check)::

    C   (inputs, d)        the shared embedding matrix, one row per input token
    H   (context*d, h)     input → hidden weights;   hb (h,)  hidden bias
    U   (classes, h)       hidden → output weights, one row per predicted class;   b (classes,)
    W   (classes, context*d)   the optional direct connections embeddings → output
    P   (h, d)             with tied embeddings (instead of U): the hidden layer is projected to
                           d and scored against the class's own embedding, U = P C[:classes]ᵀ

For a batch of ``B`` samples with context ids ``ctx`` (B, context) and targets ``y`` (B,)::

    x = concat(C[ctx])          (B, context*d)
    a = tanh(x H + hb)          (B, h)
    s = a Uᵀ + b (+ x Wᵀ)       (B, classes)   scores; P(y | ctx) = softmax(s)[y]
    (tied: o = a P (B, d), s = o C[:classes]ᵀ + b (+ x Wᵀ): a class's input and output embedding are
    one row of C, as in Press & Wolf 2017; ids below ``classes`` are the same tokens as inputs and classes)

The objectives: ``softmax`` (exact cross-entropy over every class); ``sampled`` (sampled
softmax, Jean et al. 2015: the true class and ``k`` classes drawn from a proposal Q, each
score corrected by ``-log(k Q)``, accidental hits masked) and ``nce`` (noise-contrastive
estimation, Mnih & Teh 2012, with the same corrected scores fed to logistic losses).
The sampled objectives touch only the rows of U, b and W of the classes involved, so their
gradients are returned as (rows, values) pairs like C's.  Perplexity never uses them:
:func:`log_probabilities` is always the exact normalised softmax.
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import kernels

BIASES = ("hb", "b")


def _keep(name, lr, weight_decay):
    """What a parameter is multiplied by before a step: decoupled weight decay shrinks the weights by
    ``lr × weight_decay`` of themselves, never the biases."""
    return 1.0 if name in BIASES else 1.0 - lr * weight_decay


def init_params(inputs, classes, context, d, h, direct, log_prior, rng, dtype=np.float32, tied=False):
    """Starting parameters: small uniform embeddings, Glorot-scaled layers, and the output bias
    set to the log of the class frequencies (so training starts from the unigram model).
    ``tied``: a projection P (h, d) instead of the output matrix U (the classes score against C)."""
    n = context * d
    p = {
        "C": rng.uniform(-0.05, 0.05, (inputs, d)),
        "H": rng.uniform(-1, 1, (n, h)) * np.sqrt(6.0 / (n + h)),
        "hb": np.zeros(h),
    }
    if tied:
        p["P"] = rng.uniform(-1, 1, (h, d)) * np.sqrt(6.0 / (h + d))
    else:
        p["U"] = rng.uniform(-1, 1, (classes, h)) * np.sqrt(6.0 / (classes + h)) * 0.5
    p["b"] = np.asarray(log_prior, dtype=np.float64).copy()
    if direct:
        p["W"] = np.zeros((classes, n))
    return {k: v.astype(dtype) for k, v in p.items()}


def dropout_masks(rng, rows, sizes, rate):
    """Dropout masks of shape (rows, size) for each of ``sizes``: 0 with probability ``rate``, else 1/keep.
    Drawn from random bytes (less than half the cost of float draws), so the kept share is ``1 − rate``
    rounded to a 256th (at least one 256th kept and one dropped); the scale is its exact inverse, so the
    expected value of a masked unit is unchanged."""
    level = min(255, max(1, round((1.0 - rate) * 256)))
    scale = np.float32(256 / level)
    return tuple(np.multiply(np.frombuffer(rng.bytes(rows * size), np.uint8).reshape(rows, size) < level, scale,
                             dtype=np.float32) for size in sizes)


def _hidden(p, ctx, masks=None):
    """(x, a): the concatenated embeddings and the hidden layer; with dropout ``masks`` (mask_x,
    mask_a: 0 or 1/(1 − rate)) both are multiplied by their mask (a as (a, tanh before the mask))."""
    B, n = ctx.shape
    x = p["C"][ctx].reshape(B, n * p["C"].shape[1])
    if masks is None:
        return x, np.tanh(x @ p["H"] + p["hb"])
    x *= masks[0]
    t = np.tanh(x @ p["H"] + p["hb"])
    return x, (t * masks[1], t)


def _output(p, a):
    """(what the output rows multiply, the output rows (classes, ·)): (a, U), or tied (a P, C[:classes])."""
    if "P" in p:
        return a @ p["P"], p["C"][:len(p["b"])]
    return a, p["U"]


def scores(p, ctx, classes=None):
    """Unnormalised scores (B, classes), or for the class ids ``classes`` only (columns)."""
    x, a = _hidden(p, ctx)
    a, U = _output(p, a)
    if classes is None:
        s = a @ U.T + p["b"]
        if "W" in p:
            s += x @ p["W"].T
        return s
    s = a @ U[classes].T + p["b"][classes]
    if "W" in p:
        s += x @ p["W"][classes].T
    return s


def log_softmax(s):
    s = s - s.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def log_probabilities(p, ctx, y, batch=256, threads=1):
    """Exact log P(y | ctx) for every sample (float64), normalised over all classes.

    Chunks of ``batch`` samples; ``threads`` > 1 computes chunks side by side (the same numbers)."""
    out = np.empty(len(y), dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    starts = range(0, len(y), batch)
    threads = max(1, min(threads, len(starts)))

    def part(first):
        for lo in starts[first::threads]:
            x, a = _hidden(p, ctx[lo:lo + batch])
            a, U = _output(p, a)
            s = a @ U.T
            if "W" in p:
                s += x @ p["W"].T
            out[lo:lo + batch] = kernels.log_softmax_at(s, y[lo:lo + batch], p["b"])

    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(part, range(threads)))
    else:
        part(0)
    return out


def log_probabilities_reference(p, ctx, y):
    """:func:`log_probabilities` in plain numpy (its test's reference)."""
    s = scores(p, ctx).astype(np.float64)
    return log_softmax(s)[np.arange(len(y)), y]


def distribution(p, ctx):
    """The full next-token distribution for each context row (B, classes), float64."""
    return np.exp(log_softmax(scores(p, ctx).astype(np.float64)))


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def loss_and_grads(p, ctx, y, objective="softmax", sampled=None, log_kq=None, fast=False, masks=None):
    """Mean loss of a batch and its gradients.

    ``sampled`` (k,) are the drawn classes and ``log_kq`` the log of their expected count
    ``k Q(c)`` for every class (for the sampled objectives).  Returns (loss, dense, rows):
    ``dense`` maps names to full gradient arrays, ``rows`` maps names to (row ids, values)
    whose values add up per row (rows may repeat).  ``fast`` computes the loss and the score
    gradients with the fused kernels of :mod:`w2v.lm.kernels` instead of their numpy reference
    (:func:`log_softmax` here, :func:`_sampled_reference`); the matrix products are the same.
    ``masks`` (mask_x (B, context·d), mask_a (B, hidden)) apply dropout to the concatenated
    embeddings and to the hidden layer (entries 0 or 1/(1 − rate)).
    """
    if objective not in ("softmax", "sampled", "nce"):
        raise ValueError(f"unknown objective {objective!r}")
    B, n = ctx.shape
    d = p["C"].shape[1]
    x, a = _hidden(p, ctx, masks)
    if masks is not None:
        a, tanh_a = a
    else:
        tanh_a = a
    dense, rows = {}, {}
    direct = "W" in p
    tied = "P" in p
    hidden, (a, U) = a, _output(p, a)   # tied: a is now o = a P, U the class rows of C
    if objective == "softmax":
        if fast:   # the bias is added, and its gradient summed, in the kernel's cached passes
            s = a @ U.T
            if direct:
                s += x @ p["W"].T
            dense["b"] = np.empty_like(p["b"])
            loss = kernels.softmax_grad(s, y, p["b"], dense["b"])
            g = s
        else:
            s = a @ U.T + p["b"]
            if direct:
                s += x @ p["W"].T
            logp = log_softmax(s)
            loss = -float(logp[np.arange(B), y].astype(np.float64).mean())
            g = np.exp(logp)
            g[np.arange(B), y] -= 1
            g /= B
            dense["b"] = g.sum(axis=0)
        if tied:
            rows["C"] = (np.arange(len(U)), g.T @ a)
        else:
            dense["U"] = g.T @ a
        da = g @ U
        if direct:
            dense["W"] = g.T @ x
            dx_direct = g @ p["W"]
    else:
        U_y, U_s = U[y], U[sampled]
        s_true = np.einsum("ij,ij->i", a, U_y) + p["b"][y]
        s_samp = a @ U_s.T
        s_samp += p["b"][sampled]
        if direct:
            W_y, W_s = p["W"][y], p["W"][sampled]
            s_true += np.einsum("ij,ij->i", x, W_y)
            s_samp += x @ W_s.T
        if fast:
            loss, g_true = kernels.sampled_grad(s_samp, s_true, y, sampled, log_kq[sampled], log_kq[y],
                                                objective == "nce")
            g_samp = s_samp
        else:
            loss, g_true, g_samp = _sampled_reference(s_true, s_samp, y, sampled, log_kq, objective)
        g_true = g_true.astype(a.dtype)
        g_samp = g_samp.astype(a.dtype)
        out_rows = np.concatenate([y, sampled])
        rows["C" if tied else "U"] = (out_rows, np.concatenate([g_true[:, None] * a, g_samp.T @ a]))
        rows["b"] = (out_rows, np.concatenate([g_true, g_samp.sum(axis=0)]))
        da = g_true[:, None] * U_y + g_samp @ U_s
        if direct:
            rows["W"] = (out_rows, np.concatenate([g_true[:, None] * x, g_samp.T @ x]))
            dx_direct = g_true[:, None] * W_y + g_samp @ W_s
    if tied:   # back through the projection o = a P
        dense["P"] = hidden.T @ da
        da = da @ p["P"].T
    dz = da * (1 - tanh_a * tanh_a)
    if masks is not None:
        dz *= masks[1]
    dense["H"] = x.T @ dz
    dense["hb"] = dz.sum(axis=0)
    dx = dz @ p["H"].T
    if direct:
        dx += dx_direct
    if masks is not None:
        dx *= masks[0]
    ids, values = ctx.reshape(-1), dx.reshape(B * n, d)
    if tied:   # the output rows of C first, then the inputs'
        ids, values = np.concatenate([rows["C"][0], ids]), np.concatenate([rows["C"][1], values])
    rows["C"] = (ids, values)
    return loss, dense, rows


def _sampled_reference(s_true, s_samp, y, sampled, log_kq, objective):
    """The sampled objectives in numpy: (mean loss, ∂loss/∂s_true, ∂loss/∂s_samp)."""
    B = len(y)
    s_true = s_true - log_kq[y]
    s_samp = s_samp - log_kq[sampled]
    hit = sampled[None, :] == y[:, None]
    if objective == "sampled":
        s_samp = np.where(hit, -np.inf, s_samp)
        full = np.concatenate([s_true[:, None], s_samp], axis=1)
        logp = log_softmax(full)
        loss = -float(logp[:, 0].astype(np.float64).mean())
        prob = np.exp(logp)
        return loss, (prob[:, 0] - 1) / B, prob[:, 1:] / B
    per = _softplus(-s_true) + np.where(hit, 0.0, _softplus(s_samp)).sum(axis=1)
    loss = float(per.astype(np.float64).mean())
    return loss, (_sigmoid(s_true) - 1) / B, np.where(hit, 0.0, _sigmoid(s_samp)) / B


def densify(p, dense, rows):
    """All gradients as full arrays (for the gradient check)."""
    out = {k: v.copy() for k, v in dense.items()}
    for name, (ids, values) in rows.items():
        full = np.zeros_like(p[name])
        np.add.at(full, ids, values)
        out[name] = out.get(name, 0) + full
    return out


class Adam:
    """Adam (Kingma & Ba 2015) with lazy row updates: a row of C (or of U, b, W under a sampled
    objective) is updated, with its moments, only in the steps whose batch touches it."""

    def __init__(self, p, beta1=0.9, beta2=0.999, eps=1e-8, fast=False):
        self.m = {k: np.zeros_like(v) for k, v in p.items()}
        self.v = {k: np.zeros_like(v) for k, v in p.items()}
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.fast = fast
        self._slots = {}

    def step(self, p, dense, rows, lr, scratch=None, weight_decay=0.0):
        """One step at learning rate ``lr``.  ``scratch``: a dict the fast step keeps its per-row
        scratch in; each training thread passes its own (the parameters are shared, Hogwild).
        ``weight_decay``: the weights (not the biases ``hb``, ``b``) shrink by ``lr × weight_decay``
        of themselves before the step (decoupled, Loshchilov & Hutter 2019); rows only when touched."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        rate = lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        keep = {name: _keep(name, lr, weight_decay) for name in p}
        if self.fast:   # the same step, each parameter in one compiled pass
            self._step_fast(p, dense, rows, rate, self._slots if scratch is None else scratch, keep)
            return
        for name, g in dense.items():
            m, v = self.m[name], self.v[name]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p[name] *= p[name].dtype.type(keep[name])
            p[name] -= (rate * m / (np.sqrt(v) + self.eps)).astype(p[name].dtype)
        for name, (ids, values) in rows.items():
            uniq, inverse = np.unique(ids, return_inverse=True)
            g = np.zeros((len(uniq),) + values.shape[1:], dtype=values.dtype)
            np.add.at(g, inverse, values)
            m = self.m[name][uniq] * b1 + (1 - b1) * g
            v = self.v[name][uniq] * b2 + (1 - b2) * (g * g)
            self.m[name][uniq] = m
            self.v[name][uniq] = v
            p[name][uniq] *= p[name].dtype.type(keep[name])
            p[name][uniq] -= (rate * m / (np.sqrt(v) + self.eps)).astype(p[name].dtype)

    def _step_fast(self, p, dense, rows, rate, slots, keep):
        for name, g in dense.items():
            kernels.adam_dense(p[name].reshape(-1), self.m[name].reshape(-1), self.v[name].reshape(-1),
                               np.ascontiguousarray(g, dtype=p[name].dtype).reshape(-1),
                               *self._scalars(p[name].dtype, rate, keep[name]))
        for name, (ids, values) in rows.items():
            n = len(p[name])
            if name not in slots:
                slots[name] = np.full(n, -1, np.int64)
            kernels.adam_rows(p[name].reshape(n, -1), self.m[name].reshape(n, -1), self.v[name].reshape(n, -1),
                              np.ascontiguousarray(ids, dtype=np.int64),
                              np.ascontiguousarray(values, dtype=p[name].dtype).reshape(len(ids), -1),
                              slots[name], *self._scalars(p[name].dtype, rate, keep[name]))

    def _scalars(self, dtype, rate, keep):
        t = np.dtype(dtype).type
        return t(rate), t(self.beta1), t(1 - self.beta1), t(self.beta2), t(1 - self.beta2), t(self.eps), t(keep)


class SGD:
    """Plain mini-batch gradient descent: every parameter moves by ``−lr ×`` its gradient (the batch's
    mean); rows of C (and of U, b, W under a sampled objective) only in the steps that touch them.
    The optimiser of the paper and of Mikolov's RNNLM toolkit; given many epochs at a rate that suits the
    corpus it ends at a lower perplexity than :class:`Adam` (bench/RESULTS.md, "Language model", section
    13). Its rates are about a hundred times Adam's."""

    def __init__(self, p, fast=False):
        self.fast = fast

    def step(self, p, dense, rows, lr, scratch=None, weight_decay=0.0):
        """One step at learning rate ``lr``; ``scratch`` and ``weight_decay`` as in :meth:`Adam.step`."""
        scratch = {} if scratch is None else scratch
        for name, g in dense.items():
            keep = _keep(name, lr, weight_decay)
            if self.fast:
                t = p[name].dtype.type
                kernels.sgd_dense(p[name].reshape(-1), np.ascontiguousarray(g, dtype=p[name].dtype).reshape(-1),
                                  t(lr), t(keep))
            else:
                p[name] *= p[name].dtype.type(keep)
                p[name] -= (lr * g).astype(p[name].dtype)
        for name, (ids, values) in rows.items():
            keep = _keep(name, lr, weight_decay)
            if self.fast:
                n, t = len(p[name]), p[name].dtype.type
                if name not in scratch:
                    scratch[name] = np.zeros(n, np.bool_)
                kernels.sgd_rows(p[name].reshape(n, -1), np.ascontiguousarray(ids, dtype=np.int64),
                                 np.ascontiguousarray(values, dtype=p[name].dtype).reshape(len(ids), -1),
                                 t(lr), t(keep), scratch[name])
            else:
                uniq = np.unique(ids)
                p[name][uniq] *= p[name].dtype.type(keep)
                np.add.at(p[name], ids, (-lr * values).astype(p[name].dtype))


#: the optimisers by name (``LanguageModel(optimizer=…)``)
OPTIMIZERS = {"adam": Adam, "sgd": SGD}
