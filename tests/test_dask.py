"""Training on a Dask cluster: a real LocalCluster of 2 worker processes on loopback."""
import gzip
import subprocess
import sys
import time

import numpy as np
import pytest

import w2v
from w2v import corpus
from w2v.errors import W2VError

from conftest import neighbour_purity, planted_corpus

distributed = pytest.importorskip("dask.distributed")
from w2v.train import dask as wdask  # noqa: E402

SENTENCES, GROUP = planted_corpus(sentences=2000)
OPTIONS = dict(vector_size=24, window=3, min_count=1, epochs=4, seed=7, progress=False, sync_words=2000)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       host="127.0.0.1")
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The planted corpus as a folder: a plain file (cut into byte ranges) and a gzip file (kept whole)."""
    folder = tmp_path_factory.mktemp("planted")
    lines = [" ".join(s) + "\n" for s in SENTENCES]
    (folder / "a.txt").write_text("".join(lines[:1500]))
    with gzip.open(folder / "b.txt.gz", "wt") as f:
        f.write("".join(lines[1500:]))
    return folder


def largest_shard(folder):
    """Words in the largest of the 2 shards (a round is sync_words words of it; the gzip file is not cut)."""
    return max(sum(len(t.split()) for t in wdask.shard_texts(s)) for s in wdask.split_corpus(str(folder), 2))


def timed(limit):
    """Fail a test that takes more than ``limit`` seconds (checked at its end)."""
    class Clock:
        def __enter__(self):
            self.start = time.perf_counter()
            return self

        def __exit__(self, *exc):
            took = time.perf_counter() - self.start
            assert exc[0] is not None or took < limit, f"took {took:.1f} s, more than {limit} s"
    return Clock()


def test_the_shards_cover_every_line_once(tmp_path):
    """Byte ranges cut anywhere (mid-line, on a newline, in a long line) give every line to exactly one shard."""
    rng = np.random.default_rng(0)
    lines = [" ".join(f"w{x}" for x in rng.integers(0, 50, rng.integers(0, 30))) for _ in range(700)]
    lines[100] = "long " * 3000
    text = "\n".join(lines) + "\nlast line without newline"
    path = tmp_path / "c.txt"
    path.write_text(text)
    for n in (1, 2, 3, 7, 40):
        shards = wdask.split_corpus(str(path), n)
        assert 1 <= len(shards) <= n
        got = "".join(t for s in shards for t in wdask.shard_texts(s))
        assert got == text, n
    # a folder: files in name order, hidden files skipped, compressed files whole
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "2.txt").write_text("b b\n")
    with gzip.open(tmp_path / "d" / "1.gz", "wt") as f:
        f.write("a a\n")
    (tmp_path / "d" / ".hidden").write_text("zzz\n")
    shards = wdask.split_corpus(str(tmp_path / "d"), 4)
    assert "".join(t for s in shards for t in wdask.shard_texts(s)) == "a a\nb b\n"


def test_counting_on_the_cluster_equals_one_process(client, planted):
    with timed(60):
        single = corpus.scan(str(planted))
        scan = wdask.scan_shards(client, str(planted), progress=False)
        assert len(scan.shards) == 2
        words, counts = scan.vocabulary()
        one_words, one_counts = single.vocabulary()
        assert words == one_words and counts.tolist() == one_counts.tolist()
        assert (scan.total_words, scan.sentence_count) == (single.total_words, single.sentence_count)
        # and the model built on it: the same vocabulary, order and counts as a one-process build_vocab
        model = w2v.Word2Vec(client=client, **OPTIONS)
        model.build_vocab(corpus_file=str(planted))
        local = w2v.Word2Vec(**OPTIONS)
        local.build_vocab(corpus_file=str(planted))
        assert model.wv.index_to_key == local.wv.index_to_key
        assert model.wv.counts.tolist() == local.wv.counts.tolist()
        assert (model.corpus_count, model.corpus_total_words) == (local.corpus_count, local.corpus_total_words)


def test_counting_with_a_tokenizer_on_the_cluster_equals_one_process(client, tmp_path):
    rng = np.random.default_rng(1)
    words = ["The", "dog's", "bark—sometimes.", "Well-known", "3.14", "L’homme", "naïve", "ÉTÉ", "end!"]
    path = tmp_path / "raw.txt"
    path.write_text("".join(" ".join(rng.choice(words, rng.integers(1, 12))) + "\n" for _ in range(3000)))
    spec = {"mode": "words", "lowercase": True}
    clustered = w2v.Word2Vec(client=client, tokenizer=spec, **OPTIONS)
    clustered.build_vocab(corpus_file=str(path))
    local = w2v.Word2Vec(tokenizer=spec, **OPTIONS)
    local.build_vocab(corpus_file=str(path))
    assert clustered.wv.index_to_key == local.wv.index_to_key and "l’homme" in clustered.wv
    assert clustered.wv.counts.tolist() == local.wv.counts.tolist()
    assert clustered.corpus_total_words == local.corpus_total_words


@pytest.mark.parametrize("sg", [1, 0], ids=["sg", "cbow"])
def test_training_on_the_cluster_learns_planted_groups(client, planted, sg):
    with timed(60):
        model = w2v.Word2Vec(corpus_file=str(planted), sg=sg, client=client, **OPTIONS)
    assert neighbour_purity(model.wv, GROUP) >= 0.95
    stats = model.last_training["cluster"]
    assert stats["shards"] == 2
    # a round every sync_words words of the largest shard (the gzip file is not cut, so shards differ)
    assert stats["rounds"] == -(-largest_shard(planted) // OPTIONS["sync_words"]) * OPTIONS["epochs"]
    assert 0 < stats["bytes_up"] and 0 < stats["bytes_down"]
    assert model.last_training["raw_words"] == 20_000 * OPTIONS["epochs"]
    assert 0 < model.last_training["effective_words"] <= 20_000 * OPTIONS["epochs"]


def test_synchronous_rounds_are_repeatable_and_differ_by_seed(client, planted):
    """Rounds merge in shard order, so a cluster run with one thread per worker is bit-for-bit repeatable."""
    with timed(60):
        a = w2v.Word2Vec(corpus_file=str(planted), sg=1, client=client, **dict(OPTIONS, epochs=2))
        b = w2v.Word2Vec(corpus_file=str(planted), sg=1, client=client, **dict(OPTIONS, epochs=2))
        c = w2v.Word2Vec(corpus_file=str(planted), sg=1, client=client, **dict(OPTIONS, epochs=2, seed=8))
    assert np.array_equal(a.wv.vectors, b.wv.vectors) and np.array_equal(a.syn1neg, b.syn1neg)
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)


def test_the_driver_holds_what_the_workers_hold(client, planted):
    """After training, every worker's copy equals the driver's model exactly (the merged change is applied
    the same way everywhere), float16 changes included."""
    model = w2v.Word2Vec(min_count=1, vector_size=16, window=3, epochs=1, seed=3, progress=False)
    model.build_vocab(corpus_file=str(planted))
    executor = wdask.DaskExecutor(client, sync_words=3000, float16=True, combine="mean")
    copies = {}

    def held():
        import w2v.train.dask as module

        return {key[1]: replica.base for key, replica in module._REPLICAS.items()}

    class Peek:   # at the end of the epoch, before the executor forgets the copies
        def on_epoch_end(self, m):
            copies.update(client.run(held))
            copies["last change"] = executor.delta.result()   # merged here, sent, not yet applied there

    model.train(corpus_file=str(planted), executor=executor, callbacks=[Peek()])
    change = copies.pop("last change")
    assert len(copies) == 2 and change[0][1].dtype == np.float16
    for held in copies.values():
        for shard, matrices in held.items():
            wdask._apply(matrices, change)
            syn0, syn1neg, _ = matrices
            assert np.array_equal(syn0, model.wv.vectors) and np.array_equal(syn1neg, model.syn1neg)
    assert executor.stats["float16"] and executor.stats["rounds"] == -(-largest_shard(planted) // 3000)


def test_a_worker_killed_mid_round_is_survived_with_the_same_result(client, planted):
    """A worker process dies inside a round (os._exit in its task); Dask restarts it and reruns the task,
    the driver sends its state again and redoes the round: the result is the same, bit for bit."""
    kwargs = dict(OPTIONS, epochs=2, sg=1)
    with timed(60):
        reference = w2v.Word2Vec(corpus_file=str(planted), client=client, **kwargs)
        victim = sorted(client.scheduler_info()["workers"])[0]

        def arm():   # in the victim's process: the 3rd round it starts kills the process
            import os as os_
            import w2v.train.dask as module

            real = module.ThreadExecutor
            calls = []

            def dying(*a, **k):
                calls.append(1)
                if len(calls) == 3:
                    os_._exit(1)
                return real(*a, **k)
            module.ThreadExecutor = dying

        client.run(arm, workers=[victim])
        model = w2v.Word2Vec(corpus_file=str(planted), client=client, **kwargs)
    assert model.last_training["cluster"]["resets"] >= 1
    assert np.array_equal(model.wv.vectors, reference.wv.vectors)
    assert np.array_equal(model.syn1neg, reference.syn1neg)
    client.wait_for_workers(2, timeout=30)


def test_a_round_that_keeps_failing_stops_with_a_clear_error_and_the_model_untouched(client, planted):
    model = w2v.Word2Vec(min_count=1, vector_size=16, window=3, epochs=2, seed=3, progress=False, client=client,
                         sync_words=2000)
    model.build_vocab(corpus_file=str(planted))
    before = model.wv.vectors.copy(), model.syn1neg.copy()

    def break_shard_one():   # in every worker: shard 1's part of any round raises
        import w2v.train.dask as module

        real = module._epoch_plan_real = module._epoch_plan

        def failing(data, spec, shard):
            if shard == 1:
                raise OSError("disk on fire")
            return real(data, spec, shard)
        module._epoch_plan = failing

    def mend():
        import w2v.train.dask as module

        module._epoch_plan = getattr(module, "_epoch_plan_real", module._epoch_plan)

    with timed(60):
        client.run(break_shard_one)
        try:
            with pytest.raises(W2VError, match=r"epoch 1, round 1 failed on the cluster: OSError: disk on fire"):
                model.train(corpus_file=str(planted))
        finally:
            client.run(mend)
    # shard 0's change of that round arrived but was not merged: the model is exactly as it was
    assert np.array_equal(model.wv.vectors, before[0]) and np.array_equal(model.syn1neg, before[1])


def test_loss_checkpoints_and_resume_work_on_the_cluster(client, planted, tmp_path):
    """A run stopped after its checkpoint and resumed on the cluster ends with the same bits as one never stopped."""
    kwargs = dict(OPTIONS, epochs=3, sg=1, compute_loss=True)
    with timed(60):
        whole = w2v.Word2Vec(client=client, **kwargs)
        whole.build_vocab(corpus_file=str(planted))
        whole.train(corpus_file=str(planted), checkpoint_every=2, checkpoint_path=str(tmp_path / "run.w2v"))
        assert len(whole.epoch_losses) == 3 and all(loss > 0 for loss in whole.epoch_losses)
        resumed = w2v.Word2Vec.load(tmp_path / "run.w2v")   # saved after epoch 2
        resumed.client = client
        resumed.resume(corpus_file=str(planted))
    assert np.array_equal(resumed.wv.vectors, whole.wv.vectors) and np.array_equal(resumed.syn1neg, whole.syn1neg)
    assert resumed.epoch_losses == pytest.approx(whole.epoch_losses, rel=1e-9)


def test_a_python_iterable_or_phrases_on_a_cluster_are_refused_clearly(client, planted):
    with pytest.raises(W2VError, match="a cluster cannot read standard input"):
        w2v.Word2Vec(corpus_file="-", client=client, **OPTIONS)
    with pytest.raises(W2VError, match="client= trains on corpus_file"):
        w2v.Word2Vec(SENTENCES, client=client, **OPTIONS)
    with pytest.raises(W2VError, match="phrases= is not available on a cluster"):
        w2v.Word2Vec(corpus_file=str(planted), client=client, phrases=1, **OPTIONS)


def test_without_dask_the_error_is_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(W2VError, match=r"^training on a cluster needs Dask: pip install 'w2v\[dask\]'$"):
        wdask.distributed()


def test_merging_adds_or_averages_each_rows_changes():
    a = [(np.array([0, 2], np.int32), np.array([[1, 1], [2, 2]], np.float32))]
    b = [(np.array([2, 3], np.int32), np.array([[4, 4], [8, 8]], np.float32))]
    [(rows, total)] = wdask.merge_deltas([a, b], "sum")
    assert rows.tolist() == [0, 2, 3] and total.tolist() == [[1, 1], [6, 6], [8, 8]]
    [(rows, mean)] = wdask.merge_deltas([a, b], "mean")
    assert mean.tolist() == [[1, 1], [3, 3], [8, 8]]
    [(rows, average)] = wdask.merge_deltas([a, b])   # the default: over all shards (which trained at 2 × alpha)
    assert rows.tolist() == [0, 2, 3] and average.tolist() == [[0.5, 0.5], [3, 3], [4, 4]]
    [(_, half)] = wdask.merge_deltas([a, b], "sum", float16=True)
    assert half.dtype == np.float16 and half.astype(np.float32).tolist() == total.tolist()


def test_the_command_line_trains_on_a_local_cluster(planted, tmp_path):
    out = tmp_path / "m.w2v"
    command = [sys.executable, "-m", "w2v", "train", str(planted), "-o", str(out), "--dask", "local:2", "--sg",
               "--min-count", "1", "--vector-size", "24", "--window", "3", "--epochs", "4", "--sync-words", "2000",
               "-q"]
    with timed(60):
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("vocabulary 40 words; 20,000 words in 2,000 sentences")
    assert lines[2].startswith("on 2 workers: ") and "synchronisations" in lines[2]
    assert lines[-1] == f"saved native to {out}"
    model = w2v.Word2Vec.load(out)
    assert model.sync_words == 2000 and neighbour_purity(model.wv, GROUP) >= 0.95


@pytest.mark.parametrize("spec,message", [
    ("nowhere", "w2v: error: --dask takes local:N or a scheduler address such as tcp://host:8786, got 'nowhere'"),
    ("local:0", "w2v: error: --dask local:N needs a number of worker processes >= 1, got 'local:0'"),
])
def test_a_bad_cluster_address_is_one_line_and_status_2(planted, tmp_path, spec, message):
    done = subprocess.run([sys.executable, "-m", "w2v", "train", str(planted), "-o", str(tmp_path / "m.w2v"),
                           "--dask", spec, "-q"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.strip() == message and not (tmp_path / "m.w2v").exists()
