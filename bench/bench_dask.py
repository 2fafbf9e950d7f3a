"""Training on a Dask cluster: one process vs a LocalCluster of 2 and 4 workers, same total epochs.

    python bench/bench_dask.py                           # sg and CBOW: 1 process, 2 and 4 workers; quality, speed, traffic
    python bench/bench_dask.py --modes sg --epochs 2 --workers 4 --combine sum,mean
    python bench/bench_dask.py --traffic-only            # bytes per synchronisation vs vocabulary and dimensions

The corpus (../shared/data/english-5m.txt.gz) is decompressed once to a plain file, which
the workers cut into byte-range shards and read themselves.  The one-process baseline trains
the same file with 2 threads (the machine's cores); each cluster worker is a process with one
thread.  Quality is scored by gensim's evaluator on every model (WS353 Spearman, Google
analogies, 300k restriction), as bench_train.py does.  Traffic is what the rounds carry:
the shards' changed rows to the driver ("up") and the merged change to every shard ("down").
"""
import argparse
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_train import SHARED, plain_corpus  # noqa: E402
BASE = dict(vector_size=100, window=5, min_count=5, sample=1e-3, negative=5, seed=1, progress=False)


def quality(model):
    from gensim.models import KeyedVectors

    evaluation = Path(SHARED) / "eval"
    kv = KeyedVectors(model.vector_size)
    kv.add_vectors(model.wv.index_to_key, np.asarray(model.wv.vectors))
    logging.getLogger("gensim").setLevel(logging.ERROR)
    ws = kv.evaluate_word_pairs(str(evaluation / "wordsim353.tsv"))[1][0]
    analogy = kv.evaluate_word_analogies(str(evaluation / "questions-words.txt"))[0]
    return float(ws), float(analogy)


def train(path, mode, epochs, client=None, executor=None, evaluate=True, **extra):
    import w2v

    kwargs = dict(BASE, sg=1 if mode == "sg" else 0, epochs=epochs, workers=2, **extra)
    model = w2v.Word2Vec(client=client, **kwargs)
    t0 = time.perf_counter()
    model.build_vocab(corpus_file=path)
    t1 = time.perf_counter()
    model.train(corpus_file=path, executor=executor)
    t2 = time.perf_counter()
    out = {"mode": mode, "vocab": len(model.wv), "vocab_s": t1 - t0, "train_s": t2 - t1,
           "words_per_s": model.corpus_total_words * epochs / (t2 - t1), "epochs": epochs,
           "dim": model.vector_size, "corpus_words": model.corpus_total_words}
    if evaluate:
        out["ws353"], out["analogy"] = quality(model)
    stats = model.last_training.get("cluster")
    if stats:
        out["cluster"] = stats
    return out


def describe(res, label):
    line = f"  {res['mode']:4} {label:22} {res['train_s']:6.1f} s  {res['words_per_s'] / 1e6:5.2f} M words/s"
    if "ws353" in res:
        line += f"  WS353 {res['ws353']:.3f}  analogy {res['analogy']:.3f}"
    s = res.get("cluster")
    if s:
        rounds = s["rounds"]
        per_shard_words = res["corpus_words"] * res["epochs"] / s["shards"]
        line += (f"  | {rounds} syncs, up {s['bytes_up'] / rounds / 1e6:.1f} MB/sync, down "
                 f"{s['bytes_down'] / rounds / 1e6:.1f} MB/sync, per epoch {(s['bytes_up'] + s['bytes_down']) / res['epochs'] / 1e6:.0f} MB; "
                 f"rounds {s['seconds_round']:.1f} s of which merge {s['seconds_merge']:.1f} s, send {s['seconds_send']:.1f} s, slowest shard trains "
                 f"{s['seconds_train_max']:.1f} s; per worker {per_shard_words / (s['seconds_train_sum'] / s['shards']) / 1e6:.2f} M words/s")
    print(line, flush=True)


