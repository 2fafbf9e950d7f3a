"""Training: it learns planted structure in every mode, is repeatable, saves, loads and continues."""
import gzip

import numpy as np
import pytest

import w2v
from w2v import store
from w2v.errors import CorpusError, FormatError

from conftest import neighbour_purity, planted_corpus

SENTENCES, GROUP = planted_corpus()
SMALL = dict(vector_size=24, window=3, min_count=1, epochs=5, workers=2, progress=False)


@pytest.mark.parametrize("sg,hs,negative", [(1, 0, 5), (0, 0, 5), (1, 1, 0), (0, 1, 0)],
                         ids=["sg-ns", "cbow-ns", "sg-hs", "cbow-hs"])
def test_every_mode_recovers_planted_groups(sg, hs, negative):
    model = w2v.Word2Vec(SENTENCES, sg=sg, hs=hs, negative=negative, seed=3, **SMALL)
    assert len(model.wv) == len(GROUP)
    assert neighbour_purity(model.wv, GROUP) >= 0.95
    # and vectors of different groups are far apart on average
    unit = model.wv.vectors / np.linalg.norm(model.wv.vectors, axis=1, keepdims=True)
    same, other = [], []
    for i, a in enumerate(model.wv.index_to_key):
        for j, b in enumerate(model.wv.index_to_key[:i]):
            (same if GROUP[a] == GROUP[b] else other).append(unit[i] @ unit[j])
    assert np.mean(same) - np.mean(other) > 0.3


def test_one_worker_with_a_seed_is_bit_identical():
    kwargs = dict(SMALL, workers=1, sg=1, seed=42)
    a = w2v.Word2Vec(SENTENCES, **kwargs)
    b = w2v.Word2Vec(SENTENCES, **kwargs)
    c = w2v.Word2Vec(SENTENCES, **dict(kwargs, seed=43))
    assert np.array_equal(a.wv.vectors, b.wv.vectors) and np.array_equal(a.syn1neg, b.syn1neg)
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)


def test_corpus_file_and_iterable_train_the_same_model(tmp_path):
    path = tmp_path / "c.txt.gz"
    with gzip.open(path, "wt") as f:
        f.write("\n".join(" ".join(s) for s in SENTENCES) + "\n")
    kwargs = dict(SMALL, workers=1, seed=5)
    from_file = w2v.Word2Vec(corpus_file=str(path), **kwargs)
    from_list = w2v.Word2Vec(SENTENCES, **kwargs)
    assert from_file.wv.index_to_key == from_list.wv.index_to_key
    assert np.array_equal(from_file.wv.vectors, from_list.wv.vectors)
    assert from_file.corpus_count == len(SENTENCES) and from_file.corpus_total_words == 20_000


def test_gensim_style_build_vocab_then_train():
    model = w2v.Word2Vec(**SMALL)
    model.build_vocab(SENTENCES)
    assert model.corpus_count == 2000
    trained, raw = model.train(SENTENCES, total_examples=model.corpus_count, epochs=model.epochs)
    assert raw == 5 * 20_000 and 0 < trained <= raw
    assert neighbour_purity(model.wv, GROUP) >= 0.95


