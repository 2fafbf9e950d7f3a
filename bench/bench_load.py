"""Loading word2vec text and binary files: w2v.load vs gensim's load_word2vec_format, side by side.

    python bench/bench_load.py [--n 400000] [--dim 300] [--skip-gensim-text]

Writes synthetic vectors to a temporary directory (deleted afterwards), then loads each
file once per loader, each load in a fresh subprocess so that its peak memory (max RSS)
is its own; each such process imports only the library it times, as a user's program
would.  The baseline is the same process importing the library and loading nothing.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

CHILD = r"""
import json, sys, time
import numpy as np
loader, path, binary = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
# Each loader's process imports only its own library, as its users' programs would.
if loader.startswith("w2v"):
    import w2v.formats
elif loader.startswith("gensim"):
    from gensim.models import KeyedVectors
start = time.perf_counter()
if loader == "w2v":
    kv = w2v.formats.load(path)
elif loader == "gensim":
    kv = KeyedVectors.load_word2vec_format(path, binary=binary)
else:
    kv = None
seconds = time.perf_counter() - start
shape = None if kv is None else list(kv.vectors.shape)
checksum = None if kv is None else float(np.asarray(kv.vectors[:1000], np.float64).sum())
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork+exec.
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024,
                  "shape": shape, "checksum": checksum}))
"""


def run(loader, path, binary):
    done = subprocess.run([sys.executable, "-c", CHILD, loader, path, "1" if binary else "0"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-gensim-text", action="store_true", help="gensim's text loader takes minutes")
    args = parser.parse_args()

    import w2v
    from w2v import formats

    rng = np.random.default_rng(args.seed)
    vectors = (rng.standard_normal((args.n, args.dim), dtype=np.float32) * 0.1)
    kv = w2v.KeyedVectors(args.dim).set_vectors([f"word{i}" for i in range(args.n)], vectors)
    with tempfile.TemporaryDirectory(prefix="w2v-bench-load-") as tmp:
        files = {}
        for fmt in ("word2vec-text", "word2vec-binary"):
            path = os.path.join(tmp, fmt)
            start = time.perf_counter()
            formats.save(kv, path, fmt)
            files[fmt] = path
            print(f"wrote {fmt}: {os.path.getsize(path) / 1e6:.0f} MB in {time.perf_counter() - start:.1f} s "
                  f"(w2v writer)", flush=True)
        del kv, vectors
        base = {name: run(name + "-import", files["word2vec-binary"], True) for name in ("w2v", "gensim")}
        rows = []
        for fmt, binary in (("word2vec-text", False), ("word2vec-binary", True)):
            ours = run("w2v", files[fmt], binary)
            theirs = None if (args.skip_gensim_text and not binary) else run("gensim", files[fmt], binary)
            if theirs is not None:
                assert ours["shape"] == theirs["shape"] and abs(ours["checksum"] - theirs["checksum"]) < 1e-6
            rows.append((fmt, ours, theirs))
            print(f"loaded {fmt}", flush=True)

    print(f"\nloading {args.n:,} x {args.dim} vectors; peak RSS of a fresh process that imports only its library "
          f"(after the import alone: w2v {base['w2v']['peak_mb']:.0f} MB, gensim {base['gensim']['peak_mb']:.0f} MB)\n")
    print("| file | w2v s | gensim s | speed-up | w2v peak MB | gensim peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for fmt, ours, theirs in rows:
        if theirs is None:
            print(f"| {fmt} | {ours['seconds']:.2f} | skipped | | {ours['peak_mb']:.0f} | |")
        else:
            print(f"| {fmt} | {ours['seconds']:.2f} | {theirs['seconds']:.2f} | "
                  f"{theirs['seconds'] / ours['seconds']:.1f}x | {ours['peak_mb']:.0f} | {theirs['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
