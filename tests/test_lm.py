import math
import random
import warnings

import numpy as np
import pytest

import w2v
from w2v.errors import FormatError, W2VError
from w2v.lm import LanguageModel, LMError, net


def _planted(sentences=600, seed=0):
    """Each sentence walks a fixed chain a -> b -> c -> ... so the next word is determined by the last two."""
    rng = random.Random(seed)
    chain = [f"w{i}" for i in range(12)]
    out = []
    for _ in range(sentences):
        start = rng.randrange(len(chain) - 5)
        out.append(chain[start:start + 6])
    return out


@pytest.mark.parametrize("dropout", [False, True])
@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("objective", ["softmax", "sampled", "nce"])
@pytest.mark.parametrize("direct", [False, True])
@pytest.mark.parametrize("tied", [False, True])
def test_gradients_match_finite_differences(objective, direct, fast, dropout, tied):
    rng = np.random.default_rng(0)
    classes, context = 9, 2
    p = net.init_params(classes + 1, classes, context, 4, 5, direct, rng.normal(size=classes), rng, np.float64,
                        tied=tied)
    for k in p:
        p[k] += rng.normal(scale=0.3, size=p[k].shape)
    ctx = rng.integers(0, classes + 1, (7, context))
    y = rng.integers(0, classes, 7)
    sampled = rng.integers(0, classes, 5)
    log_kq = np.log(rng.uniform(0.2, 2.0, classes))
    masks = None
    if dropout:   # fixed masks: the loss is then a function of the parameters
        masks = tuple((rng.random((7, size)) >= 0.3) / 0.7 for size in (context * 4, 5))
    loss, dense, rows = net.loss_and_grads(p, ctx, y, objective, sampled, log_kq, fast=fast, masks=masks)
    grads = net.densify(p, dense, rows)
    assert set(grads) == set(p)
    eps = 1e-6
    for name, value in p.items():
        flat = value.reshape(-1)
        for i in rng.choice(flat.size, min(flat.size, 12), replace=False):
            old = flat[i]
            flat[i] = old + eps
            up = net.loss_and_grads(p, ctx, y, objective, sampled, log_kq, masks=masks)[0]
            flat[i] = old - eps
            down = net.loss_and_grads(p, ctx, y, objective, sampled, log_kq, masks=masks)[0]
            flat[i] = old
            assert (up - down) / (2 * eps) == pytest.approx(grads[name].reshape(-1)[i], abs=1e-6, rel=1e-4), name


def _random_problem(dtype, classes=40, context=3, B=33, k=17, direct=True, seed=0, tied=False):
    rng = np.random.default_rng(seed)
    p = net.init_params(classes + 3, classes, context, 6, 7, direct, rng.normal(size=classes), rng, dtype, tied=tied)
    for name in p:
        p[name] += rng.normal(scale=0.5, size=p[name].shape).astype(dtype)
    ctx = rng.integers(0, classes + 3, (B, context))
    y = rng.integers(0, classes, B)
    sampled = rng.integers(0, classes, k)
    sampled[:3] = y[:3]   # accidental hits
    log_kq = np.log(rng.uniform(0.2, 2.0, classes)).astype(dtype)
    return p, ctx, y, sampled, log_kq


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 2e-5)])
@pytest.mark.parametrize("objective", ["softmax", "sampled", "nce"])
@pytest.mark.parametrize("direct,tied", [(False, False), (True, False), (False, True)])
def test_fused_kernels_match_the_numpy_reference(objective, direct, tied, dtype, tol):
    p, ctx, y, sampled, log_kq = _random_problem(dtype, direct=direct, tied=tied)
    ref = net.loss_and_grads(p, ctx, y, objective, sampled, log_kq)
    fast = net.loss_and_grads(p, ctx, y, objective, sampled, log_kq, fast=True)
    assert fast[0] == pytest.approx(ref[0], rel=tol)
    g_ref, g_fast = net.densify(p, *ref[1:]), net.densify(p, *fast[1:])
    for name in p:
        assert g_fast[name].dtype == dtype
        np.testing.assert_allclose(g_fast[name], g_ref[name], rtol=tol * 10, atol=tol, err_msg=name)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("tied,decay", [(False, 0.0), (True, 0.5)])
