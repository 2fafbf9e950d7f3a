"""most_similar speed: w2v vs gensim side by side on the same synthetic vectors.

    python bench/bench_query.py [--n 400000] [--dim 300] [--queries 50]

Vectors are random (query speed does not depend on what they mean), generated here.
"""
import argparse
import time

import numpy as np


def median_ms(function, args_list):
    times = []
    for args in args_list:
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def plain_most_similar(kv, word):
    import w2v.vectors

    saved = w2v.vectors.FAST_SEARCH_MIN_ROWS
    w2v.vectors.FAST_SEARCH_MIN_ROWS = 1 << 62
    try:
        return kv.most_similar(word)
    finally:
        w2v.vectors.FAST_SEARCH_MIN_ROWS = saved


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from gensim.models import KeyedVectors as GensimKV

    from w2v import KeyedVectors

    rng = np.random.default_rng(args.seed)
    vectors = rng.standard_normal((args.n, args.dim), dtype=np.float32)
    keys = [f"w{i}" for i in range(args.n)]
    ours = KeyedVectors(args.dim).set_vectors(keys, vectors)
    theirs = GensimKV(args.dim)
    theirs.add_vectors(keys, vectors)

    start = time.perf_counter()
    ours.get_normed_vectors()
    ours_normed = time.perf_counter() - start
    start = time.perf_counter()
    ours.most_similar("w0")
    ours_first = time.perf_counter() - start + ours_normed
    codes, *per_row = ours._quantized
    cache_mb = (codes.nbytes + sum(a.nbytes for a in per_row)) / 1e6
    start = time.perf_counter()
    theirs.most_similar("w0")
    theirs_first = time.perf_counter() - start

    words = [f"w{i}" for i in rng.choice(args.n, args.queries, replace=False)]
    single = [(w,) for w in words]
    plain = KeyedVectors(args.dim).set_vectors(keys, vectors)   # the readable float32-scan path, for reference
    plain.get_normed_vectors()
    rows = []
    for name, ours_fn, theirs_fn, calls in [
        ("most_similar(word), w2v plain float32 scan (no int8 screen)",
         lambda w: plain_most_similar(plain, w), lambda w: theirs.most_similar(w), single),
        ("most_similar(word), top 10", lambda w: ours.most_similar(w), lambda w: theirs.most_similar(w), single),
        ("king - man + woman form (2+, 1-)",
         lambda w: ours.most_similar(positive=[w, "w1"], negative=["w2"]),
         lambda w: theirs.most_similar(positive=[w, "w1"], negative=["w2"]), single),
        ("most_similar_cosmul (2+, 1-)",
         lambda w: ours.most_similar_cosmul(positive=[w, "w1"], negative=["w2"]),
         lambda w: theirs.most_similar_cosmul(positive=[w, "w1"], negative=["w2"]), single),
        ("most_similar, restrict_vocab=30000",
         lambda w: ours.most_similar(w, restrict_vocab=30000),
         lambda w: theirs.most_similar(w, restrict_vocab=30000), single),
    ]:
        # interleave so that neither side profits from a warmer cache
        ours_ms = median_ms(ours_fn, calls)
        theirs_ms = median_ms(theirs_fn, calls)
        rows.append((name, ours_ms, theirs_ms))

    start = time.perf_counter()
    ours.most_similar_batch(words, topn=10)
    batch_ms = 1000 * (time.perf_counter() - start) / len(words)
    loop_ms = next(t for n, _, t in rows if n.startswith("most_similar(word), top 10"))
    rows.append((f"batch of {len(words)} words (w2v most_similar_batch), per word", batch_ms, loop_ms))

    print(f"most_similar on {args.n:,} x {args.dim} float32 vectors, median over {args.queries} queries")
    print(f"first query (builds the caches): w2v {1000 * ours_first:.0f} ms (unit vectors {1000 * ours_normed:.0f} ms, "
          f"then the int8 copy, {cache_mb:.0f} MB), gensim {1000 * theirs_first:.0f} ms")
    print()
    print(f"| query | w2v ms | gensim ms | gensim / w2v |")
    print(f"|---|---:|---:|---:|")
    for name, ours_ms, theirs_ms in rows:
        print(f"| {name} | {ours_ms:.1f} | {theirs_ms:.1f} | {theirs_ms / ours_ms:.2f}x |")
    same_plain = all(ours.most_similar(w) == plain_most_similar(plain, w) for w in words)
    same_gensim = all([k for k, _ in ours.most_similar(w)] == [k for k, _ in theirs.most_similar(w)] for w in words)
    print(f"\nall {len(words)} queries: int8-screened results identical to the plain float32 path: {same_plain}; "
          f"same top-10 keys as gensim: {same_gensim}")


if __name__ == "__main__":
    main()
