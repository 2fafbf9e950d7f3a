"""Training benchmark: w2v and gensim side by side, in one run, on the same corpus and settings.

    python bench/bench_train.py                       # skip-gram and CBOW on ../shared/data/english-5m.txt.gz
    python bench/bench_train.py --modes sg --repeats 3

Each training runs in a fresh subprocess (so peak memory is its own), alternating
w2v and gensim; both read the same decompressed file.  Peak memory is the child's peak RSS when training ends (before the
evaluation imports anything).  Quality is scored by the same
evaluator (gensim's) on both models: WS353 Spearman and Google analogy accuracy.
Ratios are computed within each repeat, and the medians reported.
"""
import argparse
import gzip
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"

CHILD = r"""
import json, resource, sys, time
import numpy as np
impl, mode, path, cfg = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
sg = 1 if mode == "sg" else 0
common = dict(vector_size=cfg["dim"], window=cfg["window"], min_count=cfg["min_count"], sample=cfg["sample"],
              negative=cfg["negative"], workers=cfg["workers"], epochs=cfg["epochs"], sg=sg, seed=cfg["seed"])
if impl == "w2v":
    import w2v
    model = w2v.Word2Vec(**common, progress=False)
    t0 = time.perf_counter(); model.build_vocab(corpus_file=path); t1 = time.perf_counter()
    model.train(corpus_file=path); t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from gensim.models import KeyedVectors
    kv = KeyedVectors(cfg["dim"]); kv.add_vectors(model.wv.index_to_key, np.asarray(model.wv.vectors))
    raw = model.corpus_total_words
else:
    from gensim.models import Word2Vec
    model = Word2Vec(**common)
    t0 = time.perf_counter(); model.build_vocab(corpus_file=path); t1 = time.perf_counter()
    model.train(corpus_file=path, total_words=model.corpus_total_words, epochs=model.epochs); t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kv = model.wv
    raw = model.corpus_total_words
ws = kv.evaluate_word_pairs(cfg["pairs"])[1][0]
acc = kv.evaluate_word_analogies(cfg["analogies"])[0]
print(json.dumps({"vocab_s": t1 - t0, "train_s": t2 - t1, "raw_words": raw * cfg["epochs"],
                  "words_per_s": raw * cfg["epochs"] / (t2 - t1), "vocab": len(kv),
                  "ws353": float(ws), "analogy": float(acc),
                  "peak_mb": peak}))
"""


def run_child(impl, mode, path, cfg):
    out = subprocess.run([sys.executable, "-c", CHILD, impl, mode, path, json.dumps(cfg)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"{impl} {mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine():
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import gensim
    import numba

    import w2v
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"w2v {w2v.__version__}, gensim {gensim.__version__}, numba {numba.__version__}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(SHARED / "english-5m.txt.gz"))
    parser.add_argument("--modes", default="sg,cbow")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus not found: {args.corpus}")
    cfg = {"dim": args.dim, "window": 5, "min_count": 5, "sample": 1e-3, "negative": 5, "workers": args.workers,
           "epochs": args.epochs, "seed": 1, "pairs": str(SHARED / "eval" / "wordsim353.tsv"),
           "analogies": str(SHARED / "eval" / "questions-words.txt")}
    tmp = tempfile.mkdtemp(prefix="w2v-bench-")
    try:
        path = os.path.join(tmp, "corpus.txt")
        opener = gzip.open if args.corpus.endswith(".gz") else open
        with opener(args.corpus, "rb") as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst)
        # warm numba's cache so compilation is not timed
        subprocess.run([sys.executable, "-c", "import w2v; w2v.Word2Vec([['a','b','c']]*50, min_count=1, "
                        "epochs=1, progress=False, sg=1); w2v.Word2Vec([['a','b','c']]*50, min_count=1, "
                        "epochs=1, progress=False, sg=0)"], check=True)
        print(machine())
        print(f"corpus {args.corpus}; dim {args.dim}, window 5, negative 5, min_count 5, sample 1e-3, "
              f"{args.epochs} epochs, {args.workers} workers")
        results = {}
        for mode in args.modes.split(","):
            for r in range(args.repeats):
                for impl in ("gensim", "w2v") if r % 2 == 0 else ("w2v", "gensim"):
                    res = run_child(impl, mode, path, cfg)
                    results.setdefault(mode, {}).setdefault(impl, []).append(res)
                    print(f"  {mode:4} {impl:6} run {r + 1}: {res['train_s']:6.1f} s  {res['words_per_s'] / 1e6:5.2f} M words/s  "
                          f"WS353 {res['ws353']:.3f}  analogy {res['analogy']:.3f}  peak {res['peak_mb']:.0f} MB", flush=True)
        print()
        header = (f"| mode | impl | train s | M raw words/s | speed ratio | peak MB | WS353 | analogy | vocab |")
        print(header)
        print("|" + "---|" * 9)
        for mode, by_impl in results.items():
            ratios = [w["words_per_s"] / g["words_per_s"] for w, g in zip(by_impl["w2v"], by_impl["gensim"])]
            for impl in ("gensim", "w2v"):
                runs = by_impl[impl]
                med = lambda key: statistics.median(x[key] for x in runs)  # noqa: E731
                ratio = f"{statistics.median(ratios):.2f}×" if impl == "w2v" else "1.00×"
                print(f"| {mode} | {impl} | {med('train_s'):.1f} | {med('words_per_s') / 1e6:.2f} | {ratio} | "
                      f"{med('peak_mb'):.0f} | {med('ws353'):.3f} | {med('analogy'):.3f} | {runs[0]['vocab']} |")
        if args.json:
            Path(args.json).write_text(json.dumps({"machine": machine(), "config": cfg, "results": results}, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
