"""KeyedVectors queries, side by side with gensim's KeyedVectors on the same random vectors."""
import numpy as np
import pytest

import w2v
from w2v.vectors import KeyedVectors, cosine_similarity, top_k, top_k_rows

gensim_kv = pytest.importorskip("gensim.models.keyedvectors")

N, DIM = 400, 16


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((N, DIM)).astype(np.float32)
    keys = [f"w{i}" for i in range(N)]
    ours = KeyedVectors(DIM).set_vectors(keys, vectors.copy())
    theirs = gensim_kv.KeyedVectors(DIM)
    theirs.add_vectors(keys, vectors.copy())
    return ours, theirs


def same_results(a, b, tol=1e-5):
    assert [k for k, _ in a] == [k for k, _ in b]
    np.testing.assert_allclose([s for _, s in a], [s for _, s in b], atol=tol)


@pytest.mark.parametrize("query", [
    dict(positive=["w1"]),
    dict(positive="w1"),
    dict(positive=["w1", "w2"], negative=["w3"]),
    dict(positive=["w1", "w5", "w9"], negative=["w3", "w4"], topn=25),
    dict(positive=[("w1", 2.0), "w2"], negative=[("w3", -0.5)]),
    dict(positive=["w10"], restrict_vocab=100),
    dict(positive=["w250"], restrict_vocab=100),
    dict(positive=[3, "w4"], topn=5),
    dict(negative=["w8"], positive=["w9"], topn=1),
])
def test_most_similar_matches_gensim(pair, query):
    ours, theirs = pair
    same_results(ours.most_similar(**query), theirs.most_similar(**query))


def test_most_similar_with_vectors_and_all_scores(pair):
    ours, theirs = pair
    vector = np.linspace(-1, 1, DIM).astype(np.float32)
    same_results(ours.most_similar(positive=[vector, "w3"], negative=["w7"]),
                 theirs.most_similar(positive=[vector, "w3"], negative=["w7"]))
    same_results(ours.similar_by_vector(vector, topn=7), theirs.similar_by_vector(vector, topn=7))
    np.testing.assert_allclose(ours.most_similar("w5", topn=None), theirs.most_similar("w5", topn=None), atol=1e-5)
    assert ours.most_similar("w5", topn=0) == []


def test_queries_exclude_input_words(pair):
    ours, _ = pair
    result = ours.most_similar(positive=["w1", "w2"], negative=["w3"], topn=N)
    words = [w for w, _ in result]
    assert not {"w1", "w2", "w3"} & set(words)
    assert len(words) == N - 3
    assert ours.similar_by_vector(ours["w1"], topn=1)[0][0] == "w1"   # a vector excludes nothing


@pytest.mark.parametrize("query", [
    dict(positive=["w1", "w2"], negative=["w3"]),
    dict(positive=["w1"]),
    dict(positive=["w1", "w2", "w6"], negative=["w3", "w7"], topn=20),
])
def test_most_similar_cosmul_matches_gensim(pair, query):
    ours, theirs = pair
    same_results(ours.most_similar_cosmul(**query), theirs.most_similar_cosmul(**query))


def test_cosmul_restrict_vocab_searches_only_the_first_keys(pair):
    ours, _ = pair
    result = ours.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=50, restrict_vocab=60)
    assert all(ours.get_index(w) < 60 for w, _ in result)
    full = ours.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=None)
    expected = [w for w, _ in sorted(((ours.index_to_key[i], full[i]) for i in range(60)
                                      if i not in (1, 2, 3)), key=lambda x: -x[1])]
    assert [w for w, _ in result] == expected[:50]


def test_pairwise_functions_match_gensim(pair):
    ours, theirs = pair
    assert ours.similarity("w1", "w2") == pytest.approx(float(theirs.similarity("w1", "w2")), abs=1e-6)
    assert ours.distance("w1", "w2") == pytest.approx(float(theirs.distance("w1", "w2")), abs=1e-6)
    assert ours.n_similarity(["w1", "w2"], ["w3", "w4", "w5"]) == pytest.approx(
        float(theirs.n_similarity(["w1", "w2"], ["w3", "w4", "w5"])), abs=1e-6)
    np.testing.assert_allclose(ours.distances("w1"), theirs.distances("w1"), atol=1e-5)
    np.testing.assert_allclose(ours.distances("w1", ["w2", "w9"]), theirs.distances("w1", ["w2", "w9"]), atol=1e-6)
    vector = ours["w4"] * 3
    np.testing.assert_allclose(ours.distances(vector, ["w2", "w9"]), theirs.distances(vector, ["w2", "w9"]), atol=1e-6)
    np.testing.assert_allclose(KeyedVectors.cosine_similarities(ours["w1"], ours[["w2", "w3"]]),
                               gensim_kv.KeyedVectors.cosine_similarities(ours["w1"], ours[["w2", "w3"]]), atol=1e-6)


