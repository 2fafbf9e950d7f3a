"""`w2v items train|similar|recommend|evaluate`: item embeddings from interaction logs."""
import argparse
import json
import sys

from .common import add_param_options, param_values, positive_int


def register(sub):
    """Add `w2v items` and its sub-commands to the `w2v` parser."""
    parser = sub.add_parser(
        "items", help="item embeddings from sessions (item2vec): train, similar, recommend, evaluate",
        description="Item embeddings from interaction logs or sessions, recommendations, and an honest "
                    "leave-last-out evaluation against most-popular and co-occurrence baselines.")
    commands = parser.add_subparsers(dest="items_command", metavar="COMMAND")
    commands.required = True

    train = commands.add_parser("train", help="train item vectors on a log or on sessions",
                                description="Train item vectors on a CSV/TSV/Parquet log (with --item) or on a "
                                            "text file with one session per line.")
    _add_input(train)
    _add_training(train)
    train.add_argument("-o", "--output", required=True, help="model file to write (native w2v file)")
    train.set_defaults(func=_train, writes=("output",))

    similar = commands.add_parser("similar", help="items closest to an item",
                                  description="Items whose vectors are closest (cosine) to ITEM.")
    similar.add_argument("model", help="a model written by `w2v items train`")
    similar.add_argument("item", metavar="ITEM", help="an item id")
    similar.add_argument("-n", "--topn", type=positive_int, default=10, help="how many items (default 10)")
    _add_names(similar)
    similar.set_defaults(func=_similar)

    recommend = commands.add_parser(
        "recommend", help="recommend items for a history",
        description="Rank items for someone whose history is --history (oldest first): cosine to the "
                    "recency-weighted history plus a popularity prior, with the model's tuned weights.")
    recommend.add_argument("model", help="a model written by `w2v items train`")
    recommend.add_argument("--history", nargs="+", required=True, metavar="ITEM", help="item ids, oldest first")
    recommend.add_argument("-n", "--topn", type=positive_int, default=10, help="how many items (default 10)")
    recommend.add_argument("--exclude-seen", action=argparse.BooleanOptionalAction, default=True,
                           help="leave out items of the history (default: yes)")
    recommend.add_argument("--decay", type=float, default=None,
                           help="weight of the i-th most recent item is DECAY**i (default: the model's tuned value)")
    recommend.add_argument("--popularity-weight", type=float, default=None,
                           help="weight of the log-popularity prior (default: the model's tuned value)")
    recommend.add_argument("--strict", action="store_true",
                           help="fail on history items the model does not know (default: skip them and say how many)")
    _add_names(recommend)
    recommend.set_defaults(func=_recommend)

    evaluate = commands.add_parser(
        "evaluate", help="leave-last-out evaluation against most-popular and co-occurrence",
        description="Hold out each user's last event, train on the rest (tuning on the training events "
                    "only), and report hit rate, MRR, NDCG and coverage at k for item2vec and two baselines.")
    _add_input(evaluate)
    _add_training(evaluate)
    evaluate.add_argument("--k", type=positive_int, default=10, help="cut-off of the metrics (default 10)")
    evaluate.add_argument("--exclude-seen", action=argparse.BooleanOptionalAction, default=True,
                          help="never recommend items already in the history (default: yes)")
    evaluate.add_argument("--cooccurrence-window", default=None, metavar="N|session", type=_window,
                          help="window of the co-occurrence baseline (default: the model's --window)")
    evaluate.add_argument("--json", action="store_true", help="print the results as JSON")
    evaluate.set_defaults(func=_evaluate)


def _add_input(parser):
    parser.add_argument("input", help="events (.csv, .tsv, optionally .gz/.bz2/.xz; .parquet) or a text file "
                                      "with one session per line, item ids separated by spaces")
    group = parser.add_argument_group("reading a log")
    group.add_argument("--item", help="item id column (required for tables)")
    group.add_argument("--user", help="user id column (default: the whole log is one user)")
    group.add_argument("--time", help="time column: numbers (see --time-unit) or dates "
                                      "(default: the file order)")
    group.add_argument("--time-unit", default="s", help="unit of numeric times: s, ms, us, ns, m, h, D (default s)")
    group.add_argument("--sep", default=None, help="field separator (default: from the extension, ',' or tab)")
    group.add_argument("--session-gap", default=None, metavar="DURATION",
                       help="start a new session after this much inactivity, e.g. 30min, 2h, 1800 (seconds); "
                            "default: one sequence per user")
    group.add_argument("--keep-repeats", action="store_true",
                       help="keep an item repeated right after itself (default: drop the repeat)")
    group.add_argument("--skip-bad-rows", action="store_true",
                       help="skip rows with empty ids or unparsable times (and report how many) instead of failing")


def _add_training(parser):
    from ..items.model import TRAIN_DEFAULTS

    add_param_options(parser, TRAIN_DEFAULTS, defaults=TRAIN_DEFAULTS, types={"window": _window},
                      metavars={"window": "N|session"},
                      helps={"window": "context items on each side, or 'session' for the whole session",
                             "epochs": "passes over the data (default: 5–50 by the log's size, see the docs)",
                             "workers": "training threads (default: the engine's)",
                             "min_count": "drop items seen fewer times"})
    group = parser.add_argument_group("tuning the recommendation weights")
    group.add_argument("--no-tune", action="store_true",
                       help="keep the built-in recommendation weights instead of tuning them on a validation "
                            "split of the training events")
    group.add_argument("--tune-users", type=int, default=2000, metavar="N",
                       help="validation users for tuning (default 2000)")
    group.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def _window(text):
    if text == "session":
        return text
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'session', got {text!r}")
    return value


