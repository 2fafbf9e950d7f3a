"""Cost of gensim's per-word "code" and "point" attributes of hierarchical-softmax models.

    python bench/bench_vecattrs.py [--words 100000 1000000] [--gensim-words 100000]

w2v builds them (``w2v.vocab.paths_per_word``) whenever it (re)builds its Huffman tables
(build_vocab, train after a vocabulary change, load): two object arrays of views into the
tables the kernels use.  This times that step next to building the tree itself, and measures
its memory per word with tracemalloc (a separate run: tracing slows the timing).  With
``--gensim-words`` it measures gensim's own step (``_assign_binary_codes``, which makes the
same attributes) on a vocabulary of that size, for comparison.  Zipf-like counts.
"""
import argparse
import time
import tracemalloc

import numpy as np

from w2v import vocab


def zipf_counts(n):
    return (1e7 / np.arange(1, n + 1) ** 1.05).astype(np.int64) + 1


def traced(call):
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def w2v_cost(n):
    counts = zipf_counts(n)
    start = time.perf_counter()
    tables = vocab.huffman_tree(counts)
    tree = time.perf_counter() - start
    start = time.perf_counter()
    vocab.paths_per_word(*tables)
    attrs = time.perf_counter() - start
    kept = []
    memory = traced(lambda: kept.append(vocab.paths_per_word(*tables)))
    return tree, attrs, memory / n


def gensim_cost(n):
    from gensim.models.keyedvectors import KeyedVectors
    from gensim.models.word2vec import _assign_binary_codes

    counts = zipf_counts(n)
    kv = KeyedVectors(1)
    kv.index_to_key = [f"w{i}" for i in range(n)]
    kv.key_to_index = {k: i for i, k in enumerate(kv.index_to_key)}
    kv.allocate_vecattrs(["count"], [np.int64])
    kv.expandos["count"][:] = counts
    start = time.perf_counter()
    _assign_binary_codes(kv)
    seconds = time.perf_counter() - start
    for attr in ("code", "point"):
        del kv.expandos[attr]
    memory = traced(lambda: _assign_binary_codes(kv))
    return seconds, memory / n


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--gensim-words", type=int, default=0)
    args = parser.parse_args()
    for n in args.words:
        tree, attrs, per_word = w2v_cost(n)
        print(f"w2v    {n:>9,} words: Huffman tables {tree:.2f} s; code + point attributes {attrs:.2f} s, "
              f"{per_word:.0f} bytes/word")
    if args.gensim_words:
        seconds, per_word = gensim_cost(args.gensim_words)
        print(f"gensim {args.gensim_words:>9,} words: _assign_binary_codes (tree and attributes) {seconds:.2f} s, "
              f"{per_word:.0f} bytes/word")


if __name__ == "__main__":
    main()