def test_train_reuses_the_scan_of_the_same_file(tmp_path, monkeypatch):
    """build_vocab then train on the same path (as str, then as Path) reads the file once."""
    from pathlib import Path

    from w2v import corpus

    path = tmp_path / "c.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in SENTENCES[:200]))
    reads = []
    real = corpus.scan
    monkeypatch.setattr(corpus, "scan", lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    model = w2v.Word2Vec(**SMALL)
    model.build_vocab(corpus_file=str(path))
    model.train(corpus_file=Path(path))
    assert reads == [str(path)]
    model.train(corpus_file=path)          # a second train reads again (the scan is used once)
    assert len(reads) == 2


def test_loss_is_reported_per_epoch_and_falls():
    model = w2v.Word2Vec(SENTENCES, sg=1, compute_loss=True, **SMALL)
    losses = model.epoch_losses
    assert len(losses) == 5 and all(x > 0 for x in losses)
    assert losses[-1] < losses[0]
    assert model.get_latest_training_loss() == pytest.approx(sum(losses))


def test_callbacks_run_at_epoch_ends():
    seen = []

    class Recorder:
        def on_epoch_end(self, model):
            seen.append(model.wv.vectors[0].copy())

        def on_train_end(self, model):
            seen.append("end")

    w2v.Word2Vec(SENTENCES, callbacks=[Recorder()], **SMALL)
    assert len(seen) == 6 and seen[-1] == "end"
    assert not np.array_equal(seen[0], seen[4])     # vectors moved between epochs


def test_progress_bar_shows_epoch_rate_and_eta(capsys):
    w2v.Word2Vec(SENTENCES, **dict(SMALL, progress=True))
    err = capsys.readouterr().err
    assert "epoch 5/5" in err and "word/s" in err and "100%" in err


def test_kernel_compiles_before_the_clock_on_an_empty_job_that_changes_nothing(monkeypatch):
    """Compilation is kept out of `last_training` by a warm-up call on an empty job: that call
    must leave every matrix as it was and report no words."""
    from w2v.kernels import train as kernels

    calls = []
    real = kernels.train_job

    def spy(state, order, job):
        before = (state.syn0.copy(), state.syn1neg.copy())
        result = real(state, order, job)
        if job.begin == job.end:
            calls.append(result)
            assert np.array_equal(state.syn0, before[0]) and np.array_equal(state.syn1neg, before[1])
        return result

    monkeypatch.setattr(kernels, "train_job", spy)
    model = w2v.Word2Vec(SENTENCES, compute_loss=True, **SMALL)
    assert calls and calls[0] == (0, 0.0)
    t = model.last_training
    assert t["compile_seconds"] >= 0 and t["words_per_second"] == pytest.approx(t["raw_words"] / t["seconds"])


def test_progress_bar_is_drawn_when_the_terminal_reports_no_size(monkeypatch, capfd):
    """A pty opened without a size reports 0 x 0; tqdm alone would then draw nothing."""
    import os

    from w2v.progress import progress_bar

    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((0, 0)))
    with progress_bar(total=10, unit="word") as bar:
        bar.update(10)
    assert bar.ncols == 80 and "10/10" in capfd.readouterr().err
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((120, 40)))
    with progress_bar(total=10, unit="word") as bar:
        bar.update(10)
    assert bar.dynamic_ncols


def test_subsampling_drops_frequent_words():
    text = [["the"] * 20 + ["rare" + str(i % 50)] for i in range(500)]
    model = w2v.Word2Vec(text, sample=1e-3, **dict(SMALL, epochs=1))
    trained, raw = model.train(text, epochs=1)
    assert trained < 0.3 * raw
    model = w2v.Word2Vec(text, sample=0, **dict(SMALL, epochs=1))
    assert model.train(text, epochs=1)[0] == 500 * 21


def test_save_load_roundtrip_and_continue_training(tmp_path):
    model = w2v.Word2Vec(SENTENCES, sg=1, seed=9, **SMALL)
    path = tmp_path / "m.w2v"
    model.save(path)
    loaded = w2v.Word2Vec.load(path)
    assert loaded.wv.index_to_key == model.wv.index_to_key
    assert np.array_equal(loaded.wv.vectors, model.wv.vectors)
    assert np.array_equal(loaded.syn1neg, model.syn1neg)
    assert np.array_equal(loaded.wv.counts, model.wv.counts)
    assert loaded.params() == {**model.params(), "callbacks": (), "progress": None}
    before = loaded.wv.vectors.copy()
    loaded.train(SENTENCES[:200], epochs=1)
    assert not np.array_equal(before, loaded.wv.vectors)
    assert neighbour_purity(loaded.wv, GROUP) >= 0.95