def test_fused_adam_matches_the_reference(dtype, tol, tied, decay):
    p, ctx, y, sampled, log_kq = _random_problem(dtype, tied=tied)
    a, b = {k: v.copy() for k, v in p.items()}, {k: v.copy() for k, v in p.items()}
    opt_a, opt_b = net.Adam(a), net.Adam(b, fast=True)
    for step in range(4):   # rows repeat within a step (ctx, y, sampled) and differ between steps
        objective = ("softmax", "sampled", "nce")[step % 3]
        grads = net.loss_and_grads(a, ctx[step:], y[step:], objective, sampled, log_kq)
        opt_a.step(a, *grads[1:], lr=0.01, weight_decay=decay)
        opt_b.step(b, *grads[1:], lr=0.01, weight_decay=decay)
    for name in p:
        assert not np.array_equal(a[name], p[name]), name
        np.testing.assert_allclose(b[name], a[name], rtol=tol, atol=tol, err_msg=name)
        np.testing.assert_allclose(opt_b.v[name], opt_a.v[name], rtol=tol * 10, atol=tol, err_msg=name)
    assert all((slot == -1).all() for slot in opt_b._slots.values())


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("tied,decay", [(False, 0.0), (True, 0.5)])
def test_fused_sgd_matches_the_reference(dtype, tol, tied, decay):
    p, ctx, y, sampled, log_kq = _random_problem(dtype, tied=tied)
    a, b, c = ({k: v.copy() for k, v in p.items()} for _ in range(3))
    opt_a, opt_b = net.SGD(a), net.SGD(b, fast=True)
    scratch = {}
    for step in range(4):   # rows repeat within a step (ctx, y, sampled) and differ between steps
        objective = ("softmax", "sampled", "nce")[step % 3]
        grads = net.loss_and_grads(a, ctx[step:], y[step:], objective, sampled, log_kq)
        opt_a.step(a, *grads[1:], lr=0.5, weight_decay=decay)
        opt_b.step(b, *grads[1:], lr=0.5, scratch=scratch, weight_decay=decay)
        if step == 0:   # the step itself, spelled out: shrink the touched rows once, then subtract lr x gradient
            full = net.densify(c, *grads[1:])
            for name, g in full.items():
                keep = 1.0 if name in net.BIASES else 1.0 - 0.5 * decay
                touched = np.zeros(len(c[name]), bool)
                if name in grads[2]:
                    touched[grads[2][name][0]] = True
                if name in grads[1]:
                    touched[:] = True
                c[name][touched] *= keep
                c[name] -= (0.5 * g).astype(dtype)
            for name in p:
                np.testing.assert_allclose(a[name], c[name], rtol=tol, atol=tol, err_msg=name)
    for name in p:
        assert not np.array_equal(a[name], p[name]), name
        np.testing.assert_allclose(b[name], a[name], rtol=tol, atol=tol, err_msg=name)
    assert all(not t.any() for t in scratch.values())


