"""Training benchmark: w2v and gensim side by side, in one run, on the same corpus and settings.

    python bench/bench_train.py                       # skip-gram and CBOW on ../shared/data/english-5m.txt.gz
    python bench/bench_train.py --modes sg --repeats 3
    python bench/bench_train.py --word2vec-c /path/to/word2vec      # word2vec.c as a third peer
    python bench/bench_train.py --w2v-before /tmp/before/src --no-gensim --repeats 3   # w2v before/after a change

Each training runs in a fresh subprocess (so peak memory is its own), alternating w2v
and gensim (and word2vec.c when given: a binary you built from its own sources, which are
not part of this repository); all read the same decompressed file.  Peak memory is the
child's peak RSS when training ends (before the evaluation imports anything).  Quality is
scored by the same evaluator (gensim's) on every model: WS353 Spearman and Google analogy
accuracy.  Ratios are computed within each repeat, and the medians reported.
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
              negative=cfg["negative"], workers=cfg["workers"], epochs=cfg["epochs"], sg=sg, seed=cfg["seed"],
              hs=cfg.get("hs", 0), alpha=cfg.get("alpha", 0.025))
if impl == "vectors":   # a vectors file another program wrote: evaluate it only
    from gensim.models import KeyedVectors
    kv = KeyedVectors.load_word2vec_format(path, binary=True)
    print(json.dumps({"vocab": len(kv), "ws353": float(kv.evaluate_word_pairs(cfg["pairs"])[1][0]),
                      "analogy": float(kv.evaluate_word_analogies(cfg["analogies"])[0])}))
    sys.exit(0)
if impl in ("w2v", "w2v-before"):   # w2v-before: the same, imported from another source tree
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
extra = {"simlex": float(kv.evaluate_word_pairs(cfg["simlex"])[1][0])} if cfg.get("simlex") else {}
print(json.dumps({"vocab_s": t1 - t0, "train_s": t2 - t1, "raw_words": raw * cfg["epochs"],
                  "words_per_s": raw * cfg["epochs"] / (t2 - t1), "vocab": len(kv),
                  "ws353": float(ws), "analogy": float(acc),
                  "peak_mb": peak, **extra}))
"""


