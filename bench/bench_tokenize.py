"""Reading a corpus with each tokenizer: the one-pass scan with whitespace vs words (and lowercase).

    python bench/bench_tokenize.py [corpus.txt.gz] [--repeat 3] [--check]

Prints the median seconds of ``w2v.corpus.scan`` per tokenizer and the ratio to whitespace.
``--check`` first compares the C tokenizer with the ``re`` reference on the whole corpus.
"""
import argparse
import statistics
import time

from w2v import corpus
from w2v.tokenize import Tokenizer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default="../shared/data/english-5m.txt.gz")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="compare C and re tokens on the whole corpus")
    args = parser.parse_args()
    if args.check:
        import gzip
        with gzip.open(args.corpus, "rt", encoding="utf-8") as handle:
            text = handle.read()
        for options in ({}, {"lowercase": True}, {"punctuation": "keep"}):
            t = Tokenizer("words", **options)
            fast, slow = t.split_flat(text), t.reference_split(text)
            print(f"words {options}: {len(fast[0]):,} tokens, identical to the re reference: {fast == slow}")
    setups = {"whitespace": Tokenizer(), "whitespace+lowercase": Tokenizer(lowercase=True),
              "words": Tokenizer("words"), "words+lowercase": Tokenizer("words", lowercase=True),
              "words+split-sentences": Tokenizer("words", split_sentences=True)}
    Tokenizer("words").tokens("warm up the pattern")
    times = {name: [] for name in setups}
    for _ in range(args.repeat):
        for name, tokenizer in setups.items():   # interleaved, so a busy moment hits all alike
            start = time.perf_counter()
            scan = corpus.scan(args.corpus, tokenizer=tokenizer, progress=False)
            times[name].append(time.perf_counter() - start)
            words = scan.total_words
            print(f"  {name}: {times[name][-1]:.2f} s, {words:,} words", flush=True)
    if not args.repeat:
        return
    base = statistics.median(times["whitespace"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:>22}: median {median:6.2f} s   {median / base:4.2f}x whitespace")


if __name__ == "__main__":
    main()