@pytest.mark.parametrize("objective", ["softmax", "sampled"])
def test_sgd_learns_planted_structure(objective):
    lm = LanguageModel(_planted(), context=2, vector_size=16, hidden=32, min_count=1, epochs=8, batch_size=64,
                       optimizer="sgd", objective=objective, samples=6, patience=4, progress=False, workers=1)
    assert lm.rates() == (4.0, 0.04)   # the optimiser's own rate, falling to a hundredth of it
    rates = [r["learning_rate"] for r in lm.history]
    assert 3.0 < rates[0] < 4.0 and rates == sorted(rates, reverse=True) and rates[-1] < rates[0]
    assert lm.predict(["w3", "w4"])[0][0] == "w5"
    assert lm.perplexity(_planted(100, seed=1)) < 3
    assert LanguageModel(optimizer="sgd", alpha=2.0).rates() == (2.0, 0.02)
    assert LanguageModel(alpha=0.02, min_alpha=0.001).rates() == (0.02, 0.001)
    assert LanguageModel().rates() == (0.01, 0.0001)   # Adam's, as before the option
    with pytest.raises(LMError, match="optimizer must be one of adam, sgd"):
        LanguageModel(optimizer="adagrad")
    with pytest.raises(LMError, match="training diverged: the validation perplexity is inf after epoch 1 .*lower alpha"):
        LanguageModel(_planted(), context=2, vector_size=16, hidden=32, min_count=1, epochs=3, batch_size=64,
                      optimizer="sgd", alpha=1e5, progress=False, workers=1)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_short_last_batch_steps_by_its_share(monkeypatch, optimizer):
    # an epoch's last batch of r < batch_size samples moves the model by r/batch_size of a full step, not a
    # full step from a few samples (that made SGD's validation perplexity jump on english-5m)
    steps = []

    class Recording(net.OPTIMIZERS[optimizer]):
        def step(self, p, dense, rows, lr, scratch=None, weight_decay=0.0):
            steps.append((lr, len(rows["C"][0]) // 2))
            return super().step(p, dense, rows, lr, scratch, weight_decay)

    monkeypatch.setitem(net.OPTIMIZERS, optimizer, Recording)
    lm = LanguageModel(_planted(), context=2, vector_size=8, hidden=8, min_count=1, epochs=2, batch_size=64,
                       optimizer=optimizer, progress=False, workers=1)
    sizes = [b for _, b in steps]
    short = [i for i, b in enumerate(sizes) if b < 64]
    n = lm.last_training["samples"] // 2
    assert n % 64 and len(short) == 2 and sizes[short[0]] == n % 64   # one short batch an epoch, last
    assert short == [len(steps) // 2 - 1, len(steps) - 1]
    for i in short:   # the linear schedule falls by the same amount every step: what the rate was
        scheduled = 2 * steps[i - 1][0] - steps[i - 2][0]
        assert steps[i][0] == pytest.approx(scheduled * (n % 64) / 64, rel=1e-6)
    full = [lr for lr, b in steps if b == 64]
    assert all(later <= earlier for earlier, later in zip(full, full[1:]))   # the schedule itself unchanged


def test_learns_planted_structure_and_predicts_the_next_word():
    lm = LanguageModel(_planted(), context=2, vector_size=16, hidden=32, min_count=1, epochs=8, batch_size=64,
                       alpha=0.01, progress=False, workers=1)
    (word, prob), *_ = lm.predict(["w3", "w4"], topn=3)
    assert word == "w5" and prob > 0.8
    assert lm.predict("w6 w7")[0][0] == "w8"
    ppl = lm.perplexity(_planted(100, seed=1))
    # a chain start is one of 7 words, then each word is determined: far below the 14 classes
    assert ppl < 2.5
    assert lm.history[-1]["validation_perplexity"] < 3.0
    assert lm.wv.vector_size == 16 and "w3" in lm.wv


@pytest.mark.parametrize("objective", ["sampled", "nce"])
def test_sampled_objectives_learn_and_perplexity_stays_exact(objective):
    lm = LanguageModel(_planted(), context=2, vector_size=16, hidden=32, min_count=1, epochs=8, batch_size=64,
                       alpha=0.01, objective=objective, samples=6, progress=False, workers=1)
    assert lm.last_training["objective"] == objective
    assert lm.predict(["w3", "w4"])[0][0] == "w5"
    dist = lm.next_distribution(["w3", "w4"])
    assert dist.sum() == pytest.approx(1.0)
    assert lm.perplexity(_planted(100, seed=1)) < 3.5


def test_exact_epochs_finish_a_sampled_model_on_the_exact_softmax():
    kw = dict(context=2, vector_size=16, hidden=32, min_count=1, epochs=4, batch_size=64, alpha=0.01,
              objective="sampled", samples=3, progress=False, workers=1, patience=4)
    sampled = LanguageModel(_planted(), **kw)
    tuned = LanguageModel(_planted(), **kw, exact_epochs=2)
    assert [r["objective"] for r in tuned.history] == ["sampled", "sampled", "softmax", "softmax"]
    assert [r["objective"] for r in sampled.history] == ["sampled"] * 4
    # the first epochs are the same run (same seed, one thread); the exact ones then differ
    assert tuned.history[1]["loss"] == sampled.history[1]["loss"]
    assert tuned.history[3]["validation_perplexity"] != sampled.history[3]["validation_perplexity"]
    assert tuned.perplexity(_planted(100, seed=1)) < 3.5
    back_kw = dict(tuned.get_params())
    assert back_kw["exact_epochs"] == 2
    # the throughput's FLOPs count each epoch's own objective (half sampled, half exact here)
    assert tuned.last_training["flops_per_sample"] == pytest.approx(
        (tuned.flops_per_sample("sampled") + tuned.flops_per_sample("softmax")) / 2)
    assert sampled.last_training["flops_per_sample"] == sampled.flops_per_sample("sampled")


def test_a_fraction_of_an_exact_epoch_cuts_the_last_one_short():
    kw = dict(context=2, vector_size=16, hidden=32, min_count=1, epochs=3, batch_size=64, alpha=0.01,
              objective="sampled", samples=3, progress=False, workers=1, patience=4)
    tuned = LanguageModel(_planted(), **kw, exact_epochs=0.5)
    assert [r["objective"] for r in tuned.history] == ["sampled", "sampled", "softmax"]
    whole, part = tuned.history[0]["samples"], tuned.history[2]["samples"]
    assert abs(part - whole / 2) <= 64          # half the batches of an epoch
    assert tuned.perplexity(_planted(100, seed=1)) < 3.5
    with pytest.raises(LMError, match="exact_epochs"):
        LanguageModel(exact_epochs=-0.5)


def test_exact_epochs_follow_a_sampled_phase_that_stopped_early(monkeypatch):
    kw = dict(context=2, vector_size=8, hidden=16, min_count=1, epochs=40, batch_size=64, alpha=0.01,
              schedule="halving", validation=0.1, progress=False, workers=1, objective="sampled", samples=4, dropout=0.0)
    plain = LanguageModel(_planted(400), **kw)
    assert plain.last_training["stopped"] == "early stopping" and len(plain.history) < 39
    start = {}
    real = net.loss_and_grads

    def watch(p, ctx, y, objective="softmax", *args, **kwargs):
        if objective == "softmax" and not start:
            start.update({k: v.copy() for k, v in p.items()})
        return real(p, ctx, y, objective, *args, **kwargs)

    monkeypatch.setattr(net, "loss_and_grads", watch)
    tuned = LanguageModel(_planted(400), **kw, exact_epochs=1)
    n = len(plain.history)
    # the same sampled epochs, then one exact epoch (not the 40th: the sampled phase ended by itself)
    assert [r["objective"] for r in tuned.history] == ["sampled"] * n + ["softmax"]
    assert [r["epoch"] for r in tuned.history] == list(range(1, n + 2))   # counted as run
    assert [r["loss"] for r in tuned.history[:n]] == [r["loss"] for r in plain.history]
    # at the rate the sampled phase ended with, from its best parameters (plain's result), not its last ones
    assert tuned.history[-1]["learning_rate"] == plain.history[-1]["learning_rate"]
    for k, v in plain.params.items():
        np.testing.assert_array_equal(start[k], v)
    best = min(r["validation_perplexity"] for r in plain.history)
    assert tuned.history[-1]["validation_perplexity"] < best
    assert tuned.perplexity(_planted(100, seed=1)) <= plain.perplexity(_planted(100, seed=1))


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_timing_an_exact_step_leaves_the_parameters_alone(optimizer):
    lm = LanguageModel(_planted(200), context=2, vector_size=8, hidden=8, min_count=1, epochs=1, progress=False,
                       workers=1, optimizer=optimizer, weight_decay=0.1)
    before = {k: v.copy() for k, v in lm.params.items()}
    stream, positions = w2v.lm.data.read(_planted(50), lm.vocab)[1].stream(2, lm.vocab.start, lm.vocab.end)
    assert 0 < lm._exact_step_seconds(stream, positions) < 1
    for k, v in before.items():
        np.testing.assert_array_equal(lm.params[k], v)


def test_max_time_keeps_time_for_the_exact_epochs(monkeypatch):
    # epochs enough for hours: only the clock ends the sampled phase, early enough for one exact epoch
    # whose step is made to take 20 ms
    monkeypatch.setattr(LanguageModel, "_exact_step_seconds", lambda self, stream, positions: 0.02)
    kw = dict(context=2, vector_size=8, hidden=8, min_count=1, batch_size=64, progress=False, workers=1,
              objective="sampled", samples=4, alpha=0.01, patience=10**6, dropout=0.0)
    lm = LanguageModel(_planted(400), epochs=10**6, exact_epochs=1, max_time=3.0, **kw)
    batches = math.ceil(lm.last_training["train_tokens"] / 64)
    reserve = batches * 0.02
    sampled = [r for r in lm.history if r["objective"] == "sampled"]
    exact = [r for r in lm.history if r["objective"] == "softmax"]
    assert len(exact) == 1 and lm.history[-1] is exact[0] and exact[0]["samples"] == lm.last_training["train_tokens"]
    assert lm.last_training["stopped"] == "max_time"
    # the sampled phase used its share of the time and no more, the exact epoch ran within max_time
    assert 3.0 - reserve - 0.5 < sampled[-1]["seconds"] < 3.0 - reserve + 0.2
    assert exact[0]["seconds"] < 3.0 + 0.2
    # the rate fell over the sampled share of the time: the exact epoch runs at the floor
    assert exact[0]["learning_rate"] == pytest.approx(lm.rates()[1])
    assert sampled[-1]["learning_rate"] < 0.01 * 0.1
    # exact epochs that would take more than the whole budget get only its second half
    monkeypatch.setattr(LanguageModel, "_exact_step_seconds", lambda self, stream, positions: 10.0)
    cut = LanguageModel(_planted(400), epochs=10**6, exact_epochs=1, max_time=2.0, **kw)
    sampled = [r for r in cut.history if r["objective"] == "sampled"]
    assert 1.0 - 0.4 < sampled[-1]["seconds"] < 1.0 + 0.2 and cut.history[-1]["objective"] == "softmax"
    assert cut.history[-1]["seconds"] < 2.0 + 0.2
    # without exact epochs the same budget is all the sampled phase's
    plain = LanguageModel(_planted(400), epochs=10**6, max_time=1.0, **kw)
    assert plain.last_training["stopped"] == "max_time" and plain.history[-1]["objective"] == "sampled"


def test_seed_and_one_thread_are_repeatable():
    kw = dict(context=2, vector_size=8, hidden=8, min_count=1, epochs=2, progress=False, workers=1, seed=3)
    a = LanguageModel(_planted(200), **kw)
    b = LanguageModel(_planted(200), **kw)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])


def test_save_load_and_vectors(tmp_path):
    lm = LanguageModel(_planted(200), context=2, vector_size=8, hidden=8, min_count=1, epochs=1, progress=False,
                       direct=True)
    path = tmp_path / "lm.w2v"
    lm.save(path)
    back = LanguageModel.load(path)
    assert back.predict("w1 w2") == lm.predict("w1 w2")
    kv = w2v.load(path)
    assert kv.index_to_key == lm.wv.index_to_key
    np.testing.assert_array_equal(kv.vectors, lm.wv.vectors)


def test_other_kind_of_file_is_named(tmp_path):
    model = w2v.Word2Vec(_planted(100), vector_size=8, min_count=1, epochs=1, workers=1)
    path = tmp_path / "model.w2v"
    model.save(path)
    with pytest.raises(FormatError, match="word2vec model"):
        LanguageModel.load(path)


def test_bad_input():
    with pytest.raises(LMError, match="context"):
        LanguageModel(context=0)
    with pytest.raises(W2VError, match="too small"):
        LanguageModel([["a", "b"]], min_count=1, progress=False)
    with pytest.raises(W2VError, match="empty"):
        LanguageModel([], min_count=1, progress=False)
    lm = LanguageModel(_planted(100), vector_size=4, hidden=4, min_count=1, epochs=1, progress=False)
    with pytest.raises(LMError, match="no tokens"):
        lm.perplexity([])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = lm.predict("zzz yyy", topn=2)
    assert len(out) == 2 and "unknown token" in str(caught[0].message)


def test_generate_is_seeded():
    lm = LanguageModel(_planted(), context=2, vector_size=16, hidden=32, min_count=1, epochs=6, batch_size=64,
                       alpha=0.01, progress=False)
    a = lm.generate("w0 w1", words=5, temperature=0.5, seed=1)
    assert a == lm.generate("w0 w1", words=5, temperature=0.5, seed=1)
    assert a[:3] == ["w2", "w3", "w4"]
    assert "<unk>" not in a


def test_two_training_threads_and_dropout_still_learn():
    # Hogwild: two threads share the parameters (not repeatable, so only the result is checked)
    lm = LanguageModel(_planted(), context=2, vector_size=16, hidden=32, min_count=1, epochs=8, batch_size=32,
                       alpha=0.01, objective="sampled", samples=6, dropout=0.1, workers=2, progress=False)
    assert lm.predict(["w3", "w4"])[0][0] == "w5"
    assert lm.perplexity(_planted(100, seed=1)) < 3.5
    assert all(r["samples"] == lm.last_training["train_tokens"] for r in lm.history)   # every batch, once


def test_dropout_is_seeded_and_repeatable():
    kw = dict(context=2, vector_size=8, hidden=8, min_count=1, epochs=2, progress=False, workers=1, seed=3,
              dropout=0.3, objective="sampled", samples=5)
    a, b = LanguageModel(_planted(200), **kw), LanguageModel(_planted(200), **kw)
    c = LanguageModel(_planted(200), **dict(kw, dropout=0.0))
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["H"], c.params["H"])
    with pytest.raises(LMError, match="dropout"):
        LanguageModel(dropout=1.5)


