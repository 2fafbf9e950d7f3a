"""`w2v lm`: train and use the neural language model (train, predict, generate, perplexity, evaluate, demo)."""
import argparse
import json
import sys
import warnings


def register(sub):
    p = sub.add_parser("lm", help="neural language model: predict the next word (Bengio et al. 2003)",
                       description="Train and use a neural language model: the CONTEXT previous words predict "
                                   "the next one, as in the first model of The Illustrated Word2vec.")
    lm_sub = p.add_subparsers(dest="lm_command", metavar="COMMAND")
    lm_sub.required = True

    t = lm_sub.add_parser("train", help="train a language model on a text corpus")
    t.add_argument("corpus", help="a text file (plain, .gz, .bz2, .xz), a folder, or - for stdin")
    t.add_argument("-o", "--output", required=True, metavar="PATH", help="where to save the model")
    _training_options(t)
    t.set_defaults(func=_train, writes=("output",))

    q = lm_sub.add_parser("predict", help="the likeliest next words after a prompt, with probabilities")
    q.add_argument("model", help="a language model file (w2v lm train, or a mixture from w2v lm evaluate -o)")
    q.add_argument("prompt", nargs="+", help="the previous words")
    q.add_argument("-n", "--topn", type=int, default=5, help="how many words (default 5)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=_predict)

    g = lm_sub.add_parser("generate", help="continue a prompt by sampling from the model")
    g.add_argument("model")
    g.add_argument("prompt", nargs="+")
    g.add_argument("--words", type=int, default=20, help="words to generate (default 20)")
    g.add_argument("--temperature", type=float, default=0.8, help="softmax temperature (default 0.8)")
    g.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    g.set_defaults(func=_generate)

    e = lm_sub.add_parser("perplexity", help="perplexity on held-out text")
    e.add_argument("model")
    e.add_argument("text", help="test text, one sentence per line")
    e.add_argument("--json", action="store_true", help='print {"perplexity": ..., "tokens": ...}')
    e.set_defaults(func=_perplexity)

    v = lm_sub.add_parser("evaluate", help="the paper's table: Kneser-Ney baseline vs neural vs their mixture",
                          description="Train a Kneser-Ney n-gram model, the neural model and their mixture on one "
                                      "split of CORPUS and print their test perplexities and training times. "
                                      "Without --test, a seeded 10%% of the sentences is the test set; a further 5%% "
                                      "of the rest chooses the neural model's early stopping and the mixture weight.")
    v.add_argument("corpus", help="a text file (plain, .gz, .bz2, .xz), a folder, or - for stdin")
    v.add_argument("--test", metavar="PATH", help="test text (default: a seeded 10%% of the corpus's sentences)")
    v.add_argument("--order", type=int, help="n-gram order (default: context + 1)")
    v.add_argument("--json", action="store_true", help="print the table as JSON")
    v.add_argument("-o", "--output", metavar="PATH",
                   help="save the mixture (both models and the weight) here; the lm commands use it as a model")
    _training_options(v)
    v.set_defaults(func=_evaluate, writes=("output",))

    d = lm_sub.add_parser("demo", help="train on the built-in corpus and predict 'thou shalt ...'")
    d.add_argument("-o", "--output", default="w2v-lm-demo.w2v", metavar="PATH", help="where to save the model")
    d.add_argument("--seconds", type=float, default=60, help="training time budget (default 60)")
    d.add_argument("--prompt", default="thou shalt", help="prompt to predict from (default: thou shalt)")
    d.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    d.set_defaults(func=_demo, writes=("output",))


_TRAINING = ("context", "vector_size", "hidden", "epochs", "min_count", "max_final_vocab", "objective", "samples",
             "shortlist", "exact_epochs", "batch_size", "optimizer", "alpha", "min_alpha", "patience", "schedule",
             "dropout", "weight_decay", "average", "direct", "tied", "max_time", "max_validation_tokens", "workers",
             "seed")


def _training_options(t):
    # defaults stay the model's own (w2v.lm.model.DEFAULTS): an option left out is not passed on
    t.add_argument("--context", type=int, help="previous words used (default 2)")
    t.add_argument("--vector-size", type=int, help="embedding size (default 60)")
    t.add_argument("--hidden", type=int, help="hidden units (default 100)")
    t.add_argument("--direct", action=argparse.BooleanOptionalAction,
                   help="direct connections embeddings -> output (default: off)")
    t.add_argument("--epochs", type=int, help="passes over the corpus (default 10)")
    t.add_argument("--min-count", type=int, help="rarer words become <unk> (default 5)")
    t.add_argument("--max-final-vocab", type=int, help="keep at most this many words")
    t.add_argument("--objective", choices=("auto", "softmax", "sampled", "nce"),
                   help="training objective (default auto: exact softmax for small vocabularies)")
    t.add_argument("--samples", type=int, help="classes sampled per batch (sampled/nce; default 256)")
    t.add_argument("--shortlist", type=int,
                   help="the sampled softmax also scores the N most frequent classes exactly in every batch, "
                        "drawing --samples from the rest (default 0)")
    t.add_argument("--exact-epochs", type=float,
                   help="the last epochs, on the exact softmax after sampled/nce ones; a fraction cuts the last "
                        "one short; they also follow a sampled phase that stopped early, and --max-time ends the "
                        "sampled phase in time for them (default 0)")
    t.add_argument("--batch-size", type=int)
    t.add_argument("--optimizer", choices=("adam", "sgd"), help="adam (default) or plain gradient descent")
    t.add_argument("--alpha", type=float, help="starting learning rate (default: the optimizer's, 0.01 for adam, 4 for sgd)")
    t.add_argument("--min-alpha", type=float, help="the linear schedule's last rate, halving's floor (default alpha/100)")
    t.add_argument("--patience", type=int, help="epochs without a better validation perplexity before training stops "
                                                "(default 2)")
    t.add_argument("--dropout", type=float, help="dropout rate of the embeddings and hidden units while training (default 0.3)")
    t.add_argument("--schedule", choices=("linear", "halving"),
                   help="learning rate: linear fall over the epochs (default), or halving after a validation plateau")
    t.add_argument("--weight-decay", type=float, help="decoupled weight decay of the weights (default 0)")
    t.add_argument("--average", type=float,
                   help="judge and keep a running average of the parameters over about X epochs (default 0: off)")
    t.add_argument("--tied", action=argparse.BooleanOptionalAction,
                   help="score each word against its own input embedding, through a projection (default: off)")
    t.add_argument("--max-time", type=float, help="stop training after this many seconds")
    t.add_argument("--max-validation-tokens", type=int,
                   help="score at most this many held-out tokens after each epoch (default 50000; each costs "
                        "an exact softmax over the vocabulary)")
    t.add_argument("--workers", type=int, help="training threads (default: one per core; 1 with --seed repeats)")
    t.add_argument("--seed", type=int)
    t.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _load(path):
    from ..lm import load

    return load(path)   # a neural model, an n-gram model or a mixture


def _summary(lm):
    t = lm.last_training
    val = t.get("validation_perplexity")
    epochs = f"{t['epochs']} epoch{'' if t['epochs'] == 1 else 's'}"
    print(f"vocabulary {len(lm.vocab.words):,} words; {epochs} ({t['objective']}, stopped by {t['stopped']}) in "
          f"{t['seconds']:.1f} s, {t['samples_per_second']:,.0f} samples/s"
          + (f"; validation perplexity {val:.1f}" if val else ""), file=sys.stderr)


def _train(args):
    from ..lm import LanguageModel

    given = {name: getattr(args, name) for name in _TRAINING if getattr(args, name) is not None}
    lm = LanguageModel(corpus_file=args.corpus, progress=False if args.quiet else None,
                       **given)
    lm.save(args.output)
    _summary(lm)
    print(f"saved the language model to {args.output}", file=sys.stderr)


def _predict_table(lm, prompt, topn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = lm.predict(prompt, topn=topn)
    for w in caught:
        print(f"w2v: note: {w.message}", file=sys.stderr)
    return rows


def _predict(args):
    lm = _load(args.model)
    rows = _predict_table(lm, " ".join(args.prompt), args.topn)
    if args.json:
        print(json.dumps([{"word": w, "probability": p} for w, p in rows]))
        return
    _print_rows(" ".join(args.prompt), rows)


def _print_rows(prompt, rows):
    width = max([len("next word")] + [len(w) for w, _ in rows])
    print(f"{prompt} ...")
    print(f"{'next word'.ljust(width)}  probability")
    print(f"{'-' * width}  -----------")
    for w, p in rows:
        print(f"{w.ljust(width)}  {p:11.4f}")


def _generate(args):
    lm = _load(args.model)
    out = lm.generate(" ".join(args.prompt), words=args.words, temperature=args.temperature, seed=args.seed)
    print(" ".join(args.prompt + out))


def _perplexity(args):
    lm = _load(args.model)
    logp = lm.log_probabilities(args.text)
    from ..lm.data import perplexity_of

    ppl = perplexity_of(logp)
    if args.json:
        print(json.dumps({"perplexity": ppl, "tokens": int(len(logp))}))
    else:
        print(f"perplexity {ppl:.2f} over {len(logp):,} tokens (words and sentence ends)")


def _evaluate(args):
    from ..lm.data import LMError
    from ..lm.mixture import evaluate

    if args.order is not None and args.order < 1:
        raise LMError(f"--order must be >= 1, got {args.order}")
    given = {name: getattr(args, name) for name in _TRAINING if getattr(args, name) is not None}
    seed = given.get("seed", 1)
    result = evaluate(args.corpus, args.test, order=args.order, seed=seed, neural=given,
                      progress=False if args.quiet else None)
    rows = result["rows"]
    if args.output:
        result["models"]["mixture"].save(args.output)
        print(f"saved the mixture to {args.output}; try:  w2v lm predict {args.output} \"thou shalt\"",
              file=sys.stderr)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "models"}))
        return
    print(f"vocabulary {result['vocabulary']:,} words; train {result['train_tokens']:,}, validation "
          f"{result['validation_tokens']:,}, test {result['test_tokens']:,} tokens")
    width = max(len(r["model"]) for r in rows)
    print(f"{'model'.ljust(width)}  test perplexity  vs n-gram  training s")
    print(f"{'-' * width}  ---------------  ---------  ----------")
    for r in rows:
        print(f"{r['model'].ljust(width)}  {r['perplexity']:15.2f}  {100 * r['vs_ngram']:+8.1f}%  "
              f"{r['training_seconds']:10.1f}")


def _demo(args):
    from ..lm import LanguageModel
    from .train import demo_corpus_path

    lm = LanguageModel(context=2, min_count=3, max_time=args.seconds, seed=1, progress=False if args.quiet else None)
    print(f"training a neural language model (context {lm.context}, {lm.vector_size}-dim embeddings, {lm.hidden} "
          f"hidden units) on the built-in corpus for at most {args.seconds:g} s", file=sys.stderr)
    lm.train(demo_corpus_path())
    _summary(lm)
    _print_rows(args.prompt, _predict_table(lm, args.prompt, 5))
    lm.save(args.output)
    print(f"\nsaved the model to {args.output}; try:  w2v lm predict {args.output} \"thou shalt\"", file=sys.stderr)
