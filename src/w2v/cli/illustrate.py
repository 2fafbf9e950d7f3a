"""`w2v` sub-commands that draw and tabulate: show, plot, pairs, step."""
import sys

from .text import add_tokenizer_options, tokenizer_from


def register(sub):
    """Add this module's sub-commands to the `w2v` parser."""
    p = sub.add_parser(
        "show", help="colour rows of word vectors (blue -2, white 0, red +2)",
        description="One row per word, one cell per dimension, coloured blue (-2) - white (0) - red (+2). "
                    "Prints ANSI colour blocks in the terminal unless -o names a picture file.")
    p.add_argument("model", help="model or vectors file")
    p.add_argument("words", nargs="+", help="words to show")
    p.add_argument("-o", "--output", metavar="PATH", help="write a picture (.png, .svg or .pdf)")
    p.add_argument("--terminal", action="store_true", help="print colour blocks (the default without -o)")
    p.add_argument("--numbers", action="store_true", help="also print each value (in the cells with -o)")
    p.add_argument("--title", help="picture title")
    p.add_argument("--width", type=int, help="terminal width in characters (default: detected)")
    p.add_argument("--dims", type=int, metavar="N", help="show only the first N dimensions")
    p.set_defaults(func=_show, writes=("output",))

    p = sub.add_parser(
        "plot", help="2-D map of words (PCA; t-SNE/UMAP optional)",
        description="Project word vectors to 2-D and draw them with labels, optionally with analogy arrows.")
    p.add_argument("model", help="model or vectors file")
    p.add_argument("-o", "--output", metavar="PATH", required=True, help="picture file (.png, .svg or .pdf)")
    p.add_argument("--words", nargs="+", metavar="WORD", help="words to place (default: the --top most frequent)")
    p.add_argument("--top", type=int, default=50, metavar="N", help="map the N most frequent words (default 50)")
    p.add_argument("--method", choices=("pca", "tsne", "umap"), default="pca",
                   help="projection: pca (default), tsne (pip install w2v[tsne]), umap (pip install w2v[umap])")
    p.add_argument("--arrows", nargs="+", metavar="FROM:TO", default=[],
                   help="draw arrows between word pairs, e.g. man:woman king:queen")
    p.add_argument("--raw", action="store_true",
                   help="project the raw vectors (default: unit-length vectors, so the map follows cosine)")
    p.add_argument("--seed", type=int, default=1, help="random seed for t-SNE/UMAP (default 1)")
    p.add_argument("--title", help="picture title")
    p.set_defaults(func=_plot, writes=("output",))

    p = sub.add_parser(
        "pairs", help="the sliding-window training samples of a sentence",
        description="Print the training samples a sliding window makes of a sentence, as in the article: "
                    "skip-gram (input word, output word), --cbow (context words -> output word) or --lm "
                    "(previous words -> next word); --negative K adds K negative samples per sample, drawn "
                    "from the noise distribution of --model or --corpus, with a 0/1 target column.")
    p.add_argument("sentence", nargs="+", help="the sentence (quoted, or as separate words)")
    p.add_argument("--window", type=int, default=2, help="words on each side (--lm: words before; default 2)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--cbow", action="store_const", dest="mode", const="cbow",
                      help="continuous bag of words: the context predicts the middle word")
    mode.add_argument("--lm", action="store_const", dest="mode", const="lm",
                      help="language model: the previous --window words predict the next")
    p.set_defaults(mode="skipgram")
    p.add_argument("--negative", type=int, default=0, metavar="N", help="negative samples per sample")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--model", help="draw negatives from this model's word counts")
    source.add_argument("--corpus", help="draw negatives from the word counts of this text file")
    p.add_argument("--min-count", type=int, default=5,
                   help="with --corpus: ignore words seen fewer times (default 5, as training)")
    p.add_argument("--ns-exponent", type=float, default=None,
                   help="noise exponent (default: the model's, or 0.75)")
    p.add_argument("--seed", type=int, default=1, help="random seed for the negatives (default 1)")
    add_tokenizer_options(p, mode="words", lowercase=True)
    p.set_defaults(func=_pairs)

    p = sub.add_parser(
        "step", help="one negative-sampling (or --softmax: full-softmax) training step, as tables",
        description="Run one skip-gram negative-sampling update (the numpy reference kernel) on a copy of a "
                    "model and print input word, output word, target, input.output, sigmoid, error, and the "
                    "rows before and after. With --softmax (a model trained with --softmax): the article's step "
                    "before negative sampling - the prediction vector over the whole vocabulary, the one-hot "
                    "target, the error vector and the updated rows. The model file is not changed.")
    p.add_argument("model", help="full model file (trained with negative sampling, or with --softmax)")
    p.add_argument("--input", required=True, metavar="WORD", help="input word (its embedding row is updated)")
    p.add_argument("--output", required=True, metavar="WORD", help="output word, target 1 (its context row)")
    p.add_argument("--softmax", action="store_true",
                   help="the full-softmax step of a model trained with softmax=1 (w2v train --softmax)")
    p.add_argument("--top", type=int, default=5, metavar="N",
                   help="--softmax: the N most probable words of the prediction vector are shown, and the "
                        "output word (default 5)")
    p.add_argument("--negative", type=int, default=None, metavar="N",
                   help="negative samples drawn from the model's noise distribution (default 2)")
    p.add_argument("--negatives", nargs="+", metavar="WORD", help="use these negative words instead of drawing")
    p.add_argument("--alpha", type=float, help="learning rate (default: the model's alpha)")
    p.add_argument("--seed", type=int, default=1, help="random seed for the negatives (default 1)")
    p.add_argument("--dims", type=int, default=6, help="dimensions shown of each row (default 6)")
    p.set_defaults(func=_step)