def test_mmap_load_is_read_only_and_refuses_to_train(tmp_path):
    model = w2v.Word2Vec(SENTENCES, **SMALL)
    model.save(tmp_path / "m.w2v")
    mapped = w2v.Word2Vec.load(tmp_path / "m.w2v", mmap="r")
    assert isinstance(mapped.wv.vectors, np.memmap)
    assert np.array_equal(mapped.wv.vectors, model.wv.vectors)
    with pytest.raises(ValueError, match="read-only"):
        mapped.train(SENTENCES[:10], epochs=1)


def test_build_vocab_update_adds_new_words_and_keeps_old_vectors():
    # no subsampling: on this tiny text it would drop most words, and whether an old word then
    # shares a window with another would be up to the random stream
    model = w2v.Word2Vec(SENTENCES, **dict(SMALL, sample=0))
    old = model.wv.vectors.copy()
    new_text = [["brand", "new", "words"] * 3] * 10 + [["g0w0", "g0w1"]] * 5
    model.build_vocab(new_text, update=True)
    assert {"brand", "new", "words"} <= set(model.wv.key_to_index)
    assert len(model.wv) == len(GROUP) + 3
    assert np.array_equal(model.wv.vectors[:len(old)], old)
    assert model.wv.counts[model.wv.key_to_index["g0w0"]] > 5
    model.train(new_text, epochs=2)
    assert not np.array_equal(model.wv.vectors[:len(old)], old)


def test_save_is_atomic(tmp_path, monkeypatch):
    model = w2v.Word2Vec(SENTENCES, **SMALL)
    path = tmp_path / "m.w2v"
    model.save(path)
    good = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store.np, "ascontiguousarray", broken)
    with pytest.raises(OSError):
        model.save(path)
    monkeypatch.undo()
    real_write = store.atomic_write

    class Interrupted(Exception):
        pass

    def interrupting(*args, **kwargs):
        cm = real_write(*args, **kwargs)
        handle = cm.__enter__()
        handle.write(b"partial")
        cm.__exit__(Interrupted, Interrupted(), None)
        raise Interrupted

    monkeypatch.setattr(store, "atomic_write", interrupting)
    with pytest.raises(Interrupted):
        model.save(path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["m.w2v"]      # no temp files left behind


def test_truncated_model_file_is_a_clear_error(tmp_path):
    model = w2v.Word2Vec(SENTENCES, **SMALL)
    path = tmp_path / "m.w2v"
    model.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match=r"m\.w2v: truncated: array .* file ends at offset"):
        w2v.Word2Vec.load(path)
    path.write_bytes(b"not a model at all")
    with pytest.raises(FormatError, match="not a w2v native file"):
        w2v.Word2Vec.load(path)


def test_bad_inputs_are_clear_errors(tmp_path):
    with pytest.raises(CorpusError, match="empty"):
        w2v.Word2Vec([[], []], **SMALL)
    with pytest.raises(CorpusError, match="no word occurs min_count=50"):
        w2v.Word2Vec([["a", "b"]] * 3, **dict(SMALL, min_count=50))
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(CorpusError, match="empty"):
        w2v.Word2Vec(corpus_file=str(tmp_path / "empty.txt"), **SMALL)
    with pytest.raises(ValueError, match="window must be a whole number >= 1"):
        w2v.Word2Vec(window=0)
    with pytest.raises(ValueError, match="nothing to train with"):
        w2v.Word2Vec(negative=0, hs=0)
    with pytest.raises(TypeError):
        w2v.Word2Vec(size=100)            # gensim 3's name: rejected, not silently ignored
    with pytest.raises(ValueError, match="no vocabulary"):
        w2v.Word2Vec().train(SENTENCES)


