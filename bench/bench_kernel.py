"""Where the training kernel's time goes, measured by controlled variants of its input.

    python bench/bench_kernel.py                      # the first 2M words of english-5m, every mode
    python bench/bench_kernel.py --modes sg-ns --words 1000000 --rounds 5

This machine exposes no hardware counters to ``perf stat`` (a virtual machine: cycles, cache
misses and instructions are "not supported"), so instead of counting cache misses the script
changes one thing at a time and times the kernel (``train_job``, in-process, same sentences,
fixed learning rate, variants alternating, medians over rounds):

- ``real``: the model's own arrays: the vocabulary of the corpus, rows where the words are.
- ``hot rows``: the same sentences with every id folded into the 256 most frequent words (and
  the noise words and Huffman nodes likewise): 256 rows of each matrix, 200 KB, sit in the
  core's L2 cache.  Equal time means random row access is not what bounds the kernel.
- ``2 threads``: the sentences split in two halves run on two threads at once (Hogwild on the
  shared rows, as in training): the speed-up over one thread.  ``private matrices``: the same,
  each thread on its own copy of the matrices: the speed-up two cores give when no row is
  written by both (the difference is the cost of sharing rows between cores).
- ``dim N``: the same run with N-dimensional vectors: how the time scales with the arithmetic.

Per variant it prints the time, the trained (kept) words per second, and the multiply-adds per
second the window routines do (3 passes of inputs x outputs x dim per centre word).
"""
import argparse
import gzip
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import SHARED, machine  # noqa: E402

MODES = {"sg-ns": (1, 0, 5), "sg-hs": (1, 1, 0), "cbow-ns": (0, 0, 5), "cbow-hs": (0, 1, 0)}


def prefix(corpus, words, path):
    """The first ``words`` words of ``corpus`` (whole lines) written to ``path``."""
    opener = gzip.open if corpus.endswith(".gz") else open
    n = 0
    with opener(corpus, "rt", encoding="utf-8") as src, open(path, "w", encoding="utf-8") as dst:
        for line in src:
            dst.write(line)
            n += len(line.split())
            if n >= words:
                break
    return n


def fold(st, rows=256):
    """The state with every word id, noise word and Huffman node folded into the first ``rows``."""
    from w2v import vocab

    d = st.syn0.shape[1]
    counts = np.bincount(st.ids % rows, minlength=rows).astype(np.int64) + 1
    accept, alias = vocab.alias_table(vocab.noise_probabilities(counts, 0.75))
    return st._replace(
        ids=(st.ids % rows).astype(np.int32),
        syn0=np.ascontiguousarray(st.syn0[:rows]), keep=np.ascontiguousarray(st.keep[:rows]),
        syn1neg=np.ascontiguousarray(st.syn1neg[:rows]) if st.syn1neg.shape[0] > 1 else st.syn1neg,
        syn1=np.ascontiguousarray(st.syn1[:rows]) if st.syn1.shape[0] > 1 else st.syn1,
        neg_accept=accept if st.negative else st.neg_accept, neg_alias=alias if st.negative else st.neg_alias,
        points=(st.points % min(rows, st.syn1.shape[0])).astype(st.points.dtype),
        codes=st.codes, code_lengths=np.ascontiguousarray(st.code_lengths[:rows]),
    ) if d else st


def private(st):
    """The state with its own copies of the matrices: threads on it share no rows with others."""
    return st._replace(syn0=st.syn0.copy(), syn1neg=st.syn1neg.copy(), syn1=st.syn1.copy())


def run(kernels, st, order, parts, alpha=0.01):
    """Train on ``order`` split into ``parts`` jobs, one thread each (``st``: one state, or one per
    thread); returns (seconds, kept words)."""
    states = st if isinstance(st, list) else [st] * parts
    cuts = np.linspace(0, len(order), parts + 1).astype(np.int64)
    jobs = [kernels.job(cuts[i], cuts[i + 1], alpha, alpha, 12345 + i) for i in range(parts)]
    out = [None] * parts

    def work(i):
        out[i] = kernels.train_job(states[i], order, jobs[i])

    started = time.perf_counter()
    if parts == 1:
        work(0)
    else:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(parts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return time.perf_counter() - started, sum(int(o[0]) for o in out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(SHARED / "english-5m.txt.gz"))
    parser.add_argument("--words", type=int, default=2_000_000)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--dims", default="64,100,128")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hot", default="32/64,128/64,512/64,128/16,128/256",
                        help="hot-row copies to try with 2 threads: ROWS/SYNC,...")
    args = parser.parse_args()
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus not found: {args.corpus}")
    import w2v
    from w2v.kernels import train as kernels
    from w2v.train.state import state_of

    with tempfile.TemporaryDirectory(prefix="w2v-kernel-") as tmp:
        path = os.path.join(tmp, "corpus.txt")
        words = prefix(args.corpus, args.words, path)
        print(machine())
        print(f"{words:,} words of {args.corpus}; window 5, sample 1e-3, min_count 5; one job per thread")
        for mode in args.modes.split(","):
            sg, hs, negative = MODES[mode]
            variants = {}
            for dim in sorted({100, *map(int, args.dims.split(","))}):
                model = w2v.Word2Vec(vector_size=dim, window=5, min_count=5, sample=1e-3, sg=sg, hs=hs,
                                     negative=negative, seed=1, workers=1, progress=False)
                model.build_vocab(corpus_file=path)
                ids, offsets, _ = model._encoded(None, path, False)
                st = state_of(model, ids, offsets, False)
                order = np.random.default_rng(1).permutation(len(offsets) - 1)
                if dim == 100:
                    variants["real, 1 thread"] = (st, order, 1)
                    variants["hot rows (256), 1 thread"] = (fold(st), order, 1)
                    variants["real, 2 threads"] = (st, order, 2)
                    variants["real, 2 threads, private matrices"] = ([st, private(st)], order, 2)
                    for rows, sync in [(int(x) for x in spec.split("/")) for spec in args.hot.split(",")]:
                        variants[f"real, 2 threads, {rows} hot-row copies merged every {sync}"] = (
                            st._replace(hot_rows=np.int64(rows), hot_sync=np.int64(sync)), order, 2)
                    variants["hot rows (256), 2 threads"] = (fold(st), order, 2)
                else:
                    variants[f"dim {dim}, 1 thread"] = (st, order, 1)
            for st, order, parts in variants.values():   # compile / load once, untimed
                run(kernels, st, order[:10], parts)
            times = {name: [] for name in variants}
            kept = {}
            names = list(variants)
            for r in range(args.rounds):
                for name in (names if r % 2 == 0 else names[::-1]):
                    seconds, k = run(kernels, *variants[name])
                    times[name].append(seconds)
                    kept[name] = k
            print(f"\n{mode}:\n| variant | s (median) | M kept words/s | vs real, 1 thread |\n|---|---:|---:|---:|")
            base = statistics.median(times["real, 1 thread"])
            for name in names:
                t = statistics.median(times[name])
                print(f"| {name} | {t:.2f} | {kept[name] / t / 1e6:.2f} | {base / t:.2f}× |")


if __name__ == "__main__":
    main()