@pytest.mark.parametrize("rate", [0.001, 0.2, 0.3, 0.5, 0.9])
def test_dropout_masks_drop_their_share_and_keep_the_expected_value(rate):
    mx, ma = net.dropout_masks(np.random.default_rng(0), 400, (30, 50), rate)
    assert mx.shape == (400, 30) and ma.shape == (400, 50) and mx.dtype == ma.dtype == np.float32
    for m in (mx, ma):
        kept = m > 0
        assert len(np.unique(m[kept])) == 1                       # one scale: the inverse of the kept share
        level = round(float(1 / m[kept][0]) * 256)
        assert abs(level / 256 - (1 - rate)) <= 1 / 256 or level == 255   # the rate, to a 256th
        assert abs(kept.mean() - level / 256) < 0.02              # that share is what is kept
        assert abs(m.mean() - 1.0) < 0.1                          # expected value unchanged
    a = net.dropout_masks(np.random.default_rng(5), 7, (3,), 0.3)
    np.testing.assert_array_equal(a[0], net.dropout_masks(np.random.default_rng(5), 7, (3,), 0.3)[0])


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("batch", [16, 40])   # chunks of one and of several (partial) row blocks
def test_exact_log_probabilities_match_the_reference(threads, batch):
    p, ctx, y, _, _ = _random_problem(np.float32, classes=50, B=70)
    fast = net.log_probabilities(p, ctx, y, batch=batch, threads=threads)
    ref = net.log_probabilities_reference({k: v.astype(np.float64) for k, v in p.items()}, ctx, y)
    np.testing.assert_allclose(fast, ref, rtol=1e-5, atol=1e-5)
    assert np.exp(net.log_probabilities(p, ctx[:1].repeat(50, 0), np.arange(50))).sum() == pytest.approx(1, rel=1e-5)