def _add_names(parser):
    group = parser.add_argument_group("showing names")
    group.add_argument("--names", help="a side table (CSV/TSV/Parquet) mapping item ids to names")
    group.add_argument("--name-col", default="name", help="column with the names (default 'name')")
    group.add_argument("--id-col", default=None, help="column with the item ids (default: the first column)")
    group.add_argument("--names-sep", default=None, help="field separator of the names table")


def _training_options(args):
    from ..items.model import TRAIN_DEFAULTS

    return {**param_values(args, TRAIN_DEFAULTS),
            "tune": not args.no_tune, "tune_users": args.tune_users, "progress": False if args.quiet else None}


def _reading_options(args):
    return {"item": args.item, "user": args.user, "time": args.time, "session_gap": args.session_gap,
            "drop_repeats": not args.keep_repeats, "sep": args.sep, "time_unit": args.time_unit,
            "skip_bad_rows": args.skip_bad_rows}


def _report_skipped(report):
    if report is not None and report.skipped:
        reasons = "; ".join(f"{n} with {why}" for why, n in report.reasons.items())
        print(f"skipped {report.skipped:,} of {report.rows:,} rows ({reasons})", file=sys.stderr)


def _describe_tuning(tuning):
    if not tuning:
        return "recommendation weights: built-in (tuning off)"
    if "skipped" in tuning:
        return f"recommendation weights: built-in (tuning skipped: {tuning['skipped']})"
    return (f"recommendation weights tuned on {tuning['users']:,} validation users (each one's last training "
            f"event): decay={tuning['decay']}, popularity_weight={tuning['popularity_weight']} "
            f"({tuning['metric']} {tuning['score']:.4f}; most-popular {tuning['most_popular_score']:.4f})")


def _train(args):
    from ..items import logs
    from ..items.model import ItemModel

    table, report = logs.load_table(args.input, **_reading_options(args))
    _report_skipped(report)
    model = ItemModel.from_table(table, **_training_options(args))
    model.save(args.output)
    users = table["user"].nunique()
    sessions = table["session"].nunique()
    print(f"{len(table):,} events, {users:,} users, {sessions:,} sessions; {len(model):,} items with "
          f"≥{model.config['min_count']} occurrences; {model.config['epochs_used']} epochs, "
          f"window {model.config['window']}, {model.wv.vector_size} dimensions")
    print(_describe_tuning(model.tuning))
    print(f"saved {args.output}")


def _names(args):
    if not args.names:
        return None
    from ..items import logs

    return logs.read_names(args.names, name_col=args.name_col, id_col=args.id_col, sep=args.names_sep)


def _print_ranked(pairs, names, score_label):
    rows = [[str(rank), item, f"{score:.4f}"] + ([names.get(item, "")] if names is not None else [])
            for rank, (item, score) in enumerate(pairs, 1)]
    head = ["rank", "item", score_label] + (["name"] if names is not None else [])
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    for row in [head] + rows:
        cells = [c.rjust(w) if i in (0, 2) else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        print("  ".join(cells).rstrip())


def _similar(args):
    from ..items.model import ItemModel

    model = ItemModel.load(args.model)
    names = _names(args)
    pairs = model.similar(args.item, topn=args.topn)
    if names is not None and args.item in names:
        print(f"closest to {args.item}: {names[args.item]}")
    _print_ranked(pairs, names, "cosine")


def _recommend(args):
    from ..items.model import ItemModel

    model = ItemModel.load(args.model)
    names = _names(args)
    pairs = model.recommend(args.history, topn=args.topn, exclude_seen=args.exclude_seen, decay=args.decay,
                            popularity_weight=args.popularity_weight, strict=args.strict)
    if pairs.skipped:
        shown = ", ".join(pairs.skipped[:5]) + (" …" if len(pairs.skipped) > 5 else "")
        fallback = "; none of the history is known: most popular items" if pairs.popularity_fallback else ""
        print(f"w2v: skipped {len(pairs.skipped)} of {len(args.history)} history items not in the model "
              f"({shown}){fallback}", file=sys.stderr)
    _print_ranked(pairs, names, "score")


def _evaluate(args):
    from ..items.evaluate import leave_last_out

    result = leave_last_out(args.input, k=args.k, exclude_seen=args.exclude_seen,
                            cooccurrence_window=args.cooccurrence_window,
                            **_reading_options(args), **_training_options(args))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return
    _report_skipped(result.model.log_report)
    c = result.counts
    print(f"leave-last-out: {c['test_users']:,} test users, {c['training_events']:,} training events, "
          f"{c['candidate_items']:,} candidate items; {c['unknown_targets']:,} held-out items unknown to "
          f"training (counted as misses)")
    print(_describe_tuning(result.model.tuning))
    print()
    print(result.table())