def test_workers_do_not_change_what_is_learned():
    one = w2v.Word2Vec(SENTENCES, **dict(SMALL, workers=1))
    three = w2v.Word2Vec(SENTENCES, **dict(SMALL, workers=3))
    assert neighbour_purity(one.wv, GROUP) >= 0.95 and neighbour_purity(three.wv, GROUP) >= 0.95


def test_demo_corpus_trains_sensible_neighbours():
    from w2v.cli.train import demo_corpus_path

    model = w2v.Word2Vec(corpus_file=demo_corpus_path(), sg=1, workers=2, epochs=3, progress=False)
    assert model.corpus_total_words == 560_305
    unit = model.wv.vectors / np.linalg.norm(model.wv.vectors, axis=1, keepdims=True)
    sims = unit @ unit[model.wv.key_to_index["god"]]
    top = [model.wv.index_to_key[i] for i in np.argsort(-sims)[1:20]]
    assert {"lord", "yahweh", "heaven", "almighty", "bless", "angel"} & set(top)


def test_vectors_lockf_keeps_locked_words_in_place_while_the_rest_train():
    """gensim's transfer-learning workflow: rows with lock factor 0 never move."""
    model = w2v.Word2Vec(SENTENCES, sg=1, seed=5, **SMALL)
    locked = [model.wv.key_to_index[w] for w in model.wv.index_to_key[:5]]
    model.wv.vectors_lockf = np.ones(len(model.wv), np.float32)
    model.wv.vectors_lockf[locked] = 0.0
    before = model.wv.vectors.copy()
    model.train(SENTENCES, epochs=1)
    free = np.setdiff1d(np.arange(len(model.wv)), locked)
    assert np.array_equal(model.wv.vectors[locked], before[locked])
    assert not np.allclose(model.wv.vectors[free], before[free])


def test_parameters_changed_after_init_are_checked_when_training_starts():
    model = w2v.Word2Vec(SENTENCES, **SMALL)
    model.window = 0
    with pytest.raises(ValueError, match="window must be a whole number >= 1, got 0"):
        model.train(SENTENCES)
    model.window = 3
    model.negative, model.hs = 0, 0
    with pytest.raises(ValueError, match="nothing to train with"):
        model.build_vocab(SENTENCES)


def test_absurd_sizes_fail_before_allocating_and_say_how_much_memory_they_need():
    with pytest.raises(ValueError, match=r"vector_size=1000000000.* need [\d,.]+ (GB|TB|PB) for training"):
        w2v.Word2Vec(SENTENCES, **dict(SMALL, vector_size=10**9))
    with pytest.raises(ValueError, match=r"window=1000000000000.* need"):
        w2v.Word2Vec(SENTENCES, **dict(SMALL, window=10**12))


def test_unknown_parameters_are_a_type_error_and_the_signature_shows_the_defaults():
    import inspect

    from w2v import params

    with pytest.raises(TypeError, match="windows"):
        w2v.Word2Vec(windows=3)
    signature = inspect.signature(w2v.Word2Vec)
    assert list(signature.parameters)[:3] == ["sentences", "corpus_file", "vector_size"]
    assert {n: p.default for n, p in signature.parameters.items() if n in params.DEFAULTS} == params.DEFAULTS


def test_one_worker_and_a_seed_save_the_same_bytes_run_after_run(tmp_path):
    files = []
    for run in range(2):
        model = w2v.Word2Vec(SENTENCES, **dict(SMALL, workers=1, seed=4))
        files.append(tmp_path / f"run{run}.w2v")
        model.save(files[-1])
    assert files[0].read_bytes() == files[1].read_bytes()
    assert model.last_training["seconds"] > 0     # the timings are kept, only not in the file


class _StopAfter:
    """A callback that interrupts training at the end of epoch ``n`` (as Ctrl-C would)."""

    def __init__(self, n):
        self.n, self.seen = n, 0

    def on_epoch_end(self, model):
        self.seen += 1
        if self.seen == self.n:
            raise KeyboardInterrupt


