"""Language-model benchmark: Kneser-Ney (orders 3, 5) vs the neural model (context 2, 4) vs their mixture.

One corpus read, one seeded 90/10 sentence split (test), a further seeded 5% of the training
sentences for validation (the neural model's early stopping and the mixture weight); all models
share one vocabulary.  Prints test perplexity, training time and samples/s, and the neural
training throughput as a fraction of this machine's float32 matmul rate.

    python bench/bench_lm.py                        # the built-in corpus
    python bench/bench_lm.py ../shared/data/english-5m.txt.gz --min-count 5 --max-time 300
    python bench/bench_lm.py --side-by-side         # the neural models at once, one core each
    python bench/bench_lm.py --profile 30000      # where one sampled-softmax step spends its time
    python bench/bench_lm.py --profile-exact 33565   # an exact-softmax step and the exact perplexity
"""
import argparse
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from w2v.lm import data
from w2v.lm.data import perplexity_of
from w2v.lm.mixture import MixtureModel
from w2v.lm.model import OBJECTIVES, SCHEDULES, LanguageModel, blas_threads
from w2v.lm.net import OPTIMIZERS
from w2v.lm.ngram import NGramModel


def sgemm_gflops(threads=None, n=1024, repeat=5):
    """This machine's float32 matmul rate (GFLOP/s) with ``threads`` BLAS threads (None: all)."""
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = a.T.copy()
    with blas_threads(threads):
        a @ b
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            a @ b
            times.append(time.perf_counter() - t)
    return 2 * n ** 3 / np.median(times) / 1e9


def profile_step(classes, batch=256, samples=1024, steps=60, context=2, d=60, h=100):
    """Time the parts of a sampled-softmax training step on a Zipf-distributed synthetic vocabulary of
    ``classes`` words: numpy reference vs fused kernels, one BLAS thread vs all."""
    from w2v.lm import net

    rng = np.random.default_rng(0)
    counts = 1e6 / np.arange(1, classes + 1)
    noise = counts ** 0.75
    noise /= noise.sum()
    cdf = np.cumsum(noise)
    log_kq = np.log(samples * noise).astype(np.float32)
    zipf = np.minimum(np.searchsorted(np.cumsum(counts / counts.sum()), rng.random(10 ** 6)), classes - 1)
    flops = 6 * (context * d * h + h * (samples + 1))
    for threads in (1, None):
        for fast in (False, True):
            p = net.init_params(classes + 3, classes, context, d, h, False, np.log(counts / counts.sum()), rng)
            opt = net.Adam(p, fast=fast)
            spent = {"batch + sampling": 0.0, "loss and gradients": 0.0, "Adam": 0.0}
            with blas_threads(threads):
                for i in range(steps + 5):
                    if i == 5:
                        spent = dict.fromkeys(spent, 0.0)
                        started = time.perf_counter()
                    t0 = time.perf_counter()
                    ctx = zipf[rng.integers(0, len(zipf), (batch, context))]
                    y = zipf[rng.integers(0, len(zipf), batch)]
                    sampled = np.minimum(np.searchsorted(cdf, rng.random(samples) * cdf[-1], side="right"),
                                         classes - 1)
                    t1 = time.perf_counter()
                    loss, dense, rows = net.loss_and_grads(p, ctx, y, "sampled", sampled, log_kq, fast=fast)
                    t2 = time.perf_counter()
                    opt.step(p, dense, rows, 1e-3)
                    t3 = time.perf_counter()
                    spent["batch + sampling"] += t1 - t0
                    spent["loss and gradients"] += t2 - t1
                    spent["Adam"] += t3 - t2
                total = time.perf_counter() - started
            rate = steps * batch / total
            parts = ", ".join(f"{k} {1000 * v / steps:.2f} ms" for k, v in spent.items())
            print(f"{'fused' if fast else 'numpy'} kernels, {threads or 'all'} BLAS thread(s): {rate:,.0f} samples/s "
                  f"({rate * flops / 1e9:.1f} GFLOP/s); per step: {parts}", flush=True)
    print(f"sgemm: {sgemm_gflops(1):.1f} GFLOP/s on one thread, {sgemm_gflops(None):.1f} on all")


