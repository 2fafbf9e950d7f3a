"""Raw text on the command line: the tokenizer options every reading command shares, and `w2v phrases`."""
import sys


def add_tokenizer_options(p, mode="whitespace", lowercase=False):
    """Add --tokenize, --lowercase/--keep-case, --punctuation and --split-sentences to a parser."""
    g = p.add_argument_group("tokenizing")
    g.add_argument("--tokenize", choices=("whitespace", "words"), default=mode,
                   help="whitespace: split on white space only; words: Unicode words, punctuation dropped "
                        "(default: %(default)s)")
    g.add_argument("--lowercase", dest="lowercase", action="store_true", default=lowercase,
                   help="lower-case the text" + (" (the default)" if lowercase else ""))
    g.add_argument("--keep-case", dest="lowercase", action="store_false",
                   help="keep upper case" + ("" if lowercase else " (the default)"))
    g.add_argument("--punctuation", choices=("drop", "keep"), default="drop",
                   help="with --tokenize words: drop punctuation (default) or keep each mark as a token")
    g.add_argument("--split-sentences", action="store_true",
                   help="the text is not one sentence per line: end sentences at . ! ? and blank lines")


def tokenizer_from(args):
    from ..tokenize import Tokenizer

    return Tokenizer(args.tokenize, lowercase=args.lowercase, punctuation=args.punctuation,
                     split_sentences=args.split_sentences)


def add_phrase_options(g, prefix=""):
    """--min-count, --threshold, --scoring, --connectors (with ``prefix``: --phrases-min-count …)."""
    g.add_argument(f"--{prefix}min-count", type=int, default=5,
                   help="ignore words and pairs seen fewer times (default: %(default)s)")
    g.add_argument(f"--{prefix}threshold", type=float, default=None,
                   help="join pairs scoring above this (default: 10 for default scoring, 0.5 for npmi)")
    g.add_argument(f"--{prefix}scoring", choices=("default", "npmi"), default="default",
                   help="word2vec's score (default) or normalised PMI")
    g.add_argument(f"--{prefix}connectors", choices=("none", "english"), default="none",
                   help="english: articles, prepositions and conjunctions may sit inside phrases "
                        "(bank_of_america); default: none")


def phrase_params(args, prefix=""):
    from ..phrases import ENGLISH_CONNECTOR_WORDS

    get = lambda name: getattr(args, prefix + name)  # noqa: E731
    scoring = get("scoring")
    threshold = get("threshold")
    return {"min_count": get("min_count"), "scoring": scoring,
            "threshold": threshold if threshold is not None else (10.0 if scoring == "default" else 0.5),
            "connector_words": ENGLISH_CONNECTOR_WORDS if get("connectors") == "english" else frozenset()}


def register(sub):
    p = sub.add_parser(
        "phrases", help="join frequent word pairs (new york -> new_york) in a text",
        description="Learn phrases from CORPUS (gensim's Phrases: same scores) and write the text with them "
                    "joined, one sentence per line; --passes 2 joins phrases of phrases (trigrams, 4-grams). "
                    "--export prints the phrases and their scores instead.")
    p.add_argument("corpus", metavar="CORPUS", help="text file (plain, .gz, .bz2, .xz), folder, or - for stdin")
    p.add_argument("-o", "--output", metavar="PATH", default="-", help="phrased text (default: - for stdout)")
    p.add_argument("--passes", type=int, default=1, help="rounds of joining (default: %(default)s)")
    p.add_argument("--export", action="store_true", help="print phrase<TAB>score lines, best first")
    p.add_argument("--delimiter", default="_", help="glue between the words of a phrase (default: %(default)s)")
    add_phrase_options(p)
    add_tokenizer_options(p)
    p.set_defaults(func=run_phrases, writes=("output",))  # checked before the corpus is read


#: numba's first compilation of the phrase kernels, measured on a 2-core machine
PHRASE_COMPILE_SECONDS = 15


def run_phrases(args):
    import contextlib

    from .. import corpus
    from ..atomic import atomic_write
    from ..kernels import phrases as kernels
    from ..phrases import learn_passes
    from .common import announce_compiling

    if args.passes < 1:
        raise ValueError(f"--passes must be at least 1, got {args.passes}")
    scan = corpus.scan(args.corpus, tokenizer=tokenizer_from(args), progress=False)
    if not scan.total_words:
        raise corpus.CorpusError(f"{args.corpus}: the corpus is empty: no words were read")
    announce_compiling("phrase", PHRASE_COMPILE_SECONDS, kernels.candidate_keys, kernels.apply_phrases,
                       kernels.build_table)
    ids, lengths, words, models = learn_passes(scan.ids, scan.lengths, scan.words, args.passes,
                                               delimiter=args.delimiter, **phrase_params(args))
    out = contextlib.nullcontext(sys.stdout) if args.output == "-" else atomic_write(args.output, "w", encoding="utf-8")
    with out as handle:
        if args.export:
            found = {}
            for model in models:
                found.update(model.export_phrases())
            for phrase, score in sorted(found.items(), key=lambda item: -item[1]):
                handle.write(f"{phrase}\t{score:.6g}\n")
            return
        ends = lengths.cumsum()
        starts = ends - lengths
        step = 20000
        for lo in range(0, len(lengths), step):
            a, b = int(starts[lo]), int(ends[min(lo + step, len(lengths)) - 1])
            tokens = list(map(words.__getitem__, ids[a:b].tolist()))
            cuts = (ends[lo:lo + step] - a).tolist()
            lines = map(" ".join, map(tokens.__getitem__, map(slice, [0] + cuts[:-1], cuts)))
            handle.write("\n".join(lines) + "\n")
    if args.output != "-":
        print(f"wrote {args.output}", file=sys.stderr)
