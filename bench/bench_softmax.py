"""Full-softmax skip-gram (``softmax=1``): training speed against the vocabulary size.

    python bench/bench_softmax.py                          # demo corpus, V = 500 ... its 8,690 words, 2 workers
    python bench/bench_softmax.py --vocab 1000,5000 --words 100000
    python bench/bench_softmax.py --corpus ../shared/data/english-5m.txt.gz --vocab 10000,20000

The full softmax scores every word of the vocabulary for every (input, centre) pair, so its
cost per word grows as V·d while negative sampling's stays (negative+1)·d.  For each V the
corpus is cut to its V most frequent words (``max_final_vocab``) and its first ``--words``
words are trained for one epoch, with the softmax and, for comparison, with negative=5; this
measures the words/s behind ``params.SOFTMAX_MAX_VOCAB`` (lifted here, to measure above it
too).  "An epoch" extrapolates the measured rate to the whole corpus.  Each run is its own
subprocess.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time
import w2v
from w2v import params
params.SOFTMAX_MAX_VOCAB = 10**9   # measure above the limit too
vocab_path, cfg, train_path = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
mode = cfg.pop("mode")
extra = dict(softmax=1, negative=0) if mode == "softmax" else dict(negative=5)
model = w2v.Word2Vec(**cfg, **extra, progress=False)
model.build_vocab(corpus_file=vocab_path)   # the vocabulary of the whole corpus
model.train(corpus_file=train_path)         # compiling (first run only) is timed apart by w2v
t = model.last_training
print(json.dumps({"vocab": len(model.wv), "seconds": t["seconds"], "words_per_s": t["words_per_second"],
                  "trained_per_s": t["effective_words"] / t["seconds"]}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vocab", default="500,1000,2000,5000,10000", help="vocabulary sizes, comma-separated")
    parser.add_argument("--words", type=int, default=60_000, help="words of the corpus trained per run")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", help="a gzip text corpus (default: the built-in demo corpus)")
    args = parser.parse_args()

    from w2v.cli.train import demo_corpus_path

    with gzip.open(args.corpus or demo_corpus_path(), "rt", encoding="utf-8") as f:
        lines, total = [], 0
        for line in f:
            lines.append(line)
            total += len(line.split())
    with tempfile.TemporaryDirectory(prefix="w2v-bench-softmax-") as tmp:
        run(args, lines, total, tmp)


def run(args, lines, total, tmp):
    full = os.path.join(tmp, "all.txt")
    with open(full, "w", encoding="utf-8") as out:
        out.writelines(lines)
    part = os.path.join(tmp, "part.txt")
    with open(part, "w", encoding="utf-8") as out:
        n = 0
        for line in lines:
            if n >= args.words:
                break
            out.write(line)
            n += len(line.split())
    name = args.corpus or "demo corpus"
    print(f"{name}: {total:,} words; training {args.words:,} of them per run (one epoch), dim {args.dim}, "
          f"window 5, {args.workers} workers", flush=True)
    print("\nwords/s: raw words read per second (words outside the V kept are read and skipped); trained/s: "
          "words trained as centre words (in the vocabulary, after subsampling) per second")
    print("\n| V | softmax words/s | softmax trained/s | negative=5 words/s | softmax / negative "
          "| an epoch of the whole corpus, softmax |")
    print("|---:|---:|---:|---:|---:|---:|")
    for v in [int(x) for x in args.vocab.split(",")]:
        row = {}
        for mode in ("softmax", "negative"):
            cfg = {"mode": mode, "vector_size": args.dim, "window": 5, "min_count": 1, "max_final_vocab": v,
                   "epochs": 1, "workers": args.workers, "seed": 1}
            res = subprocess.run([sys.executable, "-c", CHILD, full, json.dumps(cfg), part],
                                 capture_output=True, text=True, check=True)
            row[mode] = json.loads(res.stdout.strip().splitlines()[-1])
        s, n = row["softmax"], row["negative"]
        epoch = total / s["words_per_s"]
        print(f"| {s['vocab']:,} | {s['words_per_s']:,.0f} | {s['trained_per_s']:,.0f} | {n['words_per_s']:,.0f} | "
              f"{s['words_per_s'] / n['words_per_s']:.3f} | {epoch / 60:,.1f} min |", flush=True)


if __name__ == "__main__":
    main()
