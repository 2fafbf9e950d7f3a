"""The explorer's shared neighbour search: exactly kv.most_similar's answers, however many ask at once.

A vocabulary of 60,000 random vectors is big enough for most_similar's int8 fast path (and so
for the shared scan); the kernels are checked against their numpy twins.
"""
import threading

import numpy as np
import pytest

import w2v
from w2v.kernels.batch_query import (batch_candidates, batch_candidates_reference, batch_scores,
                                     batch_scores_reference, int8_scan_reference, quantize_query)
from w2v.serve.search import NeighbourSearch, SharedScan, _int8_scan

INT8 = _int8_scan()
needs_int8 = pytest.mark.skipif(INT8 is None, reason="the int8 scan needs AVX-512 VNNI and the C extension")
from w2v.vectors import FAST_SEARCH_MIN_ROWS

N, DIM = 60_000, 32


@pytest.fixture(scope="module")
def kv():
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((N, DIM), dtype=np.float32)
    vectors[7] = vectors[8] * 2          # a near-duplicate pair: a tie on cosine
    vectors[100] = 0.0                   # a zero vector is nobody's neighbour but may be asked about
    kv = w2v.KeyedVectors(DIM)
    kv.set_vectors([f"w{i}" for i in range(N)], vectors, counts=np.arange(N, 0, -1))
    return kv


@pytest.fixture(scope="module", params=[False, pytest.param(True, marks=needs_int8)], ids=["float", "int8"])
def search(kv, request):
    search = NeighbourSearch(kv, workers=2, int8=request.param)
    yield search
    search.close()


def test_the_vocabulary_takes_the_shared_path(search):
    assert N >= FAST_SEARCH_MIN_ROWS and search.scan is not None


@pytest.mark.parametrize("positive,negative,topn,restrict", [
    (["w1"], [], 10, None),
    (["w8"], [], 5, None),                         # its twin w7 ranks first, exactly as most_similar ranks it
    (["w3", "w4"], ["w5"], 25, None),              # an analogy (3CosAdd)
    (["w1"], [], 1000, None),
    (["w2"], ["w2"], 10, None),                    # a zero mean vector
    (["w100"], [], 10, None),                      # a zero vector asked about
    (["w50000"], [], 7, 55_000),                   # restrict_vocab above the fast-path minimum
    (["w9"], [], 7, 1000),                         # below it: most_similar answers alone
])
def test_answers_are_most_similars(kv, search, positive, negative, topn, restrict):
    assert search.most_similar(positive, negative, topn=topn, restrict_vocab=restrict) == \
        kv.most_similar(positive=positive, negative=negative, topn=topn, restrict_vocab=restrict)


def test_concurrent_queries_each_get_their_own_answer(kv, search):
    words = [f"w{i}" for i in np.random.default_rng(1).integers(0, N, 48)]
    expected = {w: kv.most_similar(w, topn=10) for w in words}
    got, errors = {}, []

    def client(chunk):
        try:
            for w in chunk:
                got[w] = search.most_similar([w], topn=10)
        except Exception as exc:          # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(words[k::12],)) for k in range(12)]   # > score rows
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and got == expected


def test_batch_scores_match_the_numpy_twin():
    rng = np.random.default_rng(2)
    codes = rng.integers(-127, 128, (101, 37), dtype=np.int8)           # an odd number of rows
    for n_queries in (4, 8, 12):
        queries = rng.standard_normal((n_queries, 37)).astype(np.float32)
        slots = rng.permutation(n_queries + 2)[:n_queries].astype(np.int64)
        out = np.full((n_queries + 2, 101), np.nan, dtype=np.float32)
        batch_scores(3, 101, codes, queries, slots, out)
        expected = batch_scores_reference(codes, queries)
        np.testing.assert_allclose(out[slots][:, 3:], expected[:, 3:], rtol=1e-5, atol=1e-3)
        assert np.isnan(out[slots][:, :3]).all()                       # rows outside the range untouched


def test_batch_candidates_match_the_numpy_twin():
    rng = np.random.default_rng(3)
    scores = rng.standard_normal(5000).astype(np.float32)
    scores[[4, 99]] = -np.inf                                           # query words
    scales = rng.uniform(0.001, 0.01, 5000)
    slack = rng.uniform(0, 0.002, 5000)
    spread = rng.uniform(0.9, 1.1, 5000)
    for (k, stop), rounding in zip(((1, 5000), (10, 5000), (50, 3000), (10, 5000)), (0.0, 0.0, 0.001, 0.01)):
        rows, threshold = batch_candidates(scores, stop, scales, slack, k, spread, rounding)
        ref_rows, ref_threshold = batch_candidates_reference(scores, stop, scales, slack, k, spread, rounding)
        assert threshold == ref_threshold
        np.testing.assert_array_equal(rows, ref_rows)
        assert 4 not in rows and 99 not in rows and (rows < stop).all() and len(rows) >= k