def test_rank_closer_than_doesnt_match_match_gensim(pair):
    ours, theirs = pair
    far = ours.most_similar("w1", topn=30)[-1][0]
    assert ours.closer_than("w1", far) == theirs.closer_than("w1", far)
    assert ours.rank("w1", far) == theirs.rank("w1", far) == 30
    words = ["w1", "w2", "w3", "w4", "w5"]
    assert ours.doesnt_match(words) == theirs.doesnt_match(words)
    assert [w for _, w in ours.rank_by_centrality(words)] == [w for _, w in theirs.rank_by_centrality(words)]
    assert ours.most_similar_to_given("w1", ["w2", "w3", far]) == theirs.most_similar_to_given("w1", ["w2", "w3", far])


@pytest.mark.parametrize("kwargs", [
    dict(), dict(pre_normalize=False), dict(post_normalize=True), dict(weights=[0.5, -2.0, 1.0]),
    dict(weights=np.array([1.0, 1.0, 3.0]), pre_normalize=False, post_normalize=True),
])
def test_get_mean_vector_matches_gensim(pair, kwargs):
    ours, theirs = pair
    keys = ["w1", "w2", np.arange(DIM, dtype=np.float32)]
    np.testing.assert_allclose(ours.get_mean_vector(keys, **kwargs), theirs.get_mean_vector(keys, **kwargs), atol=1e-6)


def test_get_mean_vector_missing_keys(pair):
    ours, theirs = pair
    np.testing.assert_allclose(ours.get_mean_vector(["w1", "nope"]), theirs.get_mean_vector(["w1", "nope"]), atol=1e-6)
    with pytest.raises(KeyError, match="nope"):
        ours.get_mean_vector(["w1", "nope"], ignore_missing=False)
    with pytest.raises(ValueError):
        ours.get_mean_vector([])


def test_indexer_receives_the_query_vector(pair):
    ours, theirs = pair

    class Recorder:
        def most_similar(self, vector, topn):
            self.vector, self.topn = vector, topn
            return [("from-indexer", 1.0)]

    recorder = Recorder()
    assert ours.most_similar(positive=["w1", "w2"], negative=["w3"], topn=4, indexer=recorder) == [("from-indexer", 1.0)]
    expected = theirs.get_mean_vector(["w1", "w2", "w3"], [1, 1, -1], post_normalize=True)
    np.testing.assert_allclose(recorder.vector, expected, atol=1e-6)
    assert recorder.topn == 4


def test_batched_queries_equal_single_queries(pair, monkeypatch):
    ours, _ = pair
    words = ["w0", "w17", "w399", "w42"]
    monkeypatch.setattr("w2v.vectors._BLOCK_FLOATS", 3 * N)  # force several blocks
    batch = ours.most_similar_batch(words, topn=6)
    for word, result in zip(words, batch):
        same_results(result, ours.most_similar(word, topn=6), tol=1e-6)
    restricted = ours.most_similar_batch(["w5", "w300"], topn=3, restrict_vocab=50)
    same_results(restricted[1], ours.most_similar("w300", topn=3, restrict_vocab=50), tol=1e-6)
    assert "w5" not in [w for w, _ in restricted[0]]


