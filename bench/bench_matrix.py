"""Quality and speed matrix: w2v and gensim side by side in every training mode and learning rate.

    python bench/bench_matrix.py                          # all 8 cells x 3 seeds (about an hour on 2 cores)
    python bench/bench_matrix.py --cells cbow-ns --alphas 0.05 --seeds 1,2,3
    python bench/bench_matrix.py --json out.json --resume out.json      # add runs to an earlier file

Cells: skip-gram and CBOW x negative sampling (negative 5) and hierarchical softmax (negative 0)
x alpha in {0.025, 0.05}; every cell is trained with each seed by both tools, alternating which goes
first, each run in a fresh subprocess (bench_train.py's child). Quality is scored by one evaluator
(gensim's) on every model: WordSim-353 and SimLex-999 Spearman, Google analogy accuracy.

"Noise" for a measure in a cell is gensim's own seed-to-seed spread there (max - min over the
seeds); a cell is at parity when w2v's median is no more than the noise below gensim's median.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import SHARED, machine, plain_corpus, run_child  # noqa: E402

MEASURES = ("ws353", "simlex", "analogy")
CELLS = {"sg-ns": ("sg", 0, 5), "sg-hs": ("sg", 1, 0), "cbow-ns": ("cbow", 0, 5), "cbow-hs": ("cbow", 1, 0)}


def simlex_path():
    import gensim

    return str(Path(gensim.__file__).parent / "test" / "test_data" / "simlex999.txt")


def cell_key(cell, alpha):
    return f"{cell} a={alpha}"


def summarise(results, impls=("gensim", "w2v")):
    """Per cell: medians and spreads of every measure, the speed ratio, and parity against the noise."""
    rows = []
    for key, by_impl in results.items():
        if not all(by_impl.get(i) for i in impls):
            continue
        g, w = by_impl["gensim"], by_impl["w2v"]
        row = {"cell": key, "seeds": min(len(g), len(w))}
        for m in MEASURES:
            gv, wv = [r[m] for r in g], [r[m] for r in w]
            noise = max(gv) - min(gv)
            row[m] = {"gensim": statistics.median(gv), "w2v": statistics.median(wv),
                      "gensim_spread": noise, "w2v_spread": max(wv) - min(wv)}
            row[m]["parity"] = row[m]["w2v"] >= row[m]["gensim"] - noise
        by_seed = {r["seed"]: r for r in g}
        ratios = [r["words_per_s"] / by_seed[r["seed"]]["words_per_s"] for r in w if r["seed"] in by_seed]
        row["speed_ratio"] = statistics.median(ratios) if ratios else float("nan")
        row["w2v_mwps"] = statistics.median(r["words_per_s"] for r in w) / 1e6
        row["gensim_mwps"] = statistics.median(r["words_per_s"] for r in g) / 1e6
        rows.append(row)
    return rows


def table(rows):
    lines = ["| cell | seeds | WS353 gensim / w2v (noise) | SimLex gensim / w2v (noise) | analogy gensim / w2v (noise) "
             "| M words/s gensim / w2v | ratio | parity |", "|" + "---|" * 8]
    for r in rows:
        cells = []
        for m in MEASURES:
            x = r[m]
            cells.append(f"{x['gensim']:.3f} / {x['w2v']:.3f} ({x['gensim_spread']:.3f})")
        ok = all(r[m]["parity"] for m in MEASURES)
        bad = [m for m in MEASURES if not r[m]["parity"]]
        lines.append(f"| {r['cell']} | {r['seeds']} | " + " | ".join(cells)
                     + f" | {r['gensim_mwps']:.2f} / {r['w2v_mwps']:.2f} | {r['speed_ratio']:.2f}× | "
                     + ("yes" if ok else "**no** (" + ", ".join(bad) + ")") + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(SHARED / "english-5m.txt.gz"))
    parser.add_argument("--cells", default=",".join(CELLS), help="comma-separated: " + ", ".join(CELLS))
    parser.add_argument("--alphas", default="0.025,0.05")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--impls", default="gensim,w2v", help="which tools to run (default both)")
    parser.add_argument("--json", help="write the raw results here (after every run)")
    parser.add_argument("--resume", help="start from the raw results of an earlier run (runs already there are skipped)")
    args = parser.parse_args()
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus not found: {args.corpus}")
    results = json.loads(Path(args.resume).read_text())["results"] if args.resume else {}
    base = {"dim": 100, "window": 5, "min_count": 5, "sample": 1e-3, "workers": args.workers, "epochs": args.epochs,
            "pairs": str(SHARED / "eval" / "wordsim353.tsv"), "simlex": simlex_path(),
            "analogies": str(SHARED / "eval" / "questions-words.txt")}
    tmp = tempfile.mkdtemp(prefix="w2v-matrix-")
    try:
        path = plain_corpus(args.corpus, tmp)
        subprocess.run([sys.executable, "-c", "import w2v\nfor sg in (0, 1):\n for hs in (0, 1):\n"
                        "  w2v.Word2Vec([['a','b','c']]*50, min_count=1, epochs=1, progress=False, sg=sg, hs=hs,"
                        " negative=0 if hs else 5)"], check=True)
        print(machine())
        print(f"corpus {args.corpus}; dim 100, window 5, min_count 5, sample 1e-3, {args.epochs} epochs, "
              f"{args.workers} workers", flush=True)
        turn = 0
        for alpha in [float(a) for a in args.alphas.split(",")]:
            for cell in args.cells.split(","):
                mode, hs, negative = CELLS[cell]
                key = cell_key(cell, alpha)
                for seed in [int(s) for s in args.seeds.split(",")]:
                    cfg = dict(base, hs=hs, negative=negative, alpha=alpha, seed=seed)
                    impls = args.impls.split(",")
                    order = impls if turn % 2 == 0 else impls[::-1]
                    turn += 1
                    for impl in order:
                        done = results.setdefault(key, {}).setdefault(impl, [])
                        if any(r["seed"] == seed for r in done):
                            continue
                        res = dict(run_child(impl, mode, path, cfg), seed=seed)
                        done.append(res)
                        print(f"  {key:16} {impl:6} seed {seed}: {res['train_s']:6.1f} s "
                              f"{res['words_per_s'] / 1e6:5.2f} M words/s  WS353 {res['ws353']:.3f}  "
                              f"SimLex {res['simlex']:.3f}  analogy {res['analogy']:.3f}", flush=True)
                        if args.json:
                            Path(args.json).write_text(json.dumps({"machine": machine(), "config": base,
                                                                   "results": results}, indent=1))
        print()
        print(table(summarise(results)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
