"""Many exact nearest-neighbour searches in one pass over the int8 copy of the unit vectors.

One query alone (:mod:`w2v.kernels.query`) reads the whole int8 copy (120 MB for
400,000 × 300) and converts every code to float: on two cores that is ~12 ms, so 8 clients
asking at once wait ~100 ms each.  :func:`batch_scores` scores a block of rows against
several queries while the rows are in cache (two rows × eight queries per inner loop), so
8 queries cost ~3.5 ms each.  :func:`batch_candidates` then turns one query's scores into
the same guaranteed intervals as :func:`w2v.kernels.query.score_bounds` and keeps the rows
that can still make its top k, as :func:`w2v.kernels.query.candidates` does.

The readable twins are :func:`batch_scores_reference` and :func:`batch_candidates_reference`.
"""
import numpy as np
from numba import njit


@njit(nogil=True, cache=True, fastmath=True)
def batch_scores(row0, row1, codes, queries, slots, out):
    """``out[slots[b], i] = Σ_j codes[i, j] · queries[b, j]`` (float32) for rows [row0, row1).

    The number of queries must be a multiple of 4 (pad with zero queries).  Two rows are
    scored against eight (then four) queries per inner loop: each code is converted to float
    once for all of them, and the loop over j is vectorised by the compiler.
    """
    n_queries, d = queries.shape
    eights = n_queries - n_queries % 8
    i = row0
    while i < row1:
        r1 = i + 1 if i + 1 < row1 else i      # an odd last row is scored twice, stored once
        for b in range(0, eights, 8):
            a0 = np.float32(0.0)
            a1 = np.float32(0.0)
            a2 = np.float32(0.0)
            a3 = np.float32(0.0)
            a4 = np.float32(0.0)
            a5 = np.float32(0.0)
            a6 = np.float32(0.0)
            a7 = np.float32(0.0)
            c0 = np.float32(0.0)
            c1 = np.float32(0.0)
            c2 = np.float32(0.0)
            c3 = np.float32(0.0)
            c4 = np.float32(0.0)
            c5 = np.float32(0.0)
            c6 = np.float32(0.0)
            c7 = np.float32(0.0)
            for j in range(d):
                x = np.float32(codes[i, j])
                y = np.float32(codes[r1, j])
                q = queries[b, j]
                a0 += x * q
                c0 += y * q
                q = queries[b + 1, j]
                a1 += x * q
                c1 += y * q
                q = queries[b + 2, j]
                a2 += x * q
                c2 += y * q
                q = queries[b + 3, j]
                a3 += x * q
                c3 += y * q
                q = queries[b + 4, j]
                a4 += x * q
                c4 += y * q
                q = queries[b + 5, j]
                a5 += x * q
                c5 += y * q
                q = queries[b + 6, j]
                a6 += x * q
                c6 += y * q
                q = queries[b + 7, j]
                a7 += x * q
                c7 += y * q
            out[slots[b], i] = a0
            out[slots[b + 1], i] = a1
            out[slots[b + 2], i] = a2
            out[slots[b + 3], i] = a3
            out[slots[b + 4], i] = a4
            out[slots[b + 5], i] = a5
            out[slots[b + 6], i] = a6
            out[slots[b + 7], i] = a7
            out[slots[b], r1] = c0
            out[slots[b + 1], r1] = c1
            out[slots[b + 2], r1] = c2
            out[slots[b + 3], r1] = c3
            out[slots[b + 4], r1] = c4
            out[slots[b + 5], r1] = c5
            out[slots[b + 6], r1] = c6
            out[slots[b + 7], r1] = c7
        for b in range(eights, n_queries, 4):
            a0 = np.float32(0.0)
            a1 = np.float32(0.0)
            a2 = np.float32(0.0)
            a3 = np.float32(0.0)
            c0 = np.float32(0.0)
            c1 = np.float32(0.0)
            c2 = np.float32(0.0)
            c3 = np.float32(0.0)
            for j in range(d):
                x = np.float32(codes[i, j])
                y = np.float32(codes[r1, j])
                q = queries[b, j]
                a0 += x * q
                c0 += y * q
                q = queries[b + 1, j]
                a1 += x * q
                c1 += y * q
                q = queries[b + 2, j]
                a2 += x * q
                c2 += y * q
                q = queries[b + 3, j]
                a3 += x * q
                c3 += y * q
            out[slots[b], i] = a0
            out[slots[b + 1], i] = a1
            out[slots[b + 2], i] = a2
            out[slots[b + 3], i] = a3
            out[slots[b], r1] = c0
            out[slots[b + 1], r1] = c1
            out[slots[b + 2], r1] = c2
            out[slots[b + 3], r1] = c3
        i += 2