def test_unknown_words_are_all_named_with_suggestions():
    keys = ["king", "queen", "kings", "man", "woman", "King"] + [f"filler{i}" for i in range(50)]
    kv = KeyedVectors(4).set_vectors(keys, np.random.default_rng(1).standard_normal((len(keys), 4)).astype(np.float32))
    with pytest.raises(KeyError) as err:
        kv.most_similar(positive=["kign", "woman"], negative=["qeen"])
    message = err.value.args[0]
    assert "'kign'" in message and "'qeen'" in message
    assert "did you mean" in message and "'king'" in message and "'queen'" in message
    with pytest.raises(KeyError, match="'KING'.*'King'"):
        kv["KING"]
    with pytest.raises(KeyError) as err:
        kv.similarity("king", "zzzzzz")
    assert err.value.args[0] == "key not in vocabulary: 'zzzzzz'"   # nothing close: no hint
    with pytest.raises(KeyError, match="'a1'.*'b2'"):
        kv[["a1", "king", "b2"]]


def test_suggestions_stay_cheap_on_a_big_vocabulary():
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    keys = list(dict.fromkeys("".join(rng.choice(letters, rng.integers(3, 12))) for _ in range(150_000)))
    kv = KeyedVectors(2).set_vectors(keys, np.zeros((len(keys), 2), np.float32))
    target = keys[500]
    typo = target[:-1] + ("a" if target[-1] != "a" else "b")
    if typo in kv:
        pytest.skip("random typo happens to be a word")
    assert target in kv.suggest(typo, n=10)


def test_cosine_similarity_any_vectors():
    assert round(w2v.cosine_similarity([-0.4, 0.8, 0.5, -0.2, 0.3], [-0.3, 0.2, 0.3, -0.4, 0.9]), 2) == 0.66
    matrix = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(cosine_similarity([2.0, 0.0], matrix), [1.0, 0.0, -1.0, 0.0])
    np.testing.assert_allclose(cosine_similarity(matrix, [2.0, 0.0]), [1.0, 0.0, -1.0, 0.0])
    assert cosine_similarity([0.0, 0.0], [1.0, 1.0]) == 0.0
    np.testing.assert_allclose(KeyedVectors.cosine_similarities([2.0, 0.0], matrix), [1.0, 0.0, -1.0, 0.0])
    with pytest.raises(ValueError, match="different lengths"):
        cosine_similarity([1, 2, 3], [1, 2])


def test_top_k_agrees_with_a_full_sort():
    rng = np.random.default_rng(3)
    scores = rng.standard_normal(1000).astype(np.float32)
    reference = np.argsort(-scores, kind="stable")
    for k in (1, 5, 999, 1000, 2000):
        np.testing.assert_array_equal(top_k(scores, k), reference[:k])
    excluded = reference[[0, 3]]
    np.testing.assert_array_equal(top_k(scores, 5, excluded), [i for i in reference if i not in excluded][:5])
    block = rng.standard_normal((7, 300))
    rows = top_k_rows(block, 4)
    np.testing.assert_array_equal(rows, np.argsort(-block, axis=1)[:, :4])


def test_top_k_breaks_ties_by_index_and_skips_nan_in_every_path():
    rng = np.random.default_rng(8)
    block = rng.integers(0, 3, (40, 50)).astype(np.float64)       # many ties at the k-th place
    reference = np.argsort(-block, axis=1, kind="stable")
    np.testing.assert_array_equal(top_k_rows(block.copy(), 5), reference[:, :5])
    for row, expected in zip(block, reference):
        np.testing.assert_array_equal(top_k(row, 5), expected[:5])
    # identical vectors: the single and the batched query give the same neighbours, in index order
    vectors = np.vstack([np.ones((150, 4)), rng.standard_normal((10, 4))]).astype(np.float32)
    kv = KeyedVectors(4).set_vectors([f"w{i}" for i in range(160)], vectors)
    single = kv.most_similar("w1", topn=4)
    assert [k for k, _ in single] == ["w0", "w2", "w3", "w4"]
    assert [k for k, _ in kv.most_similar_batch(["w1"], topn=4)[0]] == [k for k, _ in single]
    # a broken (nan) vector is nobody's neighbour, in any query
    broken = np.array([[1, 0], [1, .1], [np.nan, 1], [0, 1]], np.float32)
    kv = KeyedVectors(2).set_vectors(["a", "b", "bad", "c"], broken)
    for found in (kv.most_similar("a", topn=3), kv.most_similar_cosmul("a", topn=3),
                  kv.most_similar_batch(["a"], topn=3)[0]):
        assert [k for k, _ in found] == ["b", "c"], found


