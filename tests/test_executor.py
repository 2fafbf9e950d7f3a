"""The executor seam: the epoch loop hands each epoch's jobs to an executor and only reads its reports."""
import numpy as np
import pytest

import w2v
from w2v.kernels import train as kernels
from w2v.train import JobResult

from conftest import planted_corpus

SENTENCES, GROUP = planted_corpus(sentences=600)
OPTIONS = dict(vector_size=16, window=3, min_count=1, epochs=3, seed=11, progress=False, batch_words=500)


class RecordingExecutor:
    """Records every epoch's jobs and runs them one after another, in reverse report order."""

    def __init__(self):
        self.epochs = []
        self.prepared = 0
        self.opened = self.closed = 0

    def prepare(self, state):
        self.prepared += 1
        return 0.0

    def __enter__(self):
        self.opened += 1
        return self

    def __exit__(self, *exc):
        self.closed += 1

    def run_epoch(self, state, plan):
        self.epochs.append(plan)
        results = []
        for j, job in enumerate(plan.jobs):
            effective, loss = kernels.train_job(state, plan.order, job)
            results.append(JobResult(int(effective), float(loss), int(plan.raw_words[j])))
        return reversed(results)   # the loop must not depend on the order reports arrive in


@pytest.mark.parametrize("sg,hs,negative", [(1, 0, 5), (0, 1, 0)], ids=["sg-ns", "cbow-hs"])
def test_a_serial_fake_executor_gives_the_same_bits_as_one_worker(sg, hs, negative):
    reference = w2v.Word2Vec(SENTENCES, sg=sg, hs=hs, negative=negative, workers=1, compute_loss=True, **OPTIONS)
    model = w2v.Word2Vec(sg=sg, hs=hs, negative=negative, workers=1, compute_loss=True, **OPTIONS)
    model.build_vocab(SENTENCES)
    fake = RecordingExecutor()
    trained, raw = model.train(SENTENCES, executor=fake)
    assert np.array_equal(model.wv.vectors, reference.wv.vectors)
    assert model.epoch_losses == pytest.approx(reference.epoch_losses, rel=1e-12)
    assert (trained, raw) == (reference.last_training["effective_words"], reference.last_training["raw_words"])
    # the contract: every epoch planned once, jobs covering every sentence, rates falling across the run
    assert [p.epoch for p in fake.epochs] == [0, 1, 2] and fake.prepared == fake.opened == fake.closed == 1
    for plan in fake.epochs:
        assert sorted(plan.order.tolist()) == list(range(len(SENTENCES)))
        assert plan.jobs[0].begin == 0 and plan.jobs[-1].end == len(SENTENCES)
        assert all(a.end == b.begin for a, b in zip(plan.jobs, plan.jobs[1:]))
        assert int(plan.raw_words.sum()) == raw // 3
    alphas = [job.alpha_begin for plan in fake.epochs for job in plan.jobs]
    assert alphas[0] == pytest.approx(model.alpha) and all(a > b for a, b in zip(alphas, alphas[1:]))
    assert len({int(job.seed) for plan in fake.epochs for job in plan.jobs}) == sum(len(p.jobs) for p in fake.epochs)


def test_an_executor_failure_reaches_the_caller_and_the_executor_is_closed():
    class Failing(RecordingExecutor):
        def run_epoch(self, state, plan):
            raise RuntimeError("worker lost")

    model = w2v.Word2Vec(workers=1, **OPTIONS)
    model.build_vocab(SENTENCES)
    failing = Failing()
    with pytest.raises(RuntimeError, match="worker lost"):
        model.train(SENTENCES, executor=failing)
    assert failing.closed == 1