@njit(nogil=True, cache=True)
def batch_candidates(scores, stop, scales, slack, k, spread, rounding):
    """Rows below ``stop`` whose upper bound reaches the k-th largest lower bound, and that bound.

    Row i's score lies in ``float64(scores[i])·scales[i] ∓ (slack[i] + spread[i]·rounding)``:
    with ``slack = errors·a + norms·b`` the interval of :func:`w2v.kernels.query.score_bounds`
    (any larger slack is as safe, it only lets more rows through).  ``rounding`` is the L2 error of
    an int8 copy of the query when the scores were computed from that copy (0 otherwise), and
    ``spread = norms + errors`` bounds ‖scales[i]·codes[i]‖, so ``spread·rounding`` bounds what
    the query's rounding changed.  A score of -inf marks a row that is never an answer.
    """
    heap = np.full(k, -np.inf)
    for i in range(stop):
        lower = np.float64(scores[i]) * scales[i] - slack[i] - spread[i] * rounding
        if lower > heap[0]:
            heap[0] = lower
            p = 0
            while True:      # sift down
                left = 2 * p + 1
                if left >= k:
                    break
                child = left
                if left + 1 < k and heap[left + 1] < heap[left]:
                    child = left + 1
                if heap[child] >= heap[p]:
                    break
                heap[p], heap[child] = heap[child], heap[p]
                p = child
    threshold = heap[0]
    found = np.empty(stop, dtype=np.int64)       # pages are only touched for the few rows kept
    count = 0
    for i in range(stop):
        if np.float64(scores[i]) * scales[i] + slack[i] + spread[i] * rounding >= threshold and scores[i] != -np.inf:
            found[count] = i
            count += 1
    return found[:count].copy(), threshold


def batch_scores_reference(codes, queries):
    """The readable twin of :func:`batch_scores`: one float32 matrix product (queries × rows)."""
    return np.asarray(queries, dtype=np.float32) @ np.asarray(codes, dtype=np.float32).T


def quantize_query(vector):
    """An int8 copy of a query for ``w2v._textio.int8_scan``: (codes + 128 as uint8, scale, bound).

    ``scale · codes`` is the query to within ``bound`` in L2 norm (rounded up); a zero query is all zeros.
    """
    v = np.asarray(vector, dtype=np.float64)
    peak = float(np.max(np.abs(v))) if v.size else 0.0
    scale = peak / 127.0
    codes = np.clip(np.rint(v / scale), -127, 127) if scale > 0 else np.zeros_like(v)
    bound = float(np.linalg.norm(v - scale * codes)) * (1 + 1e-9) + 1e-12
    return (codes + 128).astype(np.uint8), scale, bound


def int8_scan_reference(codes, u8_queries, scales):
    """The readable twin of ``w2v._textio.int8_scan``: exact integer products, scaled (queries × rows)."""
    dots = (np.asarray(u8_queries, dtype=np.int64)[:, :codes.shape[1]] - 128) @ np.asarray(codes, dtype=np.int64).T
    return (np.asarray(scales, dtype=np.float64)[:, None] * dots).astype(np.float32)


def batch_candidates_reference(scores, stop, scales, slack, k, spread, rounding):
    """The readable twin of :func:`batch_candidates`."""
    scores = np.asarray(scores[:stop], dtype=np.float64)
    keep = scores != -np.inf
    approx = scores * scales[:stop]
    extra = spread[:stop] * rounding
    lower = np.where(keep, approx - slack[:stop] - extra, -np.inf)
    upper = np.where(keep, approx + slack[:stop] + extra, -np.inf)
    threshold = np.sort(lower)[-k] if k <= stop else -np.inf
    return np.flatnonzero(keep & (upper >= threshold)), threshold