def test_too_few_rows_give_no_threshold():
    rows, threshold = batch_candidates(np.array([1.0, -np.inf], np.float32), 2, np.ones(2), np.zeros(2), 2,
                                       np.ones(2), 0.0)
    assert threshold == -np.inf


@pytest.mark.parametrize("int8", [False, pytest.param(True, marks=needs_int8)], ids=["float", "int8"])
def test_a_failing_scan_reports_its_error_instead_of_hanging(monkeypatch, int8):
    scan = SharedScan(np.ones((10, 4), dtype=np.int8), workers=2, int8=int8)
    try:
        with pytest.raises(ValueError, match="shape"):
            scan.scores_of(np.zeros(5, dtype=np.float32))

        def broken(*args):
            raise MemoryError("kernel failed")

        monkeypatch.setattr(scan, "score", broken)
        with pytest.raises(MemoryError, match="kernel failed"):
            scan.scores_of(np.ones(4, dtype=np.float32))
        monkeypatch.undo()
        seen = set()
        for _ in range(len(scan.scores) + 1):            # more queries than score rows: none was lost
            slot = scan.scores_of(np.ones(4, dtype=np.float32))
            np.testing.assert_allclose(scan.scores[slot], 4.0)
            scan.release(slot)
            seen.add(slot)
        assert len(seen) == 1
    finally:
        scan.close()


def test_closed_scan_refuses_new_queries():
    scan = SharedScan(np.ones((10, 4), dtype=np.int8), workers=2)
    slot = scan.scores_of(np.ones(4, dtype=np.float32))
    np.testing.assert_allclose(scan.scores[slot], 4.0)
    scan.release(slot)
    scan.close()
    assert not any(s.thread.is_alive() for s in scan._scanners)
    with pytest.raises(RuntimeError, match="closed"):
        scan.scores_of(np.ones(4, dtype=np.float32))


def test_queries_go_through_the_shared_scan(kv, search, monkeypatch):
    used = []
    original = search.scan.scores_of
    monkeypatch.setattr(search.scan, "scores_of", lambda vector: used.append(1) or original(vector))
    search.most_similar(["w1"], topn=10)
    search.most_similar(["w1", "w2"], ["w3"], topn=10, restrict_vocab=55_000)
    assert len(used) == 2
    search.most_similar(["w1"], topn=10, restrict_vocab=1000)         # too few rows: most_similar alone
    assert len(used) == 2


@needs_int8
def test_int8_scan_matches_its_numpy_twin_exactly():
    rng = np.random.default_rng(4)
    for d in (4, 37, 64, 300):                        # a tail shorter than 64 bytes, none, several blocks
        codes = rng.integers(-127, 128, (101, d), dtype=np.int8)
        stride = -(-d // 64) * 64
        for n_queries in (4, 8):
            u8 = rng.integers(1, 256, (n_queries, stride)).astype(np.uint8)     # the padding bytes too
            scales = rng.uniform(0.001, 0.01, n_queries)
            slots = rng.permutation(n_queries + 2)[:n_queries].astype(np.int64)
            out = np.full((n_queries + 2, 101), np.nan, dtype=np.float32)
            INT8(3, 101, codes, d, u8, stride, n_queries, codes.sum(axis=1, dtype=np.int32), scales, slots, out, 101)
            expected = int8_scan_reference(codes, u8, scales)
            np.testing.assert_array_equal(out[slots][:, 3:], expected[:, 3:])
            assert np.isnan(out[slots][:, :3]).all()


def test_quantize_query_bounds_its_rounding():
    rng = np.random.default_rng(6)
    for v in [rng.standard_normal(300), rng.standard_normal(7) * 1e-30, np.zeros(5), np.array([3.0, -3.0])]:
        u8, scale, bound = quantize_query(v.astype(np.float32))
        codes = u8.astype(np.int64) - 128
        assert np.abs(codes).max() <= 127
        assert np.linalg.norm(v.astype(np.float32).astype(np.float64) - scale * codes) <= bound
