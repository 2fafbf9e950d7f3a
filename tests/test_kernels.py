"""The compiled kernels against their numpy twins in kernels/reference.py."""
import numpy as np
import pytest

from w2v import vocab
from w2v.kernels import reference
from w2v.kernels.train import _cbow_window, _sg_window, job, train_job, training_state

V, D = 12, 16


def _matrices(seed=0):
    rng = np.random.default_rng(seed)
    syn0 = rng.normal(0, 0.5, (V, D)).astype(np.float32)
    syn1 = rng.normal(0, 0.5, (V, D)).astype(np.float32)
    return syn0, syn1


def test_sg_window_matches_reference():
    syn0, syn1 = _matrices()
    ref0, ref1 = syn0.copy(), syn1.copy()
    inputs = np.array([3, 4, 6, 3], np.int32)           # a repeated context word too
    output, negatives = 5, [1, 7, 9, 1]                  # and a repeated negative
    record = reference.sgns_update(ref0, ref1, inputs, output, negatives, 0.05)
    tgt = np.array([output] + negatives, np.int32)
    lab = np.array([1, 0, 0, 0, 0], np.float32)
    grad = np.zeros((4, 5), np.float32)
    err = np.zeros((4, D), np.float32)
    loss = _sg_window(syn0, syn1, inputs, 4, tgt, lab, 5, np.float32(0.05), grad, err, True)
    for a in range(4):
        syn0[inputs[a]] += err[a]
    np.testing.assert_allclose(syn0, ref0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(syn1, ref1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad, record["error"] * 0.05, rtol=1e-5, atol=1e-7)
    assert loss == pytest.approx(record["loss"], rel=1e-5)


def _check_cbow_step(syn0, syn1, ref0, ref1, inputs, neu1e, cbow_mean, loss, record):
    """Apply a CBOW window routine's input error as the kernel's loop does, then compare with the reference."""
    if not cbow_mean:
        neu1e /= len(inputs)
    for c in inputs:
        syn0[c] += neu1e
    np.testing.assert_allclose(syn0, ref0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(syn1, ref1, rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(record["loss"], rel=1e-5)


@pytest.mark.parametrize("cbow_mean", [True, False])
def test_cbow_window_matches_reference(cbow_mean):
    syn0, syn1 = _matrices(1)
    ref0, ref1 = syn0.copy(), syn1.copy()
    inputs = np.array([2, 8, 10], np.int32)
    output, negatives = 4, [0, 11]
    record = reference.cbow_update(ref0, ref1, inputs, output, negatives, 0.05, cbow_mean=cbow_mean)
    h = syn0[inputs].sum(axis=0) / (3 if cbow_mean else 1)
    tgt = np.array([output] + negatives, np.int32)
    lab = np.array([1, 0, 0], np.float32)
    gvec = np.zeros(3, np.float32)
    neu1e = np.zeros(D, np.float32)
    loss = _cbow_window(h.astype(np.float32), syn1, tgt, lab, 3, np.float32(0.05), gvec, neu1e, True)
    _check_cbow_step(syn0, syn1, ref0, ref1, inputs, neu1e, cbow_mean, loss, record)


def _run_job(sentence, syn0, syn1neg, syn1, sg, hs, negative, noise_word, window=1, cbow_mean=True, lockf=None,
             hot_rows=0, hot_sync=1):
    """train_job on one sentence, no subsampling, no window shrinking, all negatives = noise_word."""
    ids = np.array(sentence, np.int32)
    offsets = np.array([0, len(ids)], np.int64)
    keep = np.full(V, 1 << 32, np.uint64)
    p = np.full(V, 1e-12)
    p[noise_word] = 1.0
    accept, alias = vocab.alias_table(p / p.sum())
    counts = np.arange(V, 0, -1) * 10
    points, codes, lengths = vocab.huffman_tree(counts)
    if not hs:
        points, codes, lengths = np.zeros((1, 0), np.int32), np.zeros((1, 0), np.uint8), np.zeros(1, np.int32)
    state = training_state(ids, offsets, syn0, syn1neg, syn1, lockf, keep, accept, alias, points, codes, lengths,
                           sg=sg, hs=hs, negative=negative, window=window, shrink=False, cbow_mean=cbow_mean,
                           compute_loss=True, hot_rows=hot_rows, hot_sync=hot_sync)
    effective, loss = train_job(state, np.arange(1), job(0, 1, 0.05, 0.05, 7))
    assert effective == len(ids)
    return vocab.huffman_tree(counts), loss


# hot: (rows, merge period) of the per-job copies of the most shared output rows (several threads);
# in one thread the copies merged back must give the reference's updates, however often they merge
HOT = [(0, 1), (4, 1), (4, 2), (4, 1000)]


@pytest.mark.parametrize("hot", HOT)
@pytest.mark.parametrize("sg", [True, False])
def test_train_job_negative_sampling_matches_reference(sg, hot):
    sentence = [3, 5, 8, 2]
    syn0, syn1neg = _matrices(2)
    ref0, ref1 = syn0.copy(), syn1neg.copy()
    _run_job(sentence, syn0, syn1neg, np.zeros((1, D), np.float32), sg, False, 3, noise_word=10, window=1,
             hot_rows=hot[0], hot_sync=hot[1])
    for i, word in enumerate(sentence):
        inputs = [sentence[j] for j in reference.window_positions(len(sentence), i, 1)]
        if sg:
            reference.sgns_update(ref0, ref1, inputs, word, [10, 10, 10], 0.05)
        else:
            reference.cbow_update(ref0, ref1, inputs, word, [10, 10, 10], 0.05)
    np.testing.assert_allclose(syn0, ref0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(syn1neg, ref1, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("hot", HOT)
@pytest.mark.parametrize("sg", [True, False])
def test_train_job_hierarchical_softmax_matches_reference(sg, hot):
    sentence = [0, 4, 9, 1, 4]
    syn0, syn1 = _matrices(3)
    ref0, ref1 = syn0.copy(), syn1.copy()
    (points, codes, lengths), _ = _run_job(sentence, syn0, np.zeros((1, D), np.float32), syn1, sg, True, 0,
                                           noise_word=0, window=2, hot_rows=hot[0], hot_sync=hot[1])
    for i, word in enumerate(sentence):
        inputs = [sentence[j] for j in reference.window_positions(len(sentence), i, 2)]
        path, bits = points[word, :lengths[word]], codes[word, :lengths[word]]
        if sg:
            reference.sg_hs_update(ref0, ref1, inputs, path, bits, 0.05)
        else:
            reference.cbow_hs_update(ref0, ref1, inputs, path, bits, 0.05)
    np.testing.assert_allclose(syn0, ref0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(syn1, ref1, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("sg,hs", [(1, 0), (0, 0), (1, 1), (0, 1)], ids=["sg-ns", "cbow-ns", "sg-hs", "cbow-hs"])
def test_locked_rows_do_not_move_and_partly_locked_rows_move_less(sg, hs):
    """gensim's wv.vectors_lockf: a factor per input row applied to its updates (0: never moves)."""
    sentence = [3, 5, 8, 2, 5, 7]
    syn0, syn1 = _matrices(4)
    ref0, ref1 = syn0.copy(), syn1.copy()
    start = syn0.copy()
    lockf = np.ones(V, np.float32)
    lockf[[5, 8]] = 0.0
    lockf[2] = 0.5
    empty = np.zeros((1, D), np.float32)
    if hs:
        (points, codes, lengths), _ = _run_job(sentence, syn0, empty, syn1, sg, True, 0, noise_word=0, window=2,
                                               lockf=lockf)
    else:
        _run_job(sentence, syn0, syn1, empty, sg, False, 2, noise_word=10, window=2, lockf=lockf)
    for i, word in enumerate(sentence):
        inputs = [sentence[j] for j in reference.window_positions(len(sentence), i, 2)]
        if hs:
            path, bits = points[word, :lengths[word]], codes[word, :lengths[word]]
            update = reference.sg_hs_update if sg else reference.cbow_hs_update
            update(ref0, ref1, inputs, path, bits, 0.05, lockf=lockf)
        else:
            update = reference.sgns_update if sg else reference.cbow_update
            update(ref0, ref1, inputs, word, [10, 10], 0.05, lockf=lockf)
    np.testing.assert_allclose(syn0, ref0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(syn1, ref1, rtol=1e-4, atol=1e-6)
    assert np.array_equal(syn0[[5, 8]], start[[5, 8]])                 # locked: bit for bit
    assert not np.allclose(syn0[[3, 2, 7]], start[[3, 2, 7]])          # the others learn
    assert not np.allclose(syn1, _matrices(4)[1])                      # and output rows always move


# -- the full softmax ---------------------------------------------------------------------------

def test_sg_softmax_window_matches_reference():
    from w2v.kernels.train import _sg_softmax_window

    syn0, syn1 = _matrices(5)
    ref0, ref1 = syn0.copy(), syn1.copy()
    inputs = np.array([3, 4, 6, 3], np.int32)           # a repeated context word too
    record = reference.sg_softmax_update(ref0, ref1, inputs, 5, 0.05)
    grad = np.zeros((4, V), np.float32)
    err = np.zeros((4, D), np.float32)
    loss = _sg_softmax_window(syn0, syn1, inputs, 4, 5, np.float32(0.05), grad, err, True)
    for a in range(4):
        syn0[inputs[a]] += err[a]
    np.testing.assert_allclose(grad, record["error"] * 0.05, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(syn0, ref0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(syn1, ref1, rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(record["loss"], rel=1e-5)
    # the reference is the article's arithmetic: a softmax over every word, target minus prediction
    assert record["prediction"].shape == (4, V)
    np.testing.assert_allclose(record["prediction"].sum(axis=1), 1.0)
    np.testing.assert_array_equal(record["target"], np.eye(V)[5])
    np.testing.assert_allclose(record["error"], record["target"] - record["prediction"])


@pytest.mark.parametrize("cbow_mean", [True, False])
def test_cbow_softmax_window_matches_reference(cbow_mean):
    from w2v.kernels.train import _cbow_softmax_window

    syn0, syn1 = _matrices(6)
    ref0, ref1 = syn0.copy(), syn1.copy()
    inputs = np.array([2, 8, 10], np.int32)
    record = reference.cbow_softmax_update(ref0, ref1, inputs, 4, 0.05, cbow_mean=cbow_mean)
    h = (syn0[inputs].sum(axis=0) / (3 if cbow_mean else 1)).astype(np.float32)
    gvec = np.zeros(V, np.float32)
    neu1e = np.zeros(D, np.float32)
    loss = _cbow_softmax_window(h, syn1, 4, np.float32(0.05), gvec, neu1e, True)
    _check_cbow_step(syn0, syn1, ref0, ref1, inputs, neu1e, cbow_mean, loss, record)


def _run_softmax_job(sentence, syn0, syn1softmax, sg, window, lockf=None, seed=7):
    """train_job with only the full softmax, one worker, no subsampling or window shrinking."""
    ids = np.array(sentence, np.int32)
    offsets = np.array([0, len(ids)], np.int64)
    keep = np.full(V, 1 << 32, np.uint64)
    empty = np.zeros((1, D), np.float32)
    state = training_state(ids, offsets, syn0, None, None, lockf, keep, np.ones(1, np.uint64), np.zeros(1, np.int32),
                           np.zeros((1, 0), np.int32), np.zeros((1, 0), np.uint8), np.zeros(1, np.int32),
                           sg=sg, hs=False, negative=0, window=window, shrink=False, cbow_mean=True,
                           compute_loss=True, syn1softmax=syn1softmax, softmax=True)
    assert state.syn1neg.shape == empty.shape and state.syn1.shape == empty.shape
    return train_job(state, np.arange(1), job(0, 1, 0.05, 0.05, seed))


@pytest.mark.parametrize("sg", [True, False])
def test_train_job_full_softmax_matches_reference(sg):
    sentence = [3, 5, 8, 2, 5, 11]
    syn0, syn1 = _matrices(7)
    ref0, ref1 = syn0.copy(), syn1.copy()
    lockf = np.ones(V, np.float32)
    lockf[8] = 0.0                                       # a locked row stays put under the softmax too
    effective, loss = _run_softmax_job(sentence, syn0, syn1, sg, window=2, lockf=lockf)
    assert effective == len(sentence)
    expected = 0.0
    for i, word in enumerate(sentence):
        inputs = [sentence[j] for j in reference.window_positions(len(sentence), i, 2)]
        update = reference.sg_softmax_update if sg else reference.cbow_softmax_update
        expected += update(ref0, ref1, inputs, word, 0.05, lockf=lockf)["loss"]
    np.testing.assert_allclose(syn0, ref0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(syn1, ref1, rtol=1e-4, atol=1e-6)
    assert loss == pytest.approx(expected, rel=1e-5)
    assert np.array_equal(syn0[8], _matrices(7)[0][8])
    assert np.all(np.any(syn1 != _matrices(7)[1], axis=1))   # every output row moves, not just the targets


def test_softmax_reference_update_is_the_negative_gradient_of_its_loss():
    """The reference moves every row by -alpha × d(loss)/d(row), checked by finite differences."""
    rng = np.random.default_rng(8)
    syn0 = rng.normal(0, 0.5, (V, D))
    syn1 = rng.normal(0, 0.5, (V, D))
    inputs, output = [2, 9], 4

    def loss(a, b):
        scores = a[inputs] @ b.T
        return float(-np.sum(np.log(reference.softmax(scores)[:, output])))

    def numeric(matrix, rows):
        grad = np.zeros_like(matrix)
        for r in rows:
            for j in range(D):
                up, down = matrix.copy(), matrix.copy()
                up[r, j] += 1e-6
                down[r, j] -= 1e-6
                args = (up, syn1) if matrix is syn0 else (syn0, up)
                args_down = (down, syn1) if matrix is syn0 else (syn0, down)
                grad[r, j] = (loss(*args) - loss(*args_down)) / 2e-6
        return grad

    after0, after1 = syn0.copy(), syn1.copy()
    record = reference.sg_softmax_update(after0, after1, inputs, output, 1.0)
    assert record["loss"] == pytest.approx(loss(syn0, syn1))
    np.testing.assert_allclose(after0 - syn0, -numeric(syn0, inputs), atol=1e-6)
    np.testing.assert_allclose(after1 - syn1, -numeric(syn1, range(V)), atol=1e-6)
