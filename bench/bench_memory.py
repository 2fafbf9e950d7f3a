"""Where a training process's memory goes: w2v and gensim, stage by stage, each in a fresh process.

    python bench/bench_memory.py                       # english-5m, skip-gram, 1 epoch
    python bench/bench_memory.py --corpus my.txt --mode cbow

For each tool, one child process reports its resident memory (VmRSS) and its peak so far (VmHWM)
after each stage: the interpreter with numpy, importing the library, the first model object,
the vocabulary scan, the training (whose first call loads or compiles the kernels), and the
vectors copied out.  The differences between stages say what each stage costs.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import SHARED, machine, plain_corpus  # noqa: E402

CHILD = r"""
import json, sys
def mem():
    out = {}
    for line in open("/proc/self/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out
stages = []
def mark(name):
    stages.append(dict(stage=name, **mem()))
impl, mode, path, epochs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
import numpy as np
mark("python + numpy")
common = dict(vector_size=100, window=5, min_count=5, sample=1e-3, negative=5, workers=2, epochs=epochs,
              sg=1 if mode == "sg" else 0, seed=1)
if impl == "w2v":
    import w2v
    mark("import w2v")
    model = w2v.Word2Vec(**common, progress=False)
    mark("Word2Vec() (imports numba and the kernels)")
else:
    from gensim.models import Word2Vec
    mark("import gensim.models")
    model = Word2Vec(**common)
    mark("Word2Vec()")
model.build_vocab(corpus_file=path)
mark("build_vocab")
if impl == "w2v":
    model.train(corpus_file=path)
else:
    model.train(corpus_file=path, total_words=model.corpus_total_words, epochs=model.epochs)
mark("train")
vectors = np.array(model.wv.vectors)
mark("vectors copied out")
print(json.dumps(stages))
"""


def run(impl, mode, path, epochs, env=None):
    out = subprocess.run([sys.executable, "-c", CHILD, impl, mode, path, str(epochs)], capture_output=True,
                         text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"{impl} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(SHARED / "english-5m.txt.gz"))
    parser.add_argument("--mode", choices=("sg", "cbow"), default="sg")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--impls", default="w2v,gensim")
    args = parser.parse_args()
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus not found: {args.corpus}")
    tmp = tempfile.mkdtemp(prefix="w2v-mem-")
    try:
        path = plain_corpus(args.corpus, tmp)
        print(machine())
        print(f"corpus {args.corpus}; {args.mode}, dim 100, window 5, min_count 5, 2 workers, "
              f"{args.epochs} epoch(s)")
        for impl in args.impls.split(","):
            if impl == "w2v":
                run(impl, args.mode, path, 1)   # warm numba's on-disk cache, so the measured run loads it
            stages = run(impl, args.mode, path, args.epochs)
            print(f"\n{impl}:\n| stage | RSS MB | peak MB | peak added |\n|---|---:|---:|---:|")
            last = 0.0
            for s in stages:
                print(f"| {s['stage']} | {s['VmRSS']:.0f} | {s['VmHWM']:.0f} | {s['VmHWM'] - last:+.0f} |")
                last = s["VmHWM"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