def test_access_and_norm_cache(pair):
    ours, _ = pair
    assert len(ours) == N and "w3" in ours and "nope" not in ours
    np.testing.assert_array_equal(ours[["w1", "w2"]], np.vstack([ours["w1"], ours["w2"]]))
    assert np.linalg.norm(ours.get_vector("w1", norm=True)) == pytest.approx(1.0, abs=1e-6)
    assert ours.get_normed_vectors() is ours.get_normed_vectors()
    with pytest.raises(ValueError):
        ours.get_vector("w1")[0] = 5.0     # read-only view: the cached unit vectors cannot go stale


def test_add_vectors_like_gensim_and_cache_invalidated():
    rng = np.random.default_rng(5)
    base = rng.standard_normal((20, 8)).astype(np.float32)
    keys = [f"k{i}" for i in range(20)]
    ours = KeyedVectors(8).set_vectors(keys, base.copy())
    theirs = gensim_kv.KeyedVectors(8)
    theirs.add_vectors(keys, base.copy())
    before = ours.most_similar("k0", topn=3)
    new = rng.standard_normal((3, 8)).astype(np.float32)
    new[0] = ours["k0"] * 2  # the new key points exactly along k0
    for kv in (ours, theirs):
        kv.add_vectors(["fresh", "k1", "other"], new)
    assert ours.index_to_key == theirs.index_to_key
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)        # k1 kept its old vector
    assert ours.most_similar("k0", topn=1)[0][0] == "fresh" != before[0][0]
    for kv in (ours, theirs):
        kv.add_vectors(["k1"], new[1:2], replace=True)
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    ours["k2"] = new[2]
    np.testing.assert_array_equal(ours["k2"], new[2])
    assert ours.add_vector("brand-new", new[2]) == len(ours) - 1
    assert ours.get_vecattr("brand-new", "count") == 0


def test_counts_as_vecattr_and_native_round_trip(tmp_path):
    kv = KeyedVectors(3).set_vectors(["a", "b"], np.eye(2, 3, dtype=np.float32), counts=[10, 4])
    assert kv.get_vecattr("b", "count") == 4
    kv.set_vecattr("b", "count", 7)
    kv.save(tmp_path / "v.w2v")
    back = KeyedVectors.load(tmp_path / "v.w2v", mmap="r")
    assert isinstance(back.vectors, np.memmap)
    assert back.index_to_key == ["a", "b"] and back.get_vecattr("b", "count") == 7
    assert back.most_similar("a", topn=1)[0][0] == "b"


