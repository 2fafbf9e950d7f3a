"""`w2v train` and `w2v demo`."""
import os
import sys
from importlib import resources

DEMO_CORPUS = "public-domain-speeches.txt.gz"
DEMO_WORDS = ("freedom", "god", "economy", "war", "america")
from ..formats import FORMATS


def register(sub):
    p = sub.add_parser(
        "train", help="learn word vectors from a text corpus",
        description="Learn word vectors from text: one sentence per line, tokens separated by white space. "
                    "CORPUS is a file (plain, .gz, .bz2, .xz), a folder of such files, or - for stdin.",
    )
    p.add_argument("corpus", metavar="CORPUS")
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="where to save the model")
    p.add_argument("--format", choices=FORMATS, default="native",
                   help="native (default): the full model, can be trained further; the others write only the "
                        "vectors, for word2vec.c, gensim, GloVe or fastText tools")
    _add_training_options(p)
    p.set_defaults(func=run_train, writes=("output",))  # checked before training starts

    d = sub.add_parser(
        "demo", help="train on the built-in corpus and show what was learned",
        description="Train skip-gram vectors on the built-in public-domain corpus (US inaugural and State of "
                    "the Union addresses, the Book of Genesis; 560k words), print nearest neighbours of a few "
                    "words and save the model.",
    )
    d.add_argument("-o", "--output", default="w2v-demo.w2v", metavar="PATH",
                   help="where to save the model (default: %(default)s)")
    d.add_argument("--words", nargs="+", default=list(DEMO_WORDS), metavar="WORD",
                   help="words whose neighbours to show (default: %(default)s)")
    d.add_argument("--workers", type=int, default=2, help="training threads (default: %(default)s)")
    d.add_argument("--epochs", type=int, default=5, help="passes over the corpus (default: %(default)s)")
    d.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    d.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    d.set_defaults(func=run_demo, writes=("output",))


def _add_training_options(p):
    g = p.add_argument_group("model")
    arch = g.add_mutually_exclusive_group()
    arch.add_argument("--sg", dest="sg", action="store_const", const=1, default=0,
                      help="skip-gram: each word predicts its neighbours")
    arch.add_argument("--cbow", dest="sg", action="store_const", const=0,
                      help="CBOW: the neighbours together predict the word (the default)")
    g.add_argument("--vector-size", type=int, default=100, help="dimensions per vector (default: %(default)s)")
    g.add_argument("--window", type=int, default=5, help="context words on each side (default: %(default)s)")
    g.add_argument("--no-shrink-windows", dest="shrink_windows", action="store_false",
                   help="always use the full window (default: a random width 1..window per word)")
    g.add_argument("--negative", type=int, default=5,
                   help="negative samples per word, 0 for none (default: %(default)s)")
    g.add_argument("--ns-exponent", type=float, default=0.75,
                   help="noise distribution exponent: count**x (default: %(default)s)")
    g.add_argument("--hs", action="store_true", help="hierarchical softmax (use with --negative 0)")
    g.add_argument("--cbow-sum", dest="cbow_mean", action="store_const", const=0, default=1,
                   help="CBOW: sum the context vectors instead of averaging them")
    g = p.add_argument_group("vocabulary")
    g.add_argument("--min-count", type=int, default=5, help="ignore words rarer than this (default: %(default)s)")
    g.add_argument("--max-vocab-size", type=int, help="bound on words counted at once while reading")
    g.add_argument("--max-final-vocab", type=int, help="keep at most this many words (the most frequent)")
    g.add_argument("--sample", type=float, default=1e-3,
                   help="subsampling threshold for frequent words, 0 for none (default: %(default)s)")
    g.add_argument("--unicode-errors", choices=("strict", "replace", "ignore"), default="strict",
                   help="what to do with invalid UTF-8: stop with an error naming the line (default), "
                        "replace it with U+FFFD, or drop it")
    g = p.add_argument_group("training")
    g.add_argument("--epochs", type=int, default=5, help="passes over the corpus (default: %(default)s)")
    g.add_argument("--alpha", type=float, default=0.025, help="initial learning rate (default: %(default)s)")
    g.add_argument("--min-alpha", type=float, default=0.0001, help="final learning rate (default: %(default)s)")
    g.add_argument("--workers", type=int, default=max(1, min(os.cpu_count() or 1, 8)),
                   help="training threads (default: the number of cores, %(default)s)")
    g.add_argument("--seed", type=int, default=1,
                   help="random seed; with --workers 1 training is exactly repeatable (default: %(default)s)")
    g.add_argument("--batch-words", type=int, default=10000, help="words per job handed to a thread")
    g.add_argument("--loss", dest="compute_loss", action="store_true", help="compute and print the loss per epoch")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _params(args):
    return {name: getattr(args, name) for name in (
        "sg", "vector_size", "window", "shrink_windows", "negative", "ns_exponent", "cbow_mean", "min_count",
        "max_vocab_size", "max_final_vocab", "sample", "unicode_errors", "epochs", "alpha", "min_alpha",
        "workers", "seed", "batch_words", "compute_loss")} | {"hs": int(args.hs)}


def _summary(model, out=None):
    out = out or sys.stderr
    t = model.last_training
    print(f"vocabulary {len(model.wv):,} words; {model.corpus_total_words:,} words in {model.corpus_count:,} "
          f"sentences", file=out)
    compiled = t.get("compile_seconds", 0.0)
    note = f" (and {compiled:.1f} s compiling the kernels: first run only)" if compiled >= 0.5 else ""
    print(f"trained {t['epochs']} epochs in {t['seconds']:.1f} s: {t['words_per_second']:,.0f} words/s{note}", file=out)
    for i, loss in enumerate(t["epoch_losses"] if model.compute_loss else (), 1):
        print(f"epoch {i} loss {loss:.6g}", file=out)


def run_train(args):
    from ..model import Word2Vec

    model = Word2Vec(**_params(args), progress=False if args.quiet else None)
    model.build_vocab(corpus_file=args.corpus)
    model.train(corpus_file=args.corpus)
    _save(model, args.output, args.format)
    _summary(model)
    print(f"saved {args.format} to {args.output}", file=sys.stderr)


def _save(model, path, fmt):
    if fmt == "native":
        model.save(path)
        return
    from ..formats import save

    save(model.wv, path, fmt)


def demo_corpus_path():
    """The path of the built-in demo corpus (shipped inside the package)."""
    return str(resources.files("w2v") / "data" / DEMO_CORPUS)


def run_demo(args):
    from ..model import Word2Vec

    corpus = demo_corpus_path()
    print(f"training skip-gram vectors on the built-in corpus ({DEMO_CORPUS}: US inaugural and State of the "
          "Union addresses, Genesis)", file=sys.stderr)
    model = Word2Vec(corpus_file=corpus, sg=1, vector_size=100, window=5, min_count=5, negative=5,
                     epochs=args.epochs, workers=args.workers, seed=args.seed,
                     progress=False if args.quiet else None)
    _summary(model)
    print()
    for word in args.words:
        if word not in model.wv:
            print(f"{word}: not in the vocabulary")
            continue
        neighbours = model.wv.most_similar(word, topn=8)
        print(f"{word:>10}: " + ", ".join(f"{w} ({s:.2f})" for w, s in neighbours))
    model.save(args.output)
    print(f"\nsaved the model to {args.output}; try:  w2v similar {args.output} liberty")