@pytest.mark.parametrize("objective", ["softmax", "sampled"])
def test_tied_embeddings_learn_save_and_load(tmp_path, objective):
    # tied: the classes score against their own rows of C through a projection, no output matrix U
    lm = LanguageModel(_planted(), context=2, vector_size=16, hidden=32, min_count=1, epochs=8, batch_size=64,
                       objective=objective, samples=6, tied=True, progress=False, workers=1)
    assert "U" not in lm.params and lm.params["P"].shape == (32, 16)
    assert lm.predict(["w3", "w4"])[0][0] == "w5"
    assert lm.perplexity(_planted(100, seed=1)) < 3
    lm.save(tmp_path / "tied.w2v")
    back = LanguageModel.load(tmp_path / "tied.w2v")
    assert back.tied and back.predict("w6 w7") == lm.predict("w6 w7")


def test_average_and_weight_decay():
    kw = dict(context=2, vector_size=8, hidden=8, min_count=1, epochs=3, progress=False, workers=1, seed=3,
              validation=0.1)
    plain = LanguageModel(_planted(300), **kw)
    averaged = LanguageModel(_planted(300), average=2, **kw)
    again = LanguageModel(_planted(300), average=2, **kw)
    decayed = LanguageModel(_planted(300), weight_decay=1.0, **kw)
    for k in plain.params:   # repeatable, and each option changes the result
        np.testing.assert_array_equal(averaged.params[k], again.params[k])
        assert not np.array_equal(averaged.params[k], plain.params[k]), k
    # decoupled weight decay shrinks the weights, not the biases' role: smaller hidden weights than without
    assert np.abs(decayed.params["H"]).sum() < np.abs(plain.params["H"]).sum()
    test = _planted(100, seed=1)
    assert averaged.perplexity(test) < 1.1 * plain.perplexity(test)
    with pytest.raises(LMError, match="average"):
        LanguageModel(average=-1)
    with pytest.raises(LMError, match="weight_decay"):
        LanguageModel(weight_decay=-0.1)


