"""Reading a corpus with each tokenizer: the one-pass scan with whitespace vs words (and lowercase).

    python bench/bench_tokenize.py [corpus.txt.gz] [--repeat 3]

Prints the median seconds of ``w2v.corpus.scan`` per tokenizer and the ratio to whitespace.
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
    args = parser.parse_args()
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
    base = statistics.median(times["whitespace"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:>22}: median {median:6.2f} s   {median / base:4.2f}x whitespace")


if __name__ == "__main__":
    main()
