"""`w2v train` and `w2v demo`."""
import contextlib
import os
import sys
from importlib import resources

from .. import params
from ..formats import FORMATS
from .common import add_param_options, param_values
from .text import add_phrase_options, add_tokenizer_options, phrase_params, tokenizer_from

DEMO_CORPUS = "public-domain-speeches.txt.gz"
DEMO_WORDS = ("freedom", "god", "economy", "war", "america")
#: every parameter of w2v.params that `w2v train` offers (callbacks and the progress bar are Python's)
TRAIN_PARAMS = tuple(p.name for p in params.PARAMS if p.group is not None)
#: where `w2v train` differs from the Python default, and why
CLI_DEFAULTS = {"workers": max(1, min(os.cpu_count() or 1, 8))}   # a command uses the machine's cores


def register(sub):
    p = sub.add_parser(
        "train", help="learn word vectors from a text corpus",
        description="Learn word vectors from text: one sentence per line, tokens separated by white space. "
                    "CORPUS is a file (plain, .gz, .bz2, .xz), a folder of such files, or - for stdin.",
    )
    p.add_argument("corpus", metavar="CORPUS", help="text: a file (plain, .gz, .bz2, .xz), a folder of such files, or - for stdin")
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="where to save the model")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="native: the full model, can be trained further; the others write only the vectors, "
                        "for word2vec.c, gensim, GloVe or fastText tools (default: from the suffix of --output "
                        "as for convert: .bin, .txt, .vec, .w2v; native for any other name)")
    groups = add_param_options(p, TRAIN_PARAMS, defaults=CLI_DEFAULTS,
                               helps={"workers": "training threads (default: the number of cores, %(default)s)"})
    groups["model"].add_argument("--cbow", dest="sg", action="store_const", const=0, default=params.DEFAULTS["sg"],
                                 help="CBOW: the neighbours together predict the word (sets sg=0, the default)")
    g = groups["training"]
    g.add_argument("--checkpoint-every", type=int, default=None, metavar="N",
                   help="save the full model to --output.checkpoint after every N epochs (atomically)")
    g.add_argument("--resume", metavar="PATH", default=None,
                   help="continue the run a checkpoint was saved in, on the same CORPUS: the remaining epochs, "
                        "with the learning rates the whole run would have had (training options come from it)")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    groups["cluster"].add_argument(
        "--dask", metavar="CLUSTER", default=None,
        help="train on a Dask cluster (pip install 'w2v[dask]'): local:N starts N worker processes on this machine, "
             "tcp://HOST:PORT joins a running scheduler; the workers read CORPUS themselves, so it must be a path "
             "(or fsspec URL) they can all read")
    add_tokenizer_options(p)
    g = p.add_argument_group("phrases")
    g.add_argument("--phrases", type=int, default=0, metavar="N",
                   help="join frequent word pairs first (new_york), N passes (2: also trigrams); default 0")
    add_phrase_options(g, prefix="phrases-")
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


def output_format(path, fmt=None):
    """``fmt``, or the format named by the suffix of ``path`` as `w2v convert` reads it (native otherwise)."""
    from ..formats import _SUFFIXES

    return fmt or _SUFFIXES.get(os.path.splitext(os.fspath(path))[1].lower(), "native")


def _vocabulary_line(model):
    return (f"vocabulary {len(model.wv):,} words; {model.corpus_total_words or 0:,} words in "
            f"{model.corpus_count:,} sentences")


def _summary(model, out=None):
    out = out or sys.stdout
    t = model.last_training
    compiled = t.get("compile_seconds", 0.0)
    note = f" (and {compiled:.1f} s compiling the kernels: first run only)" if compiled >= 0.5 else ""
    print(f"trained {t['epochs']} epochs in {t['seconds']:.1f} s: {t['words_per_second']:,.0f} words/s{note}", file=out)
    for i, loss in enumerate(t["epoch_losses"] if model.compute_loss else (), 1):
        print(f"epoch {i} loss {loss:.6g}", file=out)


def checkpoint_path(output):
    return os.fspath(output) + ".checkpoint"


def run_train(args):
    from ..model import Word2Vec
    from ..train.dask import connect

    fmt = output_format(args.output, args.format)
    progress = False if args.quiet else None
    checkpoint = checkpoint_path(args.output) if args.checkpoint_every else None
    cluster = contextlib.ExitStack()
    try:
        client = cluster.enter_context(connect(args.dask)) if args.dask else None
        if args.resume:
            model = Word2Vec.load(args.resume)
            model.workers, model.progress, model.client = args.workers, progress, client
        else:
            phrases = {"passes": args.phrases, **phrase_params(args, "phrases_")} if args.phrases else 0
            if phrases:
                phrases["connector_words"] = sorted(phrases["connector_words"])   # saved with the model, as JSON
            model = Word2Vec(**param_values(args, TRAIN_PARAMS), progress=progress,
                             tokenizer=tokenizer_from(args).to_dict(), phrases=phrases, client=client)
            model.build_vocab(corpus_file=args.corpus)
        print(_vocabulary_line(model), flush=True)
        run = model.resume if args.resume else model.train
        run(corpus_file=args.corpus, checkpoint_every=args.checkpoint_every, checkpoint_path=checkpoint)
        _save(model, args.output, fmt)   # atomic: interrupted, it leaves no file and an old one intact
    except KeyboardInterrupt:
        print(f"w2v: interrupted: nothing saved to {args.output}; " + _checkpoint_note(checkpoint, args),
              file=sys.stderr)
        return 130
    finally:
        cluster.close()
    if checkpoint and os.path.exists(checkpoint):
        os.remove(checkpoint)   # the finished model supersedes it
    _summary(model)
    shared = model.last_training.get("cluster")
    if shared:
        print(f"on {shared['shards']} workers: {shared['rounds']:,} synchronisations, "
              f"{shared['bytes_up'] / 1e6:,.1f} MB of changes sent to the driver, "
              f"{shared['bytes_down'] / 1e6:,.1f} MB of merged changes sent back")
    print(f"saved {fmt} to {args.output}")


def _checkpoint_note(checkpoint, args):
    if checkpoint and os.path.exists(checkpoint):
        return (f"the last checkpoint is {checkpoint}; continue with: "
                f"w2v train {args.corpus} -o {args.output} --resume {checkpoint}")
    if args.resume:
        return f"{args.resume} is unchanged: the same command starts from it again"
    if checkpoint:
        return "no checkpoint was reached yet"
    return "no checkpoints were asked for (--checkpoint-every N saves the model every N epochs)"


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
    print(_vocabulary_line(model), file=sys.stderr)
    _summary(model, sys.stderr)
    print()
    for word in args.words:
        if word not in model.wv:
            print(f"{word}: not in the vocabulary")
            continue
        neighbours = model.wv.most_similar(word, topn=8)
        print(f"{word:>10}: " + ", ".join(f"{w} ({s:.2f})" for w, s in neighbours))
    from ..phrases import Phrases
    found = Phrases(min_count=5, threshold=10.0).add_vocab(corpus_file=corpus).export_phrases()
    print(f"{'phrases':>10}: " + ", ".join(sorted(found, key=found.get, reverse=True)[:6]) + "  (w2v phrases)")
    model.save(args.output)
    print(f"\nsaved the model to {args.output}; try:  w2v similar {args.output} liberty")
