"""Phrases side by side with gensim 4: learning and applying, on the same token lists, same parameters.

    python bench/bench_phrases.py [corpus.txt.gz] [--limit N] [--rounds 3] [--steps]

Each round runs both, in alternating order, each on freshly split token lists (as a streamed
corpus gives: no string hashes cached from the other library's run); learn, then apply to the
same lists.  Prints the median of each step, the ratios, and the overlap of the exported
phrases (|both|, only gensim, only w2v, largest relative score difference), and the machine's
load average before and after (the ratios move with it: the other jobs slow both sides, and the
short w2v steps relatively more).
"""
import argparse
import gzip
import itertools
import os
import statistics
import time

from gensim.models import phrases as gp

from w2v import phrases as wp


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default="../shared/data/english-5m.txt.gz")
    parser.add_argument("--limit", type=int, default=None, help="first N lines only")
    parser.add_argument("--scoring", default="default")
    parser.add_argument("--threshold", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", action="store_true",
                        help="then where w2v's time goes: one more round with its inner steps timed")
    args = parser.parse_args()
    with gzip.open(args.corpus, "rt", encoding="utf-8") as handle:
        lines = list(itertools.islice(handle, args.limit))
    sentences = [line.split() for line in lines]
    words = sum(map(len, sentences))
    print(f"load average {load()} (1, 5, 15 min) at the start")
    print(f"{args.corpus}: {len(sentences):,} sentences, {words:,} words; min_count=5, threshold={args.threshold}, "
          f"scoring={args.scoring}, connector_words=ENGLISH_CONNECTOR_WORDS")
    wp.Phrases(sentences[:100], min_count=1, threshold=1.0).freeze()[sentences[:100]]   # numba cache warm-up
    kw = dict(min_count=5, threshold=args.threshold, scoring=args.scoring)
    times = {name: [] for name in ("gensim", "w2v")}
    exported = {}
    for rnd in range(args.rounds):
        order = (("gensim", gp), ("w2v", wp)) if rnd % 2 == 0 else (("w2v", wp), ("gensim", gp))
        for name, mod in order:
            sentences = [line.split() for line in lines]
            model, learn = timed(lambda: mod.Phrases(sentences, connector_words=mod.ENGLISH_CONNECTOR_WORDS, **kw))
            exported[name], export = timed(model.export_phrases)
            frozen, freeze = timed(model.freeze)
            _, apply = timed(lambda: sum(map(len, frozen[sentences])))
            times[name].append((learn, export + freeze, apply))
            print(f"  round {rnd + 1} {name:>6}: learn {learn:6.2f} s   export+freeze {export + freeze:6.2f} s   "
                  f"apply {apply:6.2f} s", flush=True)
            del model, frozen
    results = {}
    for name, runs in times.items():
        med = [statistics.median(run[i] for run in runs) for i in range(3)]
        results[name] = (exported[name], *med)
        print(f"{name:>7} (median of {len(runs)}): learn {med[0]:7.2f} s   export+freeze {med[1]:6.2f} s   "
              f"apply {med[2]:7.2f} s   total {sum(med):7.2f} s")
    g, w = results["gensim"], results["w2v"]
    for i, step in ((1, "learn"), (2, "export+freeze"), (3, "apply")):
        print(f"{step}: w2v {g[i] / w[i]:.1f}x gensim")
    print(f"total: w2v {sum(g[1:]) / sum(w[1:]):.1f}x gensim")
    both = g[0].keys() & w[0].keys()
    diff = max((abs(g[0][k] - w[0][k]) / abs(g[0][k]) for k in both), default=0.0)
    print(f"phrases: both {len(both):,}, only gensim {len(g[0].keys() - w[0].keys())}, "
          f"only w2v {len(w[0].keys() - g[0].keys())}, max relative score difference {diff:.2e}")
    if args.steps:
        steps(lines, kw)
    print(f"load average {load()} (1, 5, 15 min) at the end")


def steps(lines, kw):
    """One w2v round on fresh lists with the compiled steps timed (wrapped where w2v looks them up)."""
    from w2v.kernels import phrases as kernels

    native = wp._native()
    spent = {}

    def timing(owner, name, label):
        inner = getattr(owner, name)

        def timed_call(*args):
            start = time.perf_counter()
            try:
                return inner(*args)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - start
        setattr(owner, name, timed_call)
        return lambda: setattr(owner, name, inner)

    undo = [timing(native, "encode_sentences", "tokens -> ids (C)"),
            timing(kernels, "candidate_keys", "count: one key per candidate (numba)"),
            timing(kernels, "_count_runs", "count: runs of sorted keys (numba)"),
            timing(kernels, "default_scores", "scores (numba)"),
            timing(kernels, "apply_phrases", "join (numba)"),
            timing(native, "build_sentences", "phrased lists (C)")]
    try:
        sentences = [line.split() for line in lines]
        model, learn = timed(lambda: wp.Phrases(sentences, connector_words=wp.ENGLISH_CONNECTOR_WORDS, **kw))
        learned = dict(spent)
        spent.clear()
        frozen, export = timed(lambda: (model.export_phrases(), model.freeze())[1])
        exported = dict(spent)
        spent.clear()
        _, apply = timed(lambda: sum(map(len, frozen[sentences])))
    finally:
        for fn in undo:
            fn()
    for step, total, parts in (("learn", learn, learned), ("export+freeze", export, exported), ("apply", apply, spent)):
        print(f"w2v {step} {total:.3f} s: " + ", ".join(f"{k} {v:.3f}" for k, v in parts.items())
              + f", the rest (Python, numpy) {total - sum(parts.values()):.3f}")


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