# -- the int8-screened search returns exactly what the plain search returns -------------------------
def _tricky_vectors(dtype=np.float32):
    """Random vectors with exact duplicates, one-ulp near-duplicates, zero rows and wild scales."""
    rng = np.random.default_rng(21)
    n, d = 3000, 48
    vectors = rng.standard_normal((n, d))
    vectors *= 10.0 ** rng.integers(-3, 4, n)[:, None]
    vectors[200:203] = vectors[0] * 3                       # ties with each other, score 1 for w0
    vectors[203] = np.nextafter(vectors[0], np.inf)          # near-ties
    vectors[204] = vectors[0] + 1e-6
    vectors[300:312] = vectors[7]                           # a dozen tied neighbours of w7
    vectors[50:53] = 0.0                                     # zero rows score 0 against everything
    vectors[2500:] = vectors[2000:2500] * 0.5                # ties far apart in the index
    keys = [f"w{i}" for i in range(n)]
    return KeyedVectors(d).set_vectors(keys, vectors.astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("query", [
    dict(positive=["w0"]),
    dict(positive=["w0"], topn=1),
    dict(positive=["w200"], topn=5),
    dict(positive=["w7"], topn=20),
    dict(positive=["w301"], topn=11),
    dict(positive=["w2100"], topn=3),
    dict(positive=["w0", "w7"], negative=["w9"], topn=15),
    dict(positive=[("w3", 2.0), "w300"], negative=[("w305", 0.5)], topn=8),
    dict(positive=["w7"], restrict_vocab=1000, topn=12),
    dict(positive=["w2600"], restrict_vocab=2550, topn=12),
    dict(positive=["w0"], clip_start=150, clip_end=2800, topn=9),
    dict(positive=["w50"], topn=7),                           # zero query: every score ties at 0
    dict(positive=[np.linspace(-1, 1, 48)], topn=30),
    dict(positive=["w12"], topn=600),
])
def test_fast_search_equals_plain_search(monkeypatch, dtype, query):
    kv = _tricky_vectors(dtype)
    monkeypatch.setattr("w2v.vectors.FAST_SEARCH_MIN_ROWS", 10 ** 12)
    plain = kv.most_similar(**query)
    assert kv._quantized is None
    monkeypatch.setattr("w2v.vectors.FAST_SEARCH_MIN_ROWS", 0)
    monkeypatch.setattr("w2v.kernels.query.ROWS_PER_THREAD", 700)   # split the scan as on a big vocabulary
    fast = kv.most_similar(**query)
    assert kv._quantized, "the fast path was not taken"
    assert fast == plain                      # same keys, same order, bit-identical scores

    # and both equal a full sort of exact (float64) scores, ties broken by index
    terms, weights, inputs = kv._weighted_terms(query.get("positive"), query.get("negative"))
    mean = kv.get_mean_vector(terms, weights, pre_normalize=True, post_normalize=True).astype(np.float64)
    start, stop = query.get("clip_start", 0), query.get("clip_end", len(kv))
    if "restrict_vocab" in query:
        start, stop = 0, query["restrict_vocab"]
    exact = (kv.get_normed_vectors()[start:stop].astype(np.float64) * mean).sum(axis=1)
    order = [i for i in np.lexsort((np.arange(stop - start), -exact)) if i + start not in inputs]
    assert [w for w, _ in fast] == [kv.index_to_key[i + start] for i in order[:query.get("topn", 10)]]


def test_fast_search_bounds_hold_and_prune(monkeypatch):
    """The int8 scan's intervals contain every exact score, and leave few rows to rescore."""
    from w2v.kernels.query import candidates, in_threads, score_bounds

    kv = _tricky_vectors()
    codes, scales, errors, norms = kv._quantized_cache()
    normed = kv.get_normed_vectors()
    np.testing.assert_allclose(codes * scales[:, None], normed, atol=float(scales.max()))
    rng = np.random.default_rng(5)
    for _ in range(20):
        query = kv.get_normed_vectors()[rng.integers(len(kv))] + 0.3 * rng.standard_normal(kv.vector_size)
        query = (query / np.linalg.norm(query)).astype(np.float32)
        margin = kv._rounding_margin(query)
        lower = np.empty(len(kv))
        upper = np.empty(len(kv))
        in_threads(score_bounds, 0, len(kv), codes, scales, errors, norms, query, 0, 1 + margin, 2 * margin,
                   lower, upper)
        exact = kv._exact_scores(np.arange(len(kv)), query)
        assert np.all(lower <= exact) and np.all(exact <= upper)
        rows, threshold = candidates(lower, upper, 10)
        assert np.sort(exact)[-10] >= threshold
        assert len(rows) < len(kv) // 10


def test_fast_search_cache_follows_the_vectors(monkeypatch):
    monkeypatch.setattr("w2v.vectors.FAST_SEARCH_MIN_ROWS", 0)
    kv = _tricky_vectors()
    before = kv.most_similar("w1", topn=3)
    assert kv._quantized
    kv.add_vectors(["twin"], kv.vectors[1:2] * 2)
    assert kv._quantized is None
    assert kv.most_similar("w1", topn=1)[0][0] == "twin"
    assert kv.most_similar("w1", topn=4)[1:] == before
    broken = _tricky_vectors()
    broken.vectors[9, 0] = np.nan                            # no bound can be trusted: plain path answers
    broken._clear_cache()
    assert broken.most_similar("w0", topn=3)[0][0] == "w200"
    assert broken._quantized is False


def test_fast_search_from_several_threads_at_once(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr("w2v.vectors.FAST_SEARCH_MIN_ROWS", 0)
    monkeypatch.setattr("w2v.kernels.query.ROWS_PER_THREAD", 400)   # each query split over the cores too
    kv = _tricky_vectors()
    words = [f"w{i}" for i in range(0, 3000, 97)]
    serial = [kv.most_similar(w, topn=5) for w in words]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda w: kv.most_similar(w, topn=5), words)) == serial
