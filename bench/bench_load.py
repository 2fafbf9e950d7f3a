"""Loading word2vec text and binary files: w2v.load vs gensim's load_word2vec_format, side by side.

    python bench/bench_load.py [--n 400000] [--dim 300] [--repeat 5] [--text-repeat 1] [--skip-gensim-text]

Writes synthetic vectors to a temporary directory (deleted afterwards), then loads each
file in a fresh subprocess per load, alternating w2v and gensim, so that each peak memory
(VmHWM) is the loader's own.  Each process imports only the library it times, as a
user's program would.  Three times are kept per load, treated the same way for both:

* ``load``: the load call alone (library already imported);
* ``import``: ``import numpy`` plus the library's import;
* ``process``: the whole subprocess as the parent sees it (interpreter start, imports,
  load, exit).

Medians over ``--repeat`` runs (``--text-repeat`` for text: gensim needs minutes per text load).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import sys, time
loader, path, binary = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
start = time.perf_counter()
import numpy as np
# Each loader's process imports only its own library, as its users' programs would.
if loader.startswith("w2v"):
    import w2v
elif loader.startswith("gensim"):
    from gensim.models import KeyedVectors
imported = time.perf_counter()
if loader == "w2v":
    kv = w2v.load(path)
elif loader == "gensim":
    kv = KeyedVectors.load_word2vec_format(path, binary=binary)
else:
    kv = None
loaded = time.perf_counter()
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork+exec.
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
import json
shape = None if kv is None else list(kv.vectors.shape)
checksum = None if kv is None else float(np.asarray(kv.vectors[-1000:], np.float64).sum())
modules = sorted(m for m in ("numba", "llvmlite", "scipy", "matplotlib", "pandas", "tqdm") if m in sys.modules)
print(json.dumps({"load": loaded - imported, "import": imported - start, "peak_mb": peak_kb / 1024,
                  "shape": shape, "checksum": checksum, "modules": modules}))
"""


def run(loader, path, binary):
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, loader, path, "1" if binary else "0"],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - start
    return result


def median(results, field):
    return statistics.median(r[field] for r in results)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5, help="loads per library for the binary file")
    parser.add_argument("--text-repeat", type=int, default=1, help="loads per library for the text file")
    parser.add_argument("--skip-gensim-text", action="store_true", help="gensim's text loader takes minutes")
    args = parser.parse_args()

    import numpy as np

    import w2v
    from w2v import formats

    rng = np.random.default_rng(args.seed)
    vectors = (rng.standard_normal((args.n, args.dim), dtype=np.float32) * 0.1)
    kv = w2v.KeyedVectors(args.dim).set_vectors([f"word{i}" for i in range(args.n)], vectors)
    with tempfile.TemporaryDirectory(prefix="w2v-bench-load-") as tmp:
        files = {}
        for fmt in ("word2vec-binary", "word2vec-text"):
            path = os.path.join(tmp, fmt)
            start = time.perf_counter()
            formats.save(kv, path, fmt)
            files[fmt] = path
            print(f"wrote {fmt}: {os.path.getsize(path) / 1e6:.0f} MB in {time.perf_counter() - start:.1f} s "
                  f"(w2v writer)", flush=True)
        del kv, vectors
        base = {name: run(name + "-import", files["word2vec-binary"], True) for name in ("w2v", "gensim")}
        rows = []
        for fmt, binary, repeat in (("word2vec-binary", True, args.repeat), ("word2vec-text", False, args.text_repeat)):
            ours, theirs = [], []
            for _ in range(repeat):   # alternate, so that neither side gets a quieter machine
                ours.append(run("w2v", files[fmt], binary))
                if not (args.skip_gensim_text and not binary):
                    theirs.append(run("gensim", files[fmt], binary))
                    assert ours[-1]["shape"] == theirs[-1]["shape"]
                    assert abs(ours[-1]["checksum"] - theirs[-1]["checksum"]) < 1e-6
            rows.append((fmt, repeat, ours, theirs))
            print(f"loaded {fmt} ({repeat}x each)", flush=True)

    print(f"\nloading {args.n:,} x {args.dim} vectors, fresh process per load, medians; "
          f"peak = VmHWM of that process (after the import alone: w2v {base['w2v']['peak_mb']:.0f} MB, "
          f"gensim {base['gensim']['peak_mb']:.0f} MB)")
    def pulled(result):
        return ", ".join(result["modules"]) or "none of numba/scipy/matplotlib/pandas/tqdm"

    print(f"modules a w2v load pulled in: {pulled(rows[0][2][0])} (binary); {pulled(rows[1][2][0])} (text)\n")
    print("| file | runs | w2v load s | gensim load s | speed-up (load) | w2v process s | gensim process s "
          "| speed-up (process) | w2v import s | gensim import s | w2v peak MB | gensim peak MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for fmt, repeat, ours, theirs in rows:
        o = {f: median(ours, f) for f in ("load", "process", "import", "peak_mb")}
        if not theirs:
            print(f"| {fmt} | {repeat} | {o['load']:.2f} | skipped | | {o['process']:.2f} | | | {o['import']:.2f} | "
                  f"| {o['peak_mb']:.0f} | |")
            continue
        t = {f: median(theirs, f) for f in ("load", "process", "import", "peak_mb")}
        print(f"| {fmt} | {repeat} | {o['load']:.2f} | {t['load']:.2f} | {t['load'] / o['load']:.1f}x | "
              f"{o['process']:.2f} | {t['process']:.2f} | {t['process'] / o['process']:.1f}x | "
              f"{o['import']:.2f} | {t['import']:.2f} | {o['peak_mb']:.0f} | {t['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