def profile_exact(classes, batch=256, steps=20, context=4, d=100, h=200, tokens=20000):
    """Time an exact-softmax training step (by default the english-5m benchmark's model shape, dropout
    0.2) and the exact perplexity, on one BLAS thread."""
    from w2v.lm import net

    rng = np.random.default_rng(0)
    flops = 6 * batch * (context * d * h + h * classes)
    with blas_threads(1):
        p = net.init_params(classes + 2, classes, context, d, h, False, np.full(classes, -np.log(classes)), rng)
        opt, scratch, spent = net.Adam(p, fast=True), {}, []
        for i in range(steps + 3):
            ctx, y = rng.integers(0, classes, (batch, context)), rng.integers(0, classes, batch)
            masks = tuple((rng.random((batch, n), dtype=np.float32) < 0.8) * np.float32(1.25)
                          for n in (context * d, h))
            t0 = time.perf_counter()
            loss, dense, rows = net.loss_and_grads(p, ctx, y, fast=True, masks=masks)
            t1 = time.perf_counter()
            opt.step(p, dense, rows, 1e-4, scratch)
            if i >= 3:
                spent.append((t1 - t0, time.perf_counter() - t1))
        grads, adam = np.median(spent, axis=0)
        ctx, y = rng.integers(0, classes, (tokens, context)), rng.integers(0, classes, tokens)
        net.log_probabilities(p, ctx[:1000], y[:1000])
        t = time.perf_counter()
        net.log_probabilities(p, ctx, y)
        t = time.perf_counter() - t
        rate = sgemm_gflops(1)
    step = grads + adam
    print(f"exact step, {classes:,} classes: loss and gradients {1000 * grads:.1f} ms, Adam {1000 * adam:.1f} ms: "
          f"{batch / step:,.0f} samples/s, {flops / step / 1e9:.1f} GFLOP/s ({100 * flops / step / 1e9 / rate:.0f}% "
          f"of sgemm); exact perplexity: {tokens / t:,.0f} tokens/s, {2 * tokens * h * classes / t / 1e9:.1f} "
          f"GFLOP/s; sgemm {rate:.1f} GFLOP/s on one thread")