def test_halving_schedule_keeps_alpha_until_a_plateau_then_halves():
    lm = LanguageModel(_planted(400), context=2, vector_size=8, hidden=16, min_count=1, epochs=40, batch_size=64,
                       alpha=0.01, schedule="halving", validation=0.1, progress=False, workers=1)
    rates = [r["learning_rate"] for r in lm.history]
    val = [r["validation_perplexity"] for r in lm.history]
    first = next(i for i, r in enumerate(rates) if r < 0.01)
    assert first >= 1 and all(r == 0.01 for r in rates[:first])
    # halving starts after the first epoch that lowers the validation entropy by less than 0.3%
    assert math.log(val[first - 1]) > 0.997 * math.log(min(val[:first - 1]))
    assert all(math.log(v) <= 0.997 * math.log(min(val[:i])) for i, v in enumerate(val[:first - 1]) if i)
    # (not below min_alpha)
    assert rates[first:] == pytest.approx([max(0.01 / 2 ** (k + 1), 1e-4) for k in range(len(rates) - first)])
    assert lm.last_training["stopped"] == "early stopping" and len(rates) < 40
    assert val[-1] >= min(val)   # the epoch that ended it did not improve; the best parameters are kept
    assert lm.perplexity(_planted(100, seed=1)) < 3
    with pytest.raises(LMError, match="schedule"):
        LanguageModel(schedule="cosine")