# -- loading ------------------------------------------------------------------------------

def _native_kind(path):
    from .. import store

    if not store.is_native(path):
        return None
    kind, _, _ = store.load(path, mmap="r")
    return kind


def _load_model(path):
    """The full model when ``path`` is a native model file (real counts, syn1neg), else its vectors."""
    if _native_kind(path) == "model":
        from ..model import Word2Vec

        return Word2Vec.load(path, mmap="r")  # read-only: pairs and step copy the few rows they use
    return _load_vectors(path)


def _load_vectors(path):
    from .common import load_vectors

    return load_vectors(path)


# -- handlers -----------------------------------------------------------------------------

def _show(args):
    from ..illustrate import plot_rows, terminal_rows

    kv = _load_vectors(args.model)
    if args.output:
        plot_rows(kv, args.words, path=args.output, numbers=args.numbers, title=args.title, dims=args.dims)
        print(f"wrote {args.output}", file=sys.stderr)
    if args.terminal or not args.output:
        print(terminal_rows(kv, args.words, width=args.width, numbers=args.numbers, dims=args.dims))


def _plot(args):
    from ..illustrate import plot_map

    if args.top < 3 and not args.words:
        raise ValueError(f"--top must be at least 3, got {args.top}")
    kv = _load_vectors(args.model)
    plot_map(kv, words=args.words, top=args.top, method=args.method, arrows=args.arrows, path=args.output,
             seed=args.seed, normalize=not args.raw, title=args.title)
    print(f"wrote {args.output}", file=sys.stderr)


def _pairs(args):
    import numpy as np

    from ..errors import W2VError
    from ..illustrate import Noise, format_table, pairs_table

    noise = None
    if args.negative:
        if args.model:
            noise = Noise.from_model(_load_model(args.model), exponent=args.ns_exponent, source=args.model)
            if np.array_equal(noise.counts, np.arange(len(noise.counts), 0, -1)):
                print(f"w2v: note: {args.model} stores no word counts; its order stands in for frequency",
                      file=sys.stderr)
        elif args.corpus:
            noise = Noise.from_corpus(args.corpus, min_count=args.min_count,
                                      exponent=0.75 if args.ns_exponent is None else args.ns_exponent)
        else:
            raise W2VError("--negative needs --model or --corpus to draw the negative samples from")
    table = pairs_table(" ".join(args.sentence), window=args.window, mode=args.mode, negative=args.negative,
                        noise=noise, seed=args.seed, tokenizer=tokenizer_from(args))
    print(format_table(table))


def _step(args):
    from ..errors import W2VError
    from ..illustrate import softmax_step_tables, step_tables

    if args.softmax and (args.negative is not None or args.negatives):
        raise W2VError("--negative/--negatives do not apply with --softmax: the full softmax scores every word "
                       "of the vocabulary, it draws no negative samples")
    model = _load_model(args.model)
    if args.softmax:
        result = softmax_step_tables(model, args.input, args.output, alpha=args.alpha, top=args.top,
                                     source=args.model)
    else:
        result = step_tables(model, args.input, args.output, negative=2 if args.negative is None else args.negative,
                             negatives=args.negatives, alpha=args.alpha, seed=args.seed, source=args.model)
    print(result.to_text(dims=args.dims))