@pytest.mark.parametrize("sg,hs,negative", [(1, 0, 5), (0, 1, 0)], ids=["sg-ns", "cbow-hs"])
def test_a_run_resumed_from_its_checkpoint_ends_bit_identical_to_an_uninterrupted_one(tmp_path, sg, hs, negative):
    options = dict(SMALL, workers=1, seed=6, epochs=4, sg=sg, hs=hs, negative=negative, compute_loss=True)
    whole = w2v.Word2Vec(SENTENCES, **options)
    checkpoint = tmp_path / "run.checkpoint"
    model = w2v.Word2Vec(**options)
    model.build_vocab(SENTENCES)
    with pytest.raises(KeyboardInterrupt):
        model.train(SENTENCES, checkpoint_every=2, checkpoint_path=checkpoint, callbacks=[_StopAfter(3)])
    resumed = w2v.Word2Vec.load(checkpoint)          # saved after epoch 2; epoch 3 was cut short
    assert resumed._resume["done"] == 2 and len(resumed.epoch_losses) == 2
    trained, raw = resumed.resume(SENTENCES)
    assert np.array_equal(resumed.wv.vectors, whole.wv.vectors)
    assert np.array_equal(resumed.syn1neg if negative else resumed.syn1, whole.syn1neg if negative else whole.syn1)
    assert resumed.epoch_losses == whole.epoch_losses
    assert (trained, raw) == (whole.last_training["effective_words"], whole.last_training["raw_words"])
    assert resumed.train_count == whole.train_count == 1
    with pytest.raises(ValueError, match="no unfinished training run"):
        resumed.resume(SENTENCES)


def test_checkpoint_every_needs_a_path():
    model = w2v.Word2Vec(SENTENCES, **SMALL)
    with pytest.raises(ValueError, match="checkpoint_path"):
        model.train(SENTENCES, checkpoint_every=1)


# -- the full softmax (softmax=1) -------------------------------------------------------------------

@pytest.mark.parametrize("sg", [1, 0], ids=["sg-softmax", "cbow-softmax"])
def test_full_softmax_recovers_planted_groups_and_its_loss_falls(sg):
    model = w2v.Word2Vec(SENTENCES, sg=sg, softmax=1, negative=0, hs=0, seed=3, compute_loss=True, **SMALL)
    assert model.syn1softmax.shape == (len(GROUP), 24) and model.syn1neg is None and model.syn1 is None
    assert neighbour_purity(model.wv, GROUP) >= 0.95
    losses = model.epoch_losses
    assert losses[-1] < 0.8 * losses[0]      # from about log(40) per pair towards log(8)
    # what the output layer learned is the planted structure too: from a word, its own group's
    # words get nearly all the probability (the softmax's prediction vector sums to 1 by construction)
    idx = model.wv.key_to_index
    probs = []
    for word, group in GROUP.items():
        scores = model.wv.vectors[idx[word]].astype(np.float64) @ model.syn1softmax.T.astype(np.float64)
        p = np.exp(scores - scores.max())
        p /= p.sum()
        probs.append(sum(p[idx[w]] for w, g in GROUP.items() if g == group))
    assert np.mean(probs) > 0.9     # uniform would give 8/40 = 0.2


def test_predict_output_word_on_a_full_softmax_model_is_its_output_layers_softmax():
    model = w2v.Word2Vec(SENTENCES, sg=0, softmax=1, negative=0, hs=0, seed=3, **SMALL)
    word = next(iter(GROUP))
    context = [w for w, g in GROUP.items() if g == GROUP[word] and w != word][:3]
    answer = model.predict_output_word(context, topn=len(GROUP))
    hidden = model.wv.vectors[[model.wv.key_to_index[w] for w in context]].astype(np.float64).mean(axis=0)
    scores = model.syn1softmax.astype(np.float64) @ hidden
    p = np.exp(scores - scores.max())
    p /= p.sum()
    got = dict(answer)
    assert len(got) == len(GROUP)
    for w, prob in got.items():
        assert prob == pytest.approx(p[model.wv.key_to_index[w]], rel=1e-4, abs=1e-7)
    # the planted structure: the context's own group comes first
    assert GROUP[answer[0][0]] == GROUP[word]
    with pytest.raises(w2v.errors.W2VError, match="full-softmax"):
        w2v.Word2Vec(SENTENCES, sg=1, hs=1, negative=0, seed=3, **SMALL).predict_output_word(context)