def test_validation_sample_is_random_sentences_not_the_first_ones():
    from w2v.lm import data

    # a corpus ordered by source: 200 sentences of one kind, then 200 of another
    corpus = [["a", "b", "c"]] * 200 + [["d", "e"]] * 200
    vocab, sentences = data.read(corpus, None, 1, progress=False)
    assert sentences.sample(10_000, 1) is sentences                 # all fit: all kept
    part = sentences.sample(300, 1)
    assert 250 <= part.tokens <= 300
    kinds = {len(s) for s in np.split(part.ids, part.offsets[1:-1])}
    assert kinds == {2, 3}                                          # both sources, not just the first
    again = sentences.sample(300, 1)
    np.testing.assert_array_equal(part.ids, again.ids)              # seeded
    assert sentences.sample(1, 1).tokens in (3, 4)                  # at least one sentence


def test_a_shortlist_of_every_class_is_the_exact_softmax():
    kw = dict(context=2, vector_size=16, hidden=32, min_count=1, epochs=2, batch_size=64, alpha=0.01,
              progress=False, workers=1, dropout=0.0)
    exact = LanguageModel(_planted(), objective="softmax", **kw)
    whole = LanguageModel(_planted(), objective="sampled", samples=5, shortlist=1000, **kw)
    for a, b in zip(exact.history, whole.history):
        assert b["loss"] == pytest.approx(a["loss"], rel=1e-4)
        assert b["validation_perplexity"] == pytest.approx(a["validation_perplexity"], rel=1e-4)
    assert whole.predict(["w3", "w4"])[0][0] == "w5"


def test_a_shortlist_keeps_the_frequent_classes_and_samples_the_rest():
    corpus = [["a", "a", "a", "b", "b", "c", "d", "e"]] * 50
    lm = LanguageModel(corpus, context=1, vector_size=4, hidden=4, min_count=1, epochs=1, batch_size=64,
                       objective="sampled", samples=3, shortlist=2, progress=False, workers=1)
    counts = np.array([150, 100, 50, 50, 50, 50, 0], dtype=np.float64)   # a b c d e </s> <unk>
    order = [lm.vocab.index[w] for w in "abcde"] + [lm.vocab.end, lm.vocab.unknown]
    counts = counts[np.argsort(order)]
    head, k, cdf, log_kq = lm._proposal(counts, np.float64)
    assert sorted(lm.vocab.token(i) for i in head) == ["a", "b"]
    assert k == 3 and (log_kq[head] == 0).all()
    rng = np.random.default_rng(0)
    draws = np.searchsorted(cdf, rng.random(10000) * cdf[-1], side="right")
    assert not np.isin(draws, head).any() and not (draws == lm.vocab.unknown).any()
    # the others are drawn by count^0.75: c, d, e and </s> alike; k Q(c) is their expected count
    assert np.allclose(np.exp(log_kq[draws[:4]]), 3 / 4)
    assert lm.perplexity(corpus[:5]) < 8
