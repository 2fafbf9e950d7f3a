"""Exact nearest-neighbour search over a quantised copy of the unit vectors.

A full float32 scan of a 400,000 × 300 matrix reads 480 MB per query and is bound by
memory bandwidth.  These kernels scan an int8 copy (a quarter of the bytes) to get,
for every row, an interval that is *guaranteed* to contain the float32 score the full
scan would compute; only the rows whose interval reaches the k-th best lower end are
then scored exactly.  The result is the same as the full scan's, not an approximation.

Bound, for a row v (float32), its codes c (int8) and scale s, and a query q::

    |v·q − s·(c·q)| ≤ e·‖q‖            e = ‖v − s·c‖ (Cauchy–Schwarz), stored per row
    float32 sums of d products err by ≤ γ·Σ|x_j q_j| ≤ γ·‖x‖·‖q‖,   γ = d·u / (1 − d·u)

so both the scan's approximate score and the exact (BLAS) score lie within
``‖q‖·(e·(1 + γ) + 2γ·‖v‖)`` of each other (with ‖s·c‖ ≤ ‖v‖ + e).
The numpy reference is :meth:`w2v.vectors.KeyedVectors.most_similar` on the plain path.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

_pool = None
_pool_lock = threading.Lock()
ROWS_PER_THREAD = 20_000   # below this a thread hand-off costs more than it saves


def in_threads(kernel, start, stop, *args):
    """Run ``kernel(row0, row1, *args)`` over [start, stop) split across the cores.

    The kernels release the GIL, so plain threads run them in parallel; unlike numba's
    ``parallel=True`` this is safe when several Python threads query at once.
    """
    global _pool
    parts = min(os.cpu_count() or 1, 8, max(1, (stop - start) // ROWS_PER_THREAD))
    if parts == 1:
        kernel(start, stop, *args)
        return
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 8), thread_name_prefix="w2v-query")
    bounds = np.linspace(start, stop, parts + 1).astype(np.int64)
    futures = [_pool.submit(kernel, int(a), int(b), *args) for a, b in zip(bounds[:-1], bounds[1:])]
    for future in futures:
        future.result()


@njit(nogil=True, cache=True)
def quantize_rows(row0, row1, vectors, codes, scales, errors, norms):
    """Per row: int8 codes with scale max|v|/127, the L2 error of the codes, and ‖v‖ (float64)."""
    d = vectors.shape[1]
    for i in range(row0, row1):
        peak = 0.0
        for j in range(d):
            x = abs(np.float64(vectors[i, j]))
            if x > peak:
                peak = x
        scale = peak / 127.0
        inverse = 1.0 / scale if scale > 0 else 0.0
        err = 0.0
        norm = 0.0
        for j in range(d):
            x = np.float64(vectors[i, j])
            c = np.round(x * inverse)
            if c > 127.0:
                c = 127.0
            elif c < -127.0:
                c = -127.0
            codes[i, j] = np.int8(c)
            diff = x - c * scale
            err += diff * diff
            norm += x * x
        scales[i] = scale
        errors[i] = np.sqrt(err)
        norms[i] = np.sqrt(norm)


@njit(nogil=True, cache=True, fastmath=True)
def score_bounds(row0, row1, codes, scales, errors, norms, query, start, a, b, lower, upper):
    """lower/upper[i - start] bracket row i's exact score against ``query``: approx ∓ (e·a + ‖v‖·b)."""
    d = codes.shape[1]
    for i in range(row0, row1):
        acc = np.float32(0.0)
        for j in range(d):
            acc += np.float32(codes[i, j]) * query[j]
        approx = np.float64(acc) * scales[i]
        bound = errors[i] * a + norms[i] * b
        lower[i - start] = approx - bound
        upper[i - start] = approx + bound


@njit(nogil=True, cache=True)
def candidates(lower, upper, k):
    """Indices whose upper bound reaches the k-th largest lower bound (a min-heap of size k)."""
    heap = np.full(k, -np.inf)
    for x in lower:
        if x > heap[0]:
            heap[0] = x
            i = 0
            while True:      # sift down
                left = 2 * i + 1
                if left >= k:
                    break
                child = left
                if left + 1 < k and heap[left + 1] < heap[left]:
                    child = left + 1
                if heap[child] >= heap[i]:
                    break
                heap[i], heap[child] = heap[child], heap[i]
                i = child
    threshold = heap[0]
    count = 0
    for x in upper:
        if x >= threshold:
            count += 1
    out = np.empty(count, dtype=np.int64)
    count = 0
    for i in range(upper.shape[0]):
        if upper[i] >= threshold:
            out[count] = i
            count += 1
    return out, threshold