def test_full_softmax_saves_loads_and_continues_training(tmp_path):
    kwargs = dict(SMALL, workers=1, sg=1, softmax=1, negative=0, seed=9)
    model = w2v.Word2Vec(SENTENCES, **kwargs)
    path = tmp_path / "softmax.w2v"
    model.save(path)
    _, meta, arrays = store.load(path)
    assert meta["params"]["softmax"] == 1 and "syn1softmax" in arrays and "syn1neg" not in arrays
    loaded = w2v.Word2Vec.load(path)
    assert loaded.softmax == 1 and loaded.negative == 0
    np.testing.assert_array_equal(loaded.syn1softmax, model.syn1softmax)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    assert "softmax" in repr(loaded)
    # continuing from the file is the same as continuing in memory, bit for bit (one worker)
    model.train(SENTENCES, epochs=1)
    loaded.train(SENTENCES, epochs=1)
    np.testing.assert_array_equal(loaded.syn1softmax, model.syn1softmax)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    assert not np.array_equal(loaded.syn1softmax, arrays["syn1softmax"])
    # a file of another mode (saved before this mode existed looks the same) loads with no softmax layer
    other = w2v.Word2Vec(SENTENCES, **dict(kwargs, softmax=0, negative=5))
    other.save(tmp_path / "ns.w2v")
    back = w2v.Word2Vec.load(tmp_path / "ns.w2v")
    assert back.softmax == 0 and back.syn1softmax is None


def test_full_softmax_with_one_worker_and_a_seed_is_bit_identical():
    kwargs = dict(SMALL, workers=1, sg=1, softmax=1, negative=0, seed=4)
    a = w2v.Word2Vec(SENTENCES[:300], **kwargs)
    b = w2v.Word2Vec(SENTENCES[:300], **kwargs)
    assert np.array_equal(a.wv.vectors, b.wv.vectors) and np.array_equal(a.syn1softmax, b.syn1softmax)


def test_full_softmax_limits_are_clear_errors():
    from w2v import params

    with pytest.raises(ValueError, match=r"softmax=1 trains with the full softmax alone.*negative=5"):
        w2v.Word2Vec(SENTENCES, softmax=1, **SMALL)          # negative sampling is on by default
    with pytest.raises(ValueError, match=r"hs=1"):
        w2v.Word2Vec(softmax=1, negative=0, hs=1)
    # above the vocabulary limit: a ValueError with the numbers, before any matrix is made
    limit = params.SOFTMAX_MAX_VOCAB
    words = {f"w{i}": 5 for i in range(limit + 1)}
    model = w2v.Word2Vec(softmax=1, negative=0, vector_size=8)
    with pytest.raises(ValueError, match=f"{limit + 1:,} words, more than the limit of {limit:,}"):
        model.build_vocab_from_freq(words)
    assert len(model.wv) == 0
    model.build_vocab_from_freq(dict(list(words.items())[:limit]))   # at the limit: allowed
    assert model.syn1softmax.shape == (limit, 8)
    # switched on after the vocabulary was built: train() refuses too
    big = w2v.Word2Vec(negative=5, vector_size=8)
    big.build_vocab_from_freq(words)
    big.softmax, big.negative = 1, 0
    with pytest.raises(ValueError, match="more than the limit"):
        big.train([["w1", "w2"]])
