"""The training kernels: skip-gram and CBOW × negative sampling, hierarchical softmax and the full softmax.

Numba only.  A call trains on one job (a list of whole sentences) without the GIL, so
several threads update the shared matrices at once (Hogwild).  Everything a kernel needs
is prepared before the epoch as plain arrays and scalars.

Skip-gram uses the HogBatch arrangement (Ji et al. 2016): for one centre word, every
context word of its window is an input, and all of them share one draw of negative
samples.  The window's dot products then form a small dense matrix (inputs × outputs)
whose rows and columns stay in cache, and a window needs ``negative`` random draws
instead of ``negative × 2·window``.  The numpy twins in ``reference.py`` do the same
updates one window at a time; tests hold the two to each other.

The full softmax (``softmax``: the article's skip-gram before negative sampling) scores every
word of the vocabulary for each input, so it has window routines of its own
(:func:`_sg_softmax_window`, :func:`_cbow_softmax_window`); the sentence and window loop,
subsampling and input updates are shared.
"""
from collections import namedtuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: Output rows every window writes (the top of the Huffman tree, the most frequent words'
#: rows for negative sampling) are, with several threads, written by every core in turn: each
#: write moves the row's cache lines between cores.  Measured on 2 cores (bench/bench_kernel.py,
#: bench/RESULTS.md), two threads sharing the matrices ran hierarchical softmax at 1.2x
#: (skip-gram) and 0.8-0.9x (CBOW) one thread's speed, and at 1.9-2.0x with private matrices.  So
#: each job keeps its own copy of these rows and adds what it changed to the shared rows every
#: HOT_SYNC centre words (Hogwild with a short delay on a few rows): 1.8x and 1.7x.  One
#: thread trains on the shared rows directly (no copies: repeatable and the same as before).
HOT_ROWS = 256
HOT_SYNC = 1024

#: Everything the kernel reads and writes during one ``train()`` call, by name.  Numba
#: compiles a namedtuple argument to a struct, so a field cannot be passed in the wrong
#: place; build it with :func:`training_state`, which fixes the scalar types (one
#: signature, one compilation).
TrainState = namedtuple("TrainState", [
    "ids", "offsets",                           # the encoded corpus: sentence s is ids[offsets[s]:offsets[s+1]]
    "syn0", "syn1neg", "syn1",                  # input rows, output rows (negative sampling, softmax)
    "lockf",                                    # per input row: update factor (0: locked); length 1: all ones
    "keep",                                     # subsampling: keep word w when 32 random bits < keep[w]
    "neg_accept", "neg_alias",                  # the noise distribution as an alias table
    "points", "codes", "code_lengths",          # Huffman paths (hierarchical softmax)
    "sg", "hs", "negative", "window", "shrink", "cbow_mean", "compute_loss",
    "syn1softmax", "softmax",                   # output rows and switch of the full softmax (one row per word)
    "hot_rows", "hot_sync",                     # per-job copies of the most shared output rows (0: none), and
])                                              # how many centre words between merges

#: One job: sentences order[begin:end] of the epoch's order, the learning rate falling
#: from alpha_begin to alpha_end across it, and the seed of its random numbers.
Job = namedtuple("Job", "begin end alpha_begin alpha_end seed")

def training_state(ids, offsets, syn0, syn1neg, syn1, lockf, keep, neg_accept, neg_alias, points, codes,
                   code_lengths, sg, hs, negative, window, shrink, cbow_mean, compute_loss, syn1softmax=None,
                   softmax=False, hot_rows=0, hot_sync=HOT_SYNC):
    """A :class:`TrainState` with the kernel's types (missing matrices become 1-row placeholders).

    ``hot_rows`` > 0 (for several threads; see :data:`HOT_ROWS`) gives each job its own copy of
    that many of the most used output rows, merged into the shared matrix every ``hot_sync``
    centre words and at the job's end."""
    d = syn0.shape[1]
    empty = np.zeros((1, d), np.float32)
    return TrainState(
        ids, offsets, syn0, empty if syn1neg is None else syn1neg, empty if syn1 is None else syn1,
        np.ones(1, np.float32) if lockf is None else np.ascontiguousarray(lockf, np.float32),
        keep, neg_accept, neg_alias, points, codes, code_lengths,
        bool(sg), bool(hs), int(negative), int(window), bool(shrink), bool(cbow_mean), bool(compute_loss),
        empty if syn1softmax is None else syn1softmax, bool(softmax), np.int64(hot_rows), np.int64(hot_sync))


def job(begin, end, alpha_begin, alpha_end, seed):
    """A :class:`Job` with the kernel's types."""
    return Job(np.int64(begin), np.int64(end), np.float64(alpha_begin), np.float64(alpha_end), np.uint64(seed))

# fastmath without "no infinities / no NaNs": the sigmoid relies on exp() saturating
_FAST = {"contract", "reassoc", "arcp", "nsz", "afn"}
_MUL = np.uint64(0x2545F4914F6CDD1D)
_LOW32 = np.uint64(0xFFFFFFFF)
_S12 = np.uint64(12)
_S25 = np.uint64(25)
_S27 = np.uint64(27)
_S32 = np.uint64(32)
_CLIP = np.float32(30.0)


@njit(inline="always")
def _next(state):
    """xorshift64*: returns (new state, 64 random bits)."""
    state ^= state >> _S12
    state ^= state << _S25
    state ^= state >> _S27
    return state, state * _MUL


@njit(inline="always")
def _below(bits, n):
    """A uniform integer in [0, n) from the high 32 bits."""
    return np.int64(((bits >> _S32) * np.uint64(n)) >> _S32)


# The logistic function by linear interpolation in a small table: within 1e-6 of the exact
# value (tests hold the kernels to the exact numpy reference), an eighth of the cost of exp().
_SIG_RANGE = 8.0
_SIG_STEPS = 2048
_SIG_SCALE = np.float32(_SIG_STEPS / (2 * _SIG_RANGE))
_SIG_TABLE = (1.0 / (1.0 + np.exp(-np.linspace(-_SIG_RANGE, _SIG_RANGE, _SIG_STEPS + 1)))).astype(np.float32)
_SIG_LAST = np.float32(_SIG_STEPS - 1e-3)


@njit(inline="always")
def _sigmoid(f):
    x = (f + np.float32(_SIG_RANGE)) * _SIG_SCALE
    if x <= np.float32(0.0):
        return np.float32(1.0) / (np.float32(1.0) + np.exp(-f)) if f > -_CLIP else np.float32(0.0)
    if x >= _SIG_LAST:
        return np.float32(1.0) / (np.float32(1.0) + np.exp(-f)) if f < _CLIP else np.float32(1.0)
    i = np.int64(x)
    frac = x - np.float32(i)
    return _SIG_TABLE[i] + frac * (_SIG_TABLE[i + 1] - _SIG_TABLE[i])


@njit(inline="always")
def _pair_loss(f, label):
    # -log sigmoid(f) for label 1, -log sigmoid(-f) for label 0
    x = -f if label > 0.5 else f
    if x > 30.0:
        return np.float64(x)
    return np.log1p(np.exp(np.float64(x)))


@njit(fastmath=_FAST, nogil=True, cache=True)
def _sg_window(syn0, syn1x, ctx, m, tgt, lab, k, alpha, grad, err, compute_loss):
    """One window, skip-gram: the m inputs ``ctx`` each predict the k outputs ``tgt`` (labels ``lab``).
    Accumulates input gradients into ``err`` (applied by the caller) and updates ``syn1x`` rows.

    The three passes (dot products, input gradients, output updates) each take rows four at a
    time, so a loaded vector serves four multiply-adds and ``err``/``syn1x`` rows are read and
    written a quarter as often.
    """
    d = syn0.shape[1]
    loss = 0.0
    for a in range(m):
        c = ctx[a]
        t = 0
        while t + 4 <= k:
            o0, o1, o2, o3 = tgt[t], tgt[t + 1], tgt[t + 2], tgt[t + 3]
            f0 = f1 = f2 = f3 = np.float32(0.0)
            for j in range(d):
                x = syn0[c, j]
                f0 += x * syn1x[o0, j]
                f1 += x * syn1x[o1, j]
                f2 += x * syn1x[o2, j]
                f3 += x * syn1x[o3, j]
            grad[a, t] = (lab[t] - _sigmoid(f0)) * alpha
            grad[a, t + 1] = (lab[t + 1] - _sigmoid(f1)) * alpha
            grad[a, t + 2] = (lab[t + 2] - _sigmoid(f2)) * alpha
            grad[a, t + 3] = (lab[t + 3] - _sigmoid(f3)) * alpha
            if compute_loss:
                loss += _pair_loss(f0, lab[t]) + _pair_loss(f1, lab[t + 1])
                loss += _pair_loss(f2, lab[t + 2]) + _pair_loss(f3, lab[t + 3])
            t += 4
        while t < k:
            o = tgt[t]
            f = np.float32(0.0)
            for j in range(d):
                f += syn0[c, j] * syn1x[o, j]
            grad[a, t] = (lab[t] - _sigmoid(f)) * alpha
            if compute_loss:
                loss += _pair_loss(f, lab[t])
            t += 1
    for a in range(m):
        t = 0
        while t + 4 <= k:
            o0, o1, o2, o3 = tgt[t], tgt[t + 1], tgt[t + 2], tgt[t + 3]
            g0, g1, g2, g3 = grad[a, t], grad[a, t + 1], grad[a, t + 2], grad[a, t + 3]
            for j in range(d):
                err[a, j] += g0 * syn1x[o0, j] + g1 * syn1x[o1, j] + g2 * syn1x[o2, j] + g3 * syn1x[o3, j]
            t += 4
        while t < k:
            o = tgt[t]
            g = grad[a, t]
            for j in range(d):
                err[a, j] += g * syn1x[o, j]
            t += 1
    for t in range(k):
        o = tgt[t]
        a = 0
        while a + 4 <= m:
            c0, c1, c2, c3 = ctx[a], ctx[a + 1], ctx[a + 2], ctx[a + 3]
            g0, g1, g2, g3 = grad[a, t], grad[a + 1, t], grad[a + 2, t], grad[a + 3, t]
            for j in range(d):
                syn1x[o, j] += g0 * syn0[c0, j] + g1 * syn0[c1, j] + g2 * syn0[c2, j] + g3 * syn0[c3, j]
            a += 4
        while a < m:
            c = ctx[a]
            g = grad[a, t]
            for j in range(d):
                syn1x[o, j] += g * syn0[c, j]
            a += 1
    return loss


@njit(fastmath=_FAST, nogil=True, cache=True)
def _cbow_window(h, syn1x, tgt, lab, k, alpha, gvec, neu1e, compute_loss):
    """One window, CBOW: the hidden vector ``h`` predicts the k outputs; accumulates ``neu1e``."""
    d = h.shape[0]
    loss = 0.0
    t = 0
    while t + 4 <= k:
        o0, o1, o2, o3 = tgt[t], tgt[t + 1], tgt[t + 2], tgt[t + 3]
        f0 = f1 = f2 = f3 = np.float32(0.0)
        for j in range(d):
            x = h[j]
            f0 += x * syn1x[o0, j]
            f1 += x * syn1x[o1, j]
            f2 += x * syn1x[o2, j]
            f3 += x * syn1x[o3, j]
        gvec[t] = (lab[t] - _sigmoid(f0)) * alpha
        gvec[t + 1] = (lab[t + 1] - _sigmoid(f1)) * alpha
        gvec[t + 2] = (lab[t + 2] - _sigmoid(f2)) * alpha
        gvec[t + 3] = (lab[t + 3] - _sigmoid(f3)) * alpha
        if compute_loss:
            loss += _pair_loss(f0, lab[t]) + _pair_loss(f1, lab[t + 1])
            loss += _pair_loss(f2, lab[t + 2]) + _pair_loss(f3, lab[t + 3])
        t += 4
    while t < k:
        o = tgt[t]
        f = np.float32(0.0)
        for j in range(d):
            f += h[j] * syn1x[o, j]
        gvec[t] = (lab[t] - _sigmoid(f)) * alpha
        if compute_loss:
            loss += _pair_loss(f, lab[t])
        t += 1
    t = 0
    while t + 4 <= k:
        o0, o1, o2, o3 = tgt[t], tgt[t + 1], tgt[t + 2], tgt[t + 3]
        g0, g1, g2, g3 = gvec[t], gvec[t + 1], gvec[t + 2], gvec[t + 3]
        for j in range(d):
            neu1e[j] += g0 * syn1x[o0, j] + g1 * syn1x[o1, j] + g2 * syn1x[o2, j] + g3 * syn1x[o3, j]
        t += 4
    while t < k:
        o = tgt[t]
        g = gvec[t]
        for j in range(d):
            neu1e[j] += g * syn1x[o, j]
        t += 1
    for t in range(k):
        g = gvec[t]
        o = tgt[t]
        for j in range(d):
            syn1x[o, j] += g * h[j]
    return loss


# The full softmax is not a third target list for _sg_window/_cbow_window: there each output's
# error is label − sigmoid(its own score), known as soon as that one score is; here a word's error
# is onehot − softmax, which needs the scores of all V words first (the normaliser).  So these
# routines compute a whole row of V scores, normalise it, then update every output row; they keep
# _sg_window's shape (scores, then input gradients with the old rows, then the output rows) and
# leave its hot loops untouched.

@njit(fastmath=_FAST, nogil=True, cache=True)
def _sg_softmax_window(syn0, syn1x, ctx, m, word, alpha, grad, err, compute_loss):
    """One window, skip-gram, full softmax: each of the m inputs ``ctx`` predicts ``word`` among all
    rows of ``syn1x``.  ``grad`` (at least m × V) receives alpha × (onehot − probability); input
    gradients accumulate into ``err`` (applied by the caller); every row of ``syn1x`` is updated.
    Returns the summed cross-entropy, -log probability(word) per input (0 unless ``compute_loss``)."""
    d = syn0.shape[1]
    n_out = syn1x.shape[0]
    loss = 0.0
    # scores: output rows in the outer loop, so each is read once per window, not once per input
    for o in range(n_out):
        for a in range(m):
            c = ctx[a]
            f = np.float32(0.0)
            for j in range(d):
                f += syn0[c, j] * syn1x[o, j]
            grad[a, o] = f
    for a in range(m):
        top = grad[a, 0]
        for o in range(1, n_out):
            top = max(top, grad[a, o])
        target_score = grad[a, word] - top
        total = 0.0   # float64: V terms
        for o in range(n_out):
            e = np.exp(grad[a, o] - top)
            grad[a, o] = e
            total += e
        scale = np.float32(-alpha / total)
        for o in range(n_out):
            grad[a, o] *= scale
        grad[a, word] += alpha
        if compute_loss:
            loss += np.log(total) - target_score
    # input gradients with the old output rows, then the output rows themselves
    for o in range(n_out):
        for a in range(m):
            g = grad[a, o]
            for j in range(d):
                err[a, j] += g * syn1x[o, j]
        for a in range(m):
            g = grad[a, o]
            c = ctx[a]
            for j in range(d):
                syn1x[o, j] += g * syn0[c, j]
    return loss


@njit(fastmath=_FAST, nogil=True, cache=True)
def _cbow_softmax_window(h, syn1x, word, alpha, gvec, neu1e, compute_loss):
    """One window, CBOW, full softmax: the hidden vector ``h`` predicts ``word`` among all rows of
    ``syn1x``; accumulates ``neu1e`` and updates every output row.  Returns -log probability(word)."""
    d = h.shape[0]
    n_out = syn1x.shape[0]
    top = -np.inf
    for o in range(n_out):
        f = np.float32(0.0)
        for j in range(d):
            f += h[j] * syn1x[o, j]
        gvec[o] = f
        top = max(top, f)
    target_score = gvec[word] - top
    total = 0.0
    for o in range(n_out):
        e = np.exp(gvec[o] - np.float32(top))
        gvec[o] = e
        total += e
    scale = np.float32(-alpha / total)
    for o in range(n_out):
        gvec[o] *= scale
    gvec[word] += alpha
    for o in range(n_out):
        g = gvec[o]
        for j in range(d):
            w = syn1x[o, j]
            neu1e[j] += g * w
            syn1x[o, j] = w + g * h[j]
    return np.log(total) - target_score if compute_loss else 0.0


@njit(inline="always")
def _draw_negatives(state, tgt, lab, word, negative, neg_accept, neg_alias):
    n = neg_alias.shape[0]
    tgt[0] = word
    lab[0] = np.float32(1.0)
    for t in range(1, negative + 1):
        neg = word
        for _ in range(8):  # redraw the output word itself (a bounded number of times)
            state, bits = _next(state)
            neg = _below(bits, n)
            if (bits & _LOW32) >= neg_accept[neg]:
                neg = neg_alias[neg]
            if neg != word:
                break
        tgt[t] = neg
        lab[t] = np.float32(0.0)
    return state


@njit(inline="always")
def _hs_targets(word, points, codes, code_lengths, tgt, lab):
    """Hierarchical softmax: the inner nodes on the word's Huffman path, and the label of each
    (1 - the branch bit).  Returns how many."""
    k = code_lengths[word]
    for t in range(k):
        tgt[t] = points[word, t]
        lab[t] = np.float32(1.0) - np.float32(codes[word, t])
    return k


@njit(inline="always")
def _add_locked(syn0, c, vec, lockf):
    """syn0[c] += vec times the row's lock factor (0: the row does not move)."""
    f = lockf[c]
    for j in range(syn0.shape[1]):
        syn0[c, j] += f * vec[j]


@intrinsic
def _prefetch_row(typingctx, matrix, row):
    """Start loading row ``row`` of a 2-D C-contiguous matrix into the cache (one ``llvm.prefetch``
    per 64-byte line), so that the window that needs it later does not wait for memory."""
    sig = types.void(matrix, row)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        zero = context.get_constant(types.intp, 0)
        index = context.cast(builder, args[1], signature.args[1], types.intp)
        ptr = cgutils.get_item_pointer2(context, builder, data=ary.data, shape=cgutils.unpack_tuple(builder, ary.shape),
                                        strides=cgutils.unpack_tuple(builder, ary.strides), layout=aryty.layout,
                                        inds=[index, zero], wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]),
                                            "llvm.prefetch.p0")
        base = builder.bitcast(ptr, i8p)
        nbytes = builder.mul(builder.extract_value(ary.shape, 1),
                             context.get_constant(types.intp, aryty.dtype.bitwidth // 8))
        with cgutils.for_range_slice(builder, zero, nbytes, context.get_constant(types.intp, 64)) as (offset, _):
            builder.call(fn, [builder.gep(base, [offset]), i32(0), i32(3), i32(1)])   # read, keep, data
        return context.get_dummy_value()

    return sig, codegen


#: Hierarchical softmax: the nodes of a Huffman path from this depth on are prefetched for the
#: next centre word (the ones above are shared by so many words that they stay in cache).
_PREFETCH_DEPTH = 4


@njit(inline="always")
def _split_hot(tgt, lab, k, lo, n_hot, htgt, hlab):
    """Move the targets in rows [lo, lo + n_hot) to ``htgt``/``hlab`` (as local row numbers), keeping
    the others in order at the front of ``tgt``/``lab``.  Returns (hot count, other count)."""
    kh = 0
    kc = 0
    for t in range(k):
        o = tgt[t]
        if lo <= o < lo + n_hot:
            htgt[kh] = o - lo
            hlab[kh] = lab[t]
            kh += 1
        else:
            tgt[kc] = o
            lab[kc] = lab[t]
            kc += 1
    return kh, kc


@njit(fastmath=_FAST, inline="always")
def _merge_hot(shared, lo, local, base):
    """Add what this job changed in its copies (local - base) to the shared rows, and take the
    shared rows (with the other threads' changes) as the new copies."""
    for r in range(local.shape[0]):
        for j in range(local.shape[1]):
            v = shared[lo + r, j] + (local[r, j] - base[r, j])
            shared[lo + r, j] = v
            local[r, j] = v
            base[r, j] = v


@njit(nogil=True, cache=True)
def train_job(st, order, job):
    """Train on sentences ``order[job.begin]`` … ``order[job.end - 1]`` of the :class:`TrainState` ``st``.

    The learning rate falls linearly from ``job.alpha_begin`` to ``job.alpha_end`` across the job.
    Returns (words trained after subsampling, summed loss or 0).
    """
    # The fields are passed on one by one: LLVM optimises the loops below better on plain
    # array arguments than on arrays read out of a struct (measured: 35% on CBOW).
    return _train_job(st.ids, st.offsets, order, job.begin, job.end, st.syn0, st.syn1neg, st.syn1, st.lockf,
                      st.keep, st.neg_accept, st.neg_alias, st.points, st.codes, st.code_lengths,
                      st.sg, st.hs, st.negative, st.window, st.shrink, st.cbow_mean,
                      job.alpha_begin, job.alpha_end, job.seed, st.compute_loss, st.syn1softmax, st.softmax,
                      st.hot_rows, st.hot_sync)


@njit(nogil=True, cache=True, fastmath=_FAST)
def _train_job(ids, offsets, order, q_begin, q_end, syn0, syn1neg, syn1, lockf, keep, neg_accept, neg_alias,
               points, codes, code_lengths, sg, hs, negative, window, shrink, cbow_mean,
               alpha_begin, alpha_end, seed, compute_loss, syn1softmax, softmax, hot_rows, hot_sync):
    locked = lockf.shape[0] > 1
    d = syn0.shape[1]
    state = np.uint64(seed) | np.uint64(1)
    longest = 0
    job_words = 0
    for q in range(q_begin, q_end):
        s = order[q]
        longest = max(longest, offsets[s + 1] - offsets[s])
        job_words += offsets[s + 1] - offsets[s]
    sentence = np.empty(longest, np.int32)
    width = 2 * window
    kmax = max(negative + 1, points.shape[1])
    if softmax:   # a score per word of the vocabulary
        kmax = max(kmax, syn1softmax.shape[0])
    ctx = np.empty(width, np.int32)
    tgt = np.empty(kmax, np.int32)
    lab = np.empty(kmax, np.float32)
    grad = np.empty((width, kmax), np.float32)
    err = np.empty((width, d), np.float32)
    h = np.empty(d, np.float32)
    neu1e = np.empty(d, np.float32)
    # this job's copies of the most shared output rows: negative sampling's first rows (the most
    # frequent words), hierarchical softmax's last (the top of the Huffman tree)
    n_neg_hot = min(hot_rows, syn1neg.shape[0]) if negative else 0
    n_hs_hot = min(hot_rows, syn1.shape[0]) if hs else 0
    hs_lo = syn1.shape[0] - n_hs_hot
    neg_hot = syn1neg[:n_neg_hot].copy()
    neg_base = neg_hot.copy()
    hs_hot = syn1[hs_lo:].copy()
    hs_base = hs_hot.copy()
    htgt = np.empty(kmax, np.int32)
    hlab = np.empty(kmax, np.float32)
    # negative samples are drawn one window ahead (n...), so their rows can be prefetched; this
    # window's (c...) are split in place between the row copies and the shared rows
    ntgt = np.empty(negative + 1, np.int32)
    nlab = np.empty(negative + 1, np.float32)
    ctgt = np.empty(negative + 1, np.int32)
    clab = np.empty(negative + 1, np.float32)
    since_merge = 0
    done = 0
    effective = 0
    loss = 0.0
    for q in range(q_begin, q_end):
        s = order[q]
        start = offsets[s]
        stop = offsets[s + 1]
        alpha = np.float32(alpha_begin + (alpha_end - alpha_begin) * (done / max(job_words, 1)))
        done += stop - start
        n = 0
        for p in range(start, stop):
            w = ids[p]
            if keep[w] < np.uint64(4294967296):
                state, bits = _next(state)
                if (bits & _LOW32) >= keep[w]:
                    continue
            sentence[n] = w
            n += 1
        effective += n
        if negative and n > 0:
            state = _draw_negatives(state, ntgt, nlab, sentence[0], negative, neg_accept, neg_alias)
        for i in range(n):
            if hot_rows:
                since_merge += 1
                if since_merge >= hot_sync:
                    _merge_hot(syn1neg, 0, neg_hot, neg_base)
                    _merge_hot(syn1, hs_lo, hs_hot, hs_base)
                    since_merge = 0
            word = sentence[i]
            if negative:
                for t in range(negative + 1):
                    ctgt[t] = ntgt[t]
                    clab[t] = nlab[t]
                if i + 1 < n:
                    state = _draw_negatives(state, ntgt, nlab, sentence[i + 1], negative, neg_accept, neg_alias)
                    for t in range(1, negative + 1):
                        if ntgt[t] >= n_neg_hot:
                            _prefetch_row(syn1neg, ntgt[t])
            if i + 1 < n and not softmax:   # the next window's known rows, while this one computes
                nxt = sentence[i + 1]
                if negative and nxt >= n_neg_hot:
                    _prefetch_row(syn1neg, nxt)
                if hs:
                    for t in range(_PREFETCH_DEPTH, code_lengths[nxt]):
                        _prefetch_row(syn1, points[nxt, t])
                if i + 1 + window < n:
                    _prefetch_row(syn0, sentence[i + 1 + window])
            span = window
            if shrink:
                state, bits = _next(state)
                span = window - _below(bits, window)
            lo = max(0, i - span)
            hi = min(n, i + span + 1)
            m = 0
            for j in range(lo, hi):
                if j != i:
                    ctx[m] = sentence[j]
                    m += 1
            if m == 0:
                continue
            if sg:
                for a in range(m):
                    for j in range(d):
                        err[a, j] = 0.0
                # the targets in this job's row copies and the others: two calls, the same updates
                if hs:
                    k = _hs_targets(word, points, codes, code_lengths, tgt, lab)
                    kh, k = _split_hot(tgt, lab, k, hs_lo, n_hs_hot, htgt, hlab)
                    loss += _sg_window(syn0, hs_hot, ctx, m, htgt, hlab, kh, alpha, grad, err, compute_loss)
                    loss += _sg_window(syn0, syn1, ctx, m, tgt, lab, k, alpha, grad, err, compute_loss)
                if negative:
                    kh, k = _split_hot(ctgt, clab, negative + 1, 0, n_neg_hot, htgt, hlab)
                    loss += _sg_window(syn0, neg_hot, ctx, m, htgt, hlab, kh, alpha, grad, err, compute_loss)
                    loss += _sg_window(syn0, syn1neg, ctx, m, ctgt, clab, k, alpha, grad, err, compute_loss)
                if softmax:
                    loss += _sg_softmax_window(syn0, syn1softmax, ctx, m, word, alpha, grad, err, compute_loss)
                if locked:
                    for a in range(m):
                        _add_locked(syn0, ctx[a], err[a], lockf)
                else:       # the hot path, kept apart: a lock test inside this loop cost skip-gram ~15%
                    for a in range(m):
                        c = ctx[a]
                        for j in range(d):
                            syn0[c, j] += err[a, j]
            else:
                for j in range(d):
                    h[j] = 0.0
                    neu1e[j] = 0.0
                for a in range(m):
                    c = ctx[a]
                    for j in range(d):
                        h[j] += syn0[c, j]
                if cbow_mean:
                    inv = np.float32(1.0) / np.float32(m)
                    for j in range(d):
                        h[j] *= inv
                if hs:
                    k = _hs_targets(word, points, codes, code_lengths, tgt, lab)
                    kh, k = _split_hot(tgt, lab, k, hs_lo, n_hs_hot, htgt, hlab)
                    loss += _cbow_window(h, hs_hot, htgt, hlab, kh, alpha, grad[0], neu1e, compute_loss)
                    loss += _cbow_window(h, syn1, tgt, lab, k, alpha, grad[0], neu1e, compute_loss)
                if negative:
                    kh, k = _split_hot(ctgt, clab, negative + 1, 0, n_neg_hot, htgt, hlab)
                    loss += _cbow_window(h, neg_hot, htgt, hlab, kh, alpha, grad[0], neu1e, compute_loss)
                    loss += _cbow_window(h, syn1neg, ctgt, clab, k, alpha, grad[0], neu1e, compute_loss)
                if softmax:
                    loss += _cbow_softmax_window(h, syn1softmax, word, alpha, grad[0], neu1e, compute_loss)
                if not cbow_mean:  # a summed input spreads its error over its words
                    inv = np.float32(1.0) / np.float32(m)
                    for j in range(d):
                        neu1e[j] *= inv
                if locked:
                    for a in range(m):
                        _add_locked(syn0, ctx[a], neu1e, lockf)
                else:
                    for a in range(m):
                        c = ctx[a]
                        for j in range(d):
                            syn0[c, j] += neu1e[j]
    _merge_hot(syn1neg, 0, neg_hot, neg_base)
    _merge_hot(syn1, hs_lo, hs_hot, hs_base)
    return effective, loss


def is_compiled(dispatcher, args):
    """Whether calling ``dispatcher`` on ``args`` runs at once: compiled in this process, or in
    numba's on-disk cache for this source, signature and machine.  (Reads numba's cache index, a
    small file; where numba's internals differ from the expected ones, answers True.)"""
    from numba import typeof

    try:
        sig = tuple(typeof(a) for a in args)
        if sig in dispatcher.overloads:
            return True
        cache = dispatcher._cache
        key = cache._index_key(sig, dispatcher.targetctx.codegen())
        return key in cache._cache_file._load_index()
    except Exception:  # noqa: BLE001 - a hint only; never let it stop training
        return True