def _train_and_save(params, train, valid, path):
    LanguageModel(**params).train(train, validation_sentences=valid).save(path)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=None, help="default: the built-in demo corpus")
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--max-time", type=float, default=120, help="seconds per neural model")
    ap.add_argument("--epochs", type=int, default=50, help="at most (--max-time usually ends training first)")
    ap.add_argument("--contexts", default="2,4")
    # left out: the model's own default (w2v.lm.model.DEFAULTS)
    ap.add_argument("--vector-size", type=int)
    ap.add_argument("--hidden", type=int)
    ap.add_argument("--objective", choices=OBJECTIVES)
    ap.add_argument("--samples", type=int)
    ap.add_argument("--shortlist", type=int, help="the sampled softmax's most frequent classes, in every batch")
    ap.add_argument("--exact-epochs", type=float, help="the last epochs with the exact softmax (0.5: half of one)")
    ap.add_argument("--batch-size", type=int)
    ap.add_argument("--optimizer", choices=tuple(OPTIMIZERS))
    ap.add_argument("--alpha", type=float)
    ap.add_argument("--min-alpha", type=float)
    ap.add_argument("--dropout", type=float)
    ap.add_argument("--max-validation-tokens", type=int,
                    help="validate on at most this many tokens (each epoch's exact perplexity costs their softmax)")
    ap.add_argument("--patience", type=int, help="epochs without a better validation perplexity before stopping")
    ap.add_argument("--average", type=float, help="judge and keep a running average of the parameters over X epochs")
    ap.add_argument("--seed", type=int, default=1, help="the neural models' seed (the splits keep theirs)")
    ap.add_argument("--direct", type=int, choices=(0, 1))
    ap.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule (default: the model's)")
    ap.add_argument("--workers", type=int, help="training threads (default: the model's)")
    ap.add_argument("--side-by-side", action="store_true",
                    help="train the neural models at once, each in its own process on one thread (workers=1), "
                         "instead of one after another on all cores")
    ap.add_argument("--json", metavar="PATH")
    ap.add_argument("--profile", type=int, metavar="CLASSES", help="only profile one sampled-softmax step")
    ap.add_argument("--profile-exact", type=int, metavar="CLASSES",
                    help="only profile an exact-softmax step and the exact perplexity")
    args = ap.parse_args(argv)
    if args.profile:
        return profile_step(args.profile)
    if args.profile_exact:
        return profile_exact(args.profile_exact)
    if args.corpus is None:
        from w2v.cli.train import demo_corpus_path

        args.corpus = demo_corpus_path()
    passed = ("vector_size", "hidden", "objective", "samples", "shortlist", "batch_size", "optimizer", "alpha",
              "min_alpha", "dropout", "patience", "average", "max_validation_tokens", "workers", "exact_epochs",
              "schedule")
    neural = {name: getattr(args, name) for name in passed if getattr(args, name) is not None}
    if args.direct is not None:
        neural["direct"] = bool(args.direct)
    if args.side_by_side:
        neural["workers"] = 1
    gflops = sgemm_gflops(None)   # the machine's rate, all cores (training: one BLAS thread per training thread)
    gflops_one = sgemm_gflops(1)
    t = time.perf_counter()
    vocab, sentences = data.read(args.corpus, None, args.min_count, progress=False)
    read_s = time.perf_counter() - t
    rest, test = sentences.split(0.1, 1)
    train, valid = rest.split(0.05, 2)
    print(f"# {os.path.basename(args.corpus)}: vocabulary {len(vocab.words):,} (min_count {args.min_count}), "
          f"train {train.tokens:,} / validation {valid.tokens:,} / test {test.tokens:,} tokens; read in "
          f"{read_s:.1f} s; sgemm {gflops:.1f} GFLOP/s on all cores, {gflops_one:.1f} on one; "
          f"{os.cpu_count()} cores; neural {neural or 'defaults'}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    rows, ngrams = [], {}
    for order in (3, 5):
        t = time.perf_counter()
        ng = NGramModel(vocabulary=vocab, order=order).train(train)
        s = time.perf_counter() - t
        ngrams[order] = ng
        ppl = perplexity_of(ng.log_probabilities(test))
        rows.append({"model": f"Kneser-Ney order {order}", "perplexity": ppl, "seconds": s,
                     "samples_per_second": train.tokens / s})
        print(rows[-1], flush=True)
    contexts = [int(c) for c in args.contexts.split(",")]
    kw = dict(vocabulary=vocab, epochs=args.epochs, max_time=args.max_time, progress=False, seed=args.seed, **neural)
    with tempfile.TemporaryDirectory() as tmp:
        if args.side_by_side:   # one process a model: it gets the split, trains, saves the model
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(len(contexts), mp_context=ctx) as pool:
                jobs = [pool.submit(_train_and_save, dict(kw, context=c), train, valid, os.path.join(tmp, f"{c}.w2v"))
                        for c in contexts]
                models = [LanguageModel.load(job.result()) for job in jobs]
        else:
            models = [LanguageModel(context=c, **kw).train(train, validation_sentences=valid) for c in contexts]
    # what each model's training could use: one core side by side, all cores otherwise
    rate = gflops_one if args.side_by_side else gflops
    for context, lm in zip(contexts, models):
        tr = lm.last_training
        lm_logp = lm.log_probabilities(test)
        ppl = perplexity_of(lm_logp)
        frac = tr["samples_per_second"] * tr["flops_per_sample"] / (rate * 1e9)
        # the exact softmax's share, in epochs, of a model trained on a sampled objective
        exact_samples = sum(r["samples"] for r in lm.history if r["objective"] != tr["objective"])
        exact = f", {exact_samples / lm.history[0]['samples']:.2f} of them exact" if exact_samples else ""
        rows.append({"model": f"neural context {context} ({tr['objective']}, {tr['epochs']} epochs{exact}, "
                              f"stopped by {tr['stopped']})", "perplexity": ppl, "seconds": tr["seconds"],
                     "samples_per_second": tr["samples_per_second"], "sgemm_fraction": frac,
                     "history": [{k: r[k] for k in ("epoch", "seconds", "learning_rate", "validation_perplexity")}
                                 for r in lm.history]})
        print(rows[-1], flush=True)
        ng = ngrams[context + 1]
        mix = MixtureModel(lm, ng)
        w = mix.fit_weight(valid)
        mppl = perplexity_of(mix.mix(lm_logp, ng.log_probabilities(test)))
        base = perplexity_of(ng.log_probabilities(test))
        rows.append({"model": f"mixture context {context} + KN order {context + 1} (neural weight {w:.2f})",
                     "perplexity": mppl, "seconds": tr["seconds"] + rows[0 if context + 1 == 3 else 1]["seconds"],
                     "vs_kn": mppl / base - 1})
        print(rows[-1], flush=True)
    print("\n| model | test perplexity | training s | samples/s | of sgemm |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        sps = f"{r['samples_per_second']:,.0f}" if "samples_per_second" in r else ""
        frac = f"{100 * r['sgemm_fraction']:.1f}%" if "sgemm_fraction" in r else ""
        extra = f" ({100 * r['vs_kn']:+.1f}% vs KN)" if "vs_kn" in r else ""
        print(f"| {r['model']} | {r['perplexity']:.1f}{extra} | {r['seconds']:.1f} | {sps} | {frac} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "sgemm_gflops": gflops, "sgemm_gflops_one_thread": gflops_one,
                       "neural": neural, "python": sys.version, "platform": platform.platform()},
                      f, indent=1)


if __name__ == "__main__":
    main()
