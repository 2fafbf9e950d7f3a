"""Neighbour searches of concurrent requests, answered by shared passes over the vectors.

``KeyedVectors.most_similar`` on a big vocabulary scans the whole int8 copy of the unit
vectors for every query.  With 8 clients asking at once on 2 cores the queries queue up
behind each other (~12 ms each, ~100 ms waits).  Here one scanner thread goes round the
rows in chunks, without stopping, for every query in flight: a query joins at whatever
chunk the scanner is on and is finished one full turn later, so it waits for neither the
queries before it nor those after it, and each chunk is read once for all of them
(:func:`w2v.kernels.batch_query.batch_scores`).  The chunk is split across the cores.

The answers are exactly ``kv.most_similar``'s: the query vector comes from
``most_similar`` itself (through its ``indexer`` hook), the scores become the same
guaranteed intervals as its own fast path, and the surviving rows are scored and ranked by
its own exact scoring.  Whenever its fast path would step aside (a non-finite query, a k
close to the vocabulary size, too few rows) ``most_similar`` answers on its own.
"""
import collections
import os
import threading
from concurrent.futures import Future

import numpy as np

from ..kernels.batch_query import batch_candidates, batch_scores, quantize_query
from ..vectors import FAST_SEARCH_MIN_ROWS


def _int8_scan():
    """``w2v._textio.int8_scan`` where this processor runs it (AVX-512 VNNI), else None."""
    try:
        from .. import _textio
    except ImportError:
        return None
    available = getattr(_textio, "int8_scan_available", None)
    return _textio.int8_scan if available is not None and available() else None

CHUNK_ROWS = 16_384         # a chunk of a 300-d int8 copy is 5 MB
MAX_IN_FLIGHT = 16          # queries scanned together (more wait for a free score row)
SCORE_BYTES = 64 << 20      # at most this much for the score rows of the queries in flight
WAIT_SECONDS = 120.0
UNIT_SLACK = 1e-3           # query vectors are unit length (most_similar normalises them): ‖q‖ ≤ 1 + this


class _Fallback(Exception):
    """most_similar's own search must answer this query."""


class _Query:
    __slots__ = ("vector", "scale", "slot", "parts_left", "error", "done")

    def __init__(self, vector, scale, slot, parts):
        self.vector = vector        # float32, or the int8 copy + 128 (uint8) with its scale
        self.scale = scale
        self.slot = slot
        self.parts_left = parts
        self.error = None
        self.done = Future()


class _Scanner:
    """One thread going round its own rows [lo, hi) in chunks, scoring every query it holds.

    A query joins at whatever chunk the thread is on and leaves one full round later.
    """

    def __init__(self, shared, lo, hi, chunk_rows, name):
        self.shared = shared
        self.bounds = np.append(np.arange(lo, hi, max(1, int(chunk_rows)), dtype=np.int64), hi)
        self.inbox = collections.deque()      # appended by the requests' threads
        self.wake = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def add(self, query):
        self.inbox.append(query)
        self.wake.set()

    def _run(self):
        shared, bounds = self.shared, self.bounds
        chunks = len(bounds) - 1
        active, left, queries, slots, chunk = [], [], None, None, 0
        while True:
            if not active and not self.inbox:
                self.wake.wait()
                self.wake.clear()
            if shared.closed:
                for q in active + list(self.inbox):
                    shared.finish(q, RuntimeError("the shared scan was closed"))
                return
            if self.inbox:
                while self.inbox:
                    active.append(self.inbox.popleft())
                    left.append(chunks)
                queries = None
            if not active:
                continue
            try:
                if queries is None:
                    # The kernels score queries four at a time; zero queries written to the scratch row pad
                    # the block (four queries cost hardly more than one: the codes are read once for all).
                    pad = -len(active) % 4
                    queries, scales = shared.query_block(len(active) + pad)
                    for row, q in enumerate(active):
                        queries[row, :len(q.vector)] = q.vector
                        scales[row] = q.scale
                    slots = np.array([q.slot for q in active] + [shared.scratch] * pad, dtype=np.int64)
                shared.score(bounds[chunk], bounds[chunk + 1], queries, scales, slots)
            except BaseException as exc:       # a failure must not leave requests waiting
                for q in active:
                    shared.finish(q, exc)
                active, left, queries = [], [], None
                continue
            chunk = (chunk + 1) % chunks
            left = [n - 1 for n in left]
            if 0 in left:
                for q, n in zip(active, left):
                    if n == 0:
                        shared.finish(q)
                active = [q for q, n in zip(active, left) if n]
                left = [n for n in left if n]
                queries = None