def main():
    global SHARED
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=str(HERE.parent.parent / "shared" / "data"), help="the shared data folder (corpus and eval/)")
    parser.add_argument("--corpus", default=None, help="default: SHARED/english-5m.txt.gz")
    parser.add_argument("--modes", default="sg,cbow")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", default="2,4", help="cluster sizes to run (worker processes, 1 thread each)")
    parser.add_argument("--combine", default="average",
                        help="how rounds are combined: average, sum, mean, or several (the first is used for all "
                             "runs, the others only at the largest cluster in --compare-modes)")
    parser.add_argument("--compare-modes", default="cbow", help="modes in which --combine and --float16 are compared")
    parser.add_argument("--float16", action="store_true", help="also a run with float16 changes at the largest cluster")
    parser.add_argument("--sync-words", type=int, default=None, help="words per shard between synchronisations")
    parser.add_argument("--no-single", action="store_true", help="leave out the one-process baseline")
    parser.add_argument("--traffic", action="store_true",
                        help="also measure bytes per synchronisation vs vocabulary size and dimensions (1 epoch, sg)")
    parser.add_argument("--traffic-only", action="store_true")
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    SHARED = Path(args.shared)
    args.corpus = args.corpus or str(SHARED / "english-5m.txt.gz")
    from dask.distributed import Client, LocalCluster

    from w2v.train.dask import DaskExecutor

    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; shared machine")
    tmp = tempfile.mkdtemp(prefix="w2v-bench-dask-")
    results = []
    try:
        path = plain_corpus(args.corpus, tmp)
        sizes = [int(x) for x in args.workers.split(",") if x]
        combines = args.combine.split(",")
        extra = {"sync_words": args.sync_words} if args.sync_words else {}
        print(f"corpus {args.corpus} (decompressed, cut into byte-range shards); dim 100, window 5, negative 5, "
              f"min_count 5, sample 1e-3, {args.epochs} epochs; sync_words "
              f"{args.sync_words or 'default'}")
        clusters = {}
        for n in sizes:
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)
            clusters[n] = (cluster, Client(cluster))
        if not args.traffic_only:
            for mode in args.modes.split(","):
                if not args.no_single:
                    res = train(path, mode, args.epochs)
                    res["label"] = "1 process, 2 threads"
                    describe(res, res["label"])
                    results.append(res)
                for n in sizes:
                    client = clusters[n][1]
                    compare = n == max(sizes) and mode in args.compare_modes.split(",")
                    for combine in (combines if compare else combines[:1]):
                        executor = DaskExecutor(client, combine=combine, sync_words=args.sync_words)
                        res = train(path, mode, args.epochs, client=client, executor=executor, **extra)
                        res["label"] = f"{n} workers, {combine}"
                        describe(res, res["label"])
                        results.append(res)
                    if args.float16 and compare:
                        executor = DaskExecutor(client, combine=combines[0], float16=True, sync_words=args.sync_words)
                        res = train(path, mode, args.epochs, client=client, executor=executor, **extra)
                        res["label"] = f"{n} workers, {combines[0]}, float16"
                        describe(res, res["label"])
                        results.append(res)
        if args.traffic or args.traffic_only:
            n = max(sizes)
            client = clusters[n][1]
            print(f"traffic at {n} workers, skip-gram, 1 epoch:")
            for min_count, dim in ((20, 100), (5, 100), (2, 100), (5, 50), (5, 200)):
                executor = DaskExecutor(client, combine=combines[0], sync_words=args.sync_words)
                res = train(path, "sg", 1, client=client, executor=executor, evaluate=False, min_count=min_count,
                            vector_size=dim, **extra)
                s = res["cluster"]
                res["label"] = f"traffic min_count {min_count} dim {dim}"
                rows = s["rows_merged"] / s["rounds"]
                print(f"  vocab {res['vocab']:6,}  dim {dim:3}: {s['rounds']} syncs, merged rows/sync {rows:8,.0f} "
                      f"({rows / res['vocab'] / 2:.0%} of 2×vocab), up {s['bytes_up'] / s['rounds'] / 1e6:6.1f} "
                      f"MB/sync, down {s['bytes_down'] / s['rounds'] / 1e6:6.1f} MB/sync, "
                      f"per epoch {(s['bytes_up'] + s['bytes_down']) / 1e6:6.0f} MB, rounds {s['seconds_round']:.1f} s "
                      f"(merge {s['seconds_merge']:.1f} s, slowest shard {s['seconds_train_max']:.1f} s)", flush=True)
                results.append(res)
        for cluster, client in clusters.values():
            client.close()
            cluster.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)


if __name__ == "__main__":
    sys.exit(main())