def _env(impl, before):
    if impl != "w2v-before":
        return None
    return dict(os.environ, PYTHONPATH=os.pathsep.join([before, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))


def plain_corpus(corpus, folder):
    """``corpus`` (plain or .gz) decompressed once into ``folder``/corpus.txt, which every tool reads."""
    path = os.path.join(folder, "corpus.txt")
    with (gzip.open if corpus.endswith(".gz") else open)(corpus, "rb") as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def run_child(impl, mode, path, cfg, before=None):
    out = subprocess.run([sys.executable, "-c", CHILD, impl, mode, path, json.dumps(cfg)],
                         capture_output=True, text=True, check=False, env=_env(impl, before))
    if out.returncode != 0:
        sys.exit(f"{impl} {mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_word2vec_c(binary, mode, path, cfg, raw_words, tmp):
    """word2vec.c with the same settings; its vocabulary is counted first, untimed, as for the others."""
    vocab = os.path.join(tmp, "word2vec-c.vocab")
    if not os.path.exists(vocab):
        subprocess.run([binary, "-train", path, "-save-vocab", vocab, "-min-count", str(cfg["min_count"])],
                       check=True, capture_output=True)
    out = os.path.join(tmp, f"word2vec-c-{mode}.bin")
    argv = [binary, "-train", path, "-read-vocab", vocab, "-output", out, "-cbow", "0" if mode == "sg" else "1",
            "-size", str(cfg["dim"]), "-window", str(cfg["window"]), "-negative", str(cfg["negative"]), "-hs", "0",
            "-sample", str(cfg["sample"]), "-threads", str(cfg["workers"]), "-iter", str(cfg["epochs"]),
            "-min-count", str(cfg["min_count"]), "-alpha", "0.025", "-binary", "1"]
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"word2vec.c {mode} failed (exit {child.returncode}): {' '.join(argv)}")
    res = run_child("vectors", mode, out, cfg)
    os.remove(out)
    return dict(res, vocab_s=0.0, train_s=seconds, raw_words=raw_words * cfg["epochs"],
                words_per_s=raw_words * cfg["epochs"] / seconds, peak_mb=usage.ru_maxrss / 1024)


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
    parser.add_argument("--word2vec-c", metavar="PATH",
                        help="a word2vec binary built from word2vec.c (e.g. `gcc word2vec.c -o word2vec -lm -pthread "
                             "-O3 -march=native -funroll-loops`): adds it as a third peer")
    parser.add_argument("--w2v-before", metavar="SRC",
                        help="the src/ folder of another w2v checkout (e.g. `git worktree add /tmp/before main`): "
                             "adds it as a peer, to measure a change")
    parser.add_argument("--no-gensim", action="store_true", help="leave gensim out (with --w2v-before)")
    args = parser.parse_args()
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus not found: {args.corpus}")
    cfg = {"dim": args.dim, "window": 5, "min_count": 5, "sample": 1e-3, "negative": 5, "workers": args.workers,
           "epochs": args.epochs, "seed": 1, "pairs": str(SHARED / "eval" / "wordsim353.tsv"),
           "analogies": str(SHARED / "eval" / "questions-words.txt")}
    tmp = tempfile.mkdtemp(prefix="w2v-bench-")
    try:
        path = plain_corpus(args.corpus, tmp)
        # warm numba's cache so compilation is not timed
        for impl in ["w2v"] + (["w2v-before"] if args.w2v_before else []):
            subprocess.run([sys.executable, "-c", "import w2v; w2v.Word2Vec([['a','b','c']]*50, min_count=1, "
                            "epochs=1, progress=False, sg=1); w2v.Word2Vec([['a','b','c']]*50, min_count=1, "
                            "epochs=1, progress=False, sg=0)"], check=True, env=_env(impl, args.w2v_before))
        print(machine())
        print(f"corpus {args.corpus}; dim {args.dim}, window 5, negative 5, min_count 5, sample 1e-3, "
              f"{args.epochs} epochs, {args.workers} workers")
        results = {}
        impls = ([] if args.no_gensim else ["gensim"]) + ["w2v"] + (["w2v-before"] if args.w2v_before else []) \
            + (["word2vec.c"] if args.word2vec_c else [])
        base = impls[0] if args.no_gensim else "gensim"
        if args.no_gensim and args.w2v_before:
            base = "w2v-before"
        raw_words = 0
        if args.word2vec_c:
            with open(path, "rb") as f:
                raw_words = sum(len(line.split()) for line in f)
        for mode in args.modes.split(","):
            for r in range(args.repeats):
                for impl in impls if r % 2 == 0 else impls[::-1]:
                    if impl == "word2vec.c":
                        res = run_word2vec_c(args.word2vec_c, mode, path, cfg, raw_words, tmp)
                    else:
                        res = run_child(impl, mode, path, cfg, args.w2v_before)
                    results.setdefault(mode, {}).setdefault(impl, []).append(res)
                    print(f"  {mode:4} {impl:10} run {r + 1}: {res['train_s']:6.1f} s  {res['words_per_s'] / 1e6:5.2f} M words/s  "
                          f"WS353 {res['ws353']:.3f}  analogy {res['analogy']:.3f}  peak {res['peak_mb']:.0f} MB", flush=True)
        print()
        header = f"| mode | impl | train s | M raw words/s | speed vs {base} | peak MB | WS353 | analogy | vocab |"
        print(header)
        print("|" + "---|" * 9)
        for mode, by_impl in results.items():
            for impl in impls:
                runs = by_impl[impl]
                med = lambda key: statistics.median(x[key] for x in runs)  # noqa: E731
                # each repeat's ratio to the base's run of the same repeat, then the median
                ratio = f"{statistics.median(x['words_per_s'] / g['words_per_s'] for x, g in zip(runs, by_impl[base])):.2f}×"
                print(f"| {mode} | {impl} | {med('train_s'):.1f} | {med('words_per_s') / 1e6:.2f} | {ratio} | "
                      f"{med('peak_mb'):.0f} | {med('ws353'):.3f} | {med('analogy'):.3f} | {runs[0]['vocab']} |")
            if args.word2vec_c:
                vs_c = statistics.median(w["words_per_s"] / c["words_per_s"]
                                         for w, c in zip(by_impl["w2v"], by_impl["word2vec.c"]))
                print(f"| {mode} | w2v / word2vec.c | | | {vs_c:.2f}× | | | | |")
        if args.json:
            Path(args.json).write_text(json.dumps({"machine": machine(), "config": cfg, "results": results}, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