class SharedScan:
    """Scores every query in flight against every row of ``codes``, each row once for all of them.

    The rows are split between ``workers`` threads (default: one per core), each going round
    its share in chunks (:class:`_Scanner`).  ``scores_of(query)`` blocks until the query has
    been through all rows and returns the index of the row of :attr:`scores` holding its
    float32 products with the codes; ``release`` gives that row back.
    """

    def __init__(self, codes, workers=None, chunk_rows=CHUNK_ROWS, in_flight=None, int8=None):
        self.codes = codes
        n = len(codes)
        # Where the processor has AVX-512 VNNI, the queries are rounded to int8 too and scored with exact
        # integer products (1.4x the float kernel); the rounding is given back as a bound (``rounding``).
        self._int8 = _int8_scan() if int8 is None or int8 else None
        if int8 and self._int8 is None:
            raise RuntimeError("int8 scan unavailable on this processor or build")
        if self._int8 is not None:
            self._rowsum = codes.sum(axis=1, dtype=np.int32)
            self._stride = -(-codes.shape[1] // 64) * 64
        if in_flight is None:
            in_flight = SCORE_BYTES // max(1, 4 * n)
        # one row per query in flight, and a scratch row for the padding queries
        self.scores = np.empty((max(2, min(MAX_IN_FLIGHT, int(in_flight))) + 1, n), dtype=np.float32)
        self.scratch = len(self.scores) - 1
        self.rounding = np.zeros(len(self.scores))     # per score row: its query's int8 rounding bound
        self.closed = False
        self._free = list(range(self.scratch))[::-1]
        self._cond = threading.Condition()
        workers = max(1, min(int(workers or os.cpu_count() or 1), max(1, n // 1024)))
        edges = np.linspace(0, n, workers + 1).astype(np.int64)
        self._scanners = [_Scanner(self, int(a), int(b), chunk_rows, f"w2v-scan-{k}")
                          for k, (a, b) in enumerate(zip(edges[:-1], edges[1:]))]

    def scores_of(self, vector):
        """Block until ``vector`` (d floats) has been scored against all rows; the index of its score row."""
        vector = np.ascontiguousarray(vector, dtype=np.float32)
        if vector.shape != self.codes.shape[1:]:
            raise ValueError(f"a query of shape {vector.shape} for rows of {self.codes.shape[1]} dimensions")
        with self._cond:
            while not self._free and not self.closed:
                if not self._cond.wait(WAIT_SECONDS):
                    raise TimeoutError("no free score row")
            if self.closed:
                raise RuntimeError("the shared scan is closed")
            slot = self._free.pop()
        if self._int8 is not None:
            u8, scale, self.rounding[slot] = quantize_query(vector)
            query = _Query(u8, scale, slot, len(self._scanners))
        else:
            query = _Query(vector, 1.0, slot, len(self._scanners))
        for scanner in self._scanners:
            scanner.add(query)
        try:
            query.done.result(WAIT_SECONDS)
        except TimeoutError:      # the row is given back when the scanners get round to finishing it
            query.done.add_done_callback(lambda _: self.release(slot))
            raise
        except BaseException:     # every scanner has let go of the row
            self.release(slot)
            raise
        return slot

    def query_block(self, rows):
        """Room for ``rows`` queries (zero queries) and their scales, in the active kernel's layout."""
        if self._int8 is not None:
            return np.full((rows, self._stride), 128, dtype=np.uint8), np.zeros(rows)
        return np.zeros((rows, self.codes.shape[1]), dtype=np.float32), np.ones(rows)

    def score(self, row0, row1, queries, scales, slots):
        """Scores rows [row0, row1) of the codes against ``queries`` into the score rows ``slots``."""
        if self._int8 is not None:
            n, d = self.codes.shape
            self._int8(int(row0), int(row1), self.codes, d, queries, self._stride, len(slots), self._rowsum,
                       scales, slots, self.scores, n)
        else:
            batch_scores(row0, row1, self.codes, queries, slots, self.scores)

    def finish(self, query, error=None):
        """A scanner is done with ``query`` (or failed on it); the last one to finish answers."""
        with self._cond:
            query.parts_left -= 1
            query.error = query.error or error
            last = query.parts_left == 0
        if last:
            if query.error is None:
                query.done.set_result(None)
            else:
                query.done.set_exception(query.error)

    def release(self, slot):
        with self._cond:
            self._free.append(slot)
            self._cond.notify()

    def close(self):
        with self._cond:
            self.closed = True
            self._cond.notify_all()
        for scanner in self._scanners:
            scanner.wake.set()
        for scanner in self._scanners:
            scanner.thread.join(WAIT_SECONDS)


class _OneSearch:
    """The ``indexer`` of one ``most_similar`` call: its query vector goes through the shared scan."""

    def __init__(self, search, stop, exclude):
        self.search, self.stop, self.exclude = search, stop, exclude

    def most_similar(self, mean, topn):
        s, kv = self.search, self.search.kv
        k = int(topn)
        query = np.asarray(mean)
        if k >= self.stop - len(self.exclude) or not np.isfinite(query).all():
            raise _Fallback
        # most_similar's fast path brackets row i's score by errors[i]·a + norms[i]·b, a and b growing
        # with ‖query‖; the slack kept for unit queries covers every query up to that norm.
        margin = kv._rounding_margin(query)
        a = float(np.linalg.norm(query.astype(np.float64))) + margin
        if a > s.unit_a or 2 * margin > s.unit_b:
            raise _Fallback
        slot = s.scan.scores_of(query.astype(np.float32))
        try:
            scores = s.scan.scores[slot]
            scores[self.exclude] = -np.inf
            rows, threshold = batch_candidates(scores, self.stop, s.scales, s.slack, k, s.spread,
                                               float(s.scan.rounding[slot]))
        finally:
            s.scan.release(slot)
        if not threshold > -np.inf:
            raise _Fallback
        exact = kv._exact_scores(rows, query)
        order = np.lexsort((rows, -exact))[:k]
        keys = kv.index_to_key
        return [(keys[i], float(score)) for i, score in zip(rows[order], exact[order])]


class NeighbourSearch:
    """``most_similar(positive, negative, topn, restrict_vocab)`` with ``kv.most_similar``'s answers,
    the big scans of concurrent callers shared (:class:`SharedScan`).  Keys only, as the API sends."""

    def __init__(self, kv, workers=None, int8=None):
        self.kv = kv
        self.scan = None
        if len(kv) >= FAST_SEARCH_MIN_ROWS:
            quantized = kv._quantized_cache()     # the int8 copy most_similar itself uses (built once)
            if quantized is not None:
                codes, self.scales, errors, norms = quantized
                most = np.full(kv.vector_size, (1 + UNIT_SLACK) / np.sqrt(kv.vector_size))
                margin = kv._rounding_margin(most)
                self.unit_a, self.unit_b = float(np.linalg.norm(most)) + margin, 2 * margin
                self.slack = errors * self.unit_a + norms * self.unit_b
                self.spread = norms + errors       # bounds ‖scale·codes‖ of each row
                self.scan = SharedScan(codes, workers=workers, int8=int8)

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        kv = self.kv
        positive, negative = list(positive or ()), list(negative or ())
        stop = min(restrict_vocab or len(kv), len(kv))
        if self.scan is None or stop < FAST_SEARCH_MIN_ROWS or not isinstance(topn, (int, np.integer)):
            return kv.most_similar(positive=positive, negative=negative, topn=topn, restrict_vocab=restrict_vocab)
        rows = {kv.get_index(w) for w in positive + negative}
        exclude = np.array(sorted(r for r in rows if r < stop), dtype=np.int64)
        try:
            return kv.most_similar(positive=positive, negative=negative, topn=topn,
                                   indexer=_OneSearch(self, stop, exclude))
        except _Fallback:
            return kv.most_similar(positive=positive, negative=negative, topn=topn, restrict_vocab=restrict_vocab)

    def close(self):
        if self.scan is not None:
            self.scan.close()
