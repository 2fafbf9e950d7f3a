"""`w2v` sub-commands that read vectors: similar, analogy, similarity, evaluate, convert, info."""
import json
import os
import sys

from ..answers import analogy_json, ranked_json, similar_json  # noqa: F401 (also used by w2v serve)
from ..formats import FORMATS
from .common import positive_int


def register(sub):
    """Add this module's sub-commands to the `w2v` parser."""
    p = sub.add_parser("similar", help="nearest neighbours of a word (or of the mean of several words)",
                       description="Nearest neighbours by cosine similarity. Several words: neighbours of their "
                                   "mean (or of each word with --each).")
    _vectors_arg(p)
    p.add_argument("words", nargs="+", metavar="WORD", help="query word(s)")
    p.add_argument("--negative", nargs="+", default=[], metavar="WORD", help="words to subtract from the query")
    p.add_argument("--each", action="store_true", help="neighbours of each word separately (one batched query)")
    _topn_args(p)
    p.set_defaults(func=_similar)

    p = sub.add_parser("analogy", help="solve 'king - man + woman' style analogies",
                       description="Words closest to a vector formula. Write it as 'king - man + woman', give "
                                   "'man king woman' (man is to king as woman is to ?), or use --positive/--negative.")
    _vectors_arg(p)
    p.add_argument("formula", nargs="*", metavar="TERM", help="e.g.  king - man + woman")
    p.add_argument("--positive", nargs="+", default=[], metavar="WORD", help="words added to the query")
    p.add_argument("--negative", nargs="+", default=[], metavar="WORD", help="words subtracted from the query")
    p.add_argument("--cosmul", action="store_true", help="rank by 3CosMul (Levy & Goldberg) instead of 3CosAdd")
    p.add_argument("--plot", metavar="PATH", help="also draw the analogy to an image file (png, svg, pdf)")
    _topn_args(p)
    p.set_defaults(func=_analogy, writes=("plot",))

    p = sub.add_parser("similarity", help="cosine similarity of two words",
                       description="Cosine similarity of two words (1 = same direction, 0 = unrelated).")
    _vectors_arg(p)
    p.add_argument("word1")
    p.add_argument("word2")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_similarity)

    p = sub.add_parser("evaluate", help="score vectors on analogy questions and word-pair similarities",
                       description="Accuracy on analogy questions (e.g. questions-words.txt) and correlation "
                                   "with human similarity judgements (e.g. wordsim353.tsv).")
    _vectors_arg(p)
    p.add_argument("--analogies", metavar="PATH|NAME", help="analogy file (': section' lines, then 'a b c d' lines) or the name google "
                        "(Google's 19,544 questions, shipped with w2v)")
    p.add_argument("--pairs", metavar="PATH|NAME", help="word-pair file ('word1<TAB>word2<TAB>score' lines) or a name: wordsim353, "
                        "simlex999 (downloaded once, checksum-verified)")
    p.add_argument("--delimiter", default="\t", help="field separator of --pairs (default: tab)")
    p.add_argument("--restrict-vocab", type=positive_int, default=300000, metavar="N",
                   help="only use the first N words (default: 300000)")
    p.add_argument("--case-sensitive", action="store_true", help="do not upper-case words before matching")
    p.add_argument("--limit", type=positive_int, metavar="N", help="load only the first N vectors")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_evaluate)

    p = sub.add_parser("convert", help="convert vectors between formats",
                       description="Read any vectors file w2v knows and write it in another format.")
    p.add_argument("source", help="input vectors or model file (format detected from its content)")
    p.add_argument("target", help="output file (written atomically)")
    p.add_argument("--to", choices=FORMATS, metavar="FORMAT",
                   help=f"output format: {', '.join(FORMATS)} (default: from the target's suffix)")
    p.add_argument("--limit", type=positive_int, metavar="N", help="convert only the first N vectors")
    p.add_argument("--unicode-errors", choices=("strict", "replace", "ignore"), default="strict",
                   help="what to do with words that are not valid UTF-8 (default: strict)")
    p.set_defaults(func=_convert, writes=("target",))

    p = sub.add_parser("info", help="describe a vectors or model file",
                       description="Format, size, dimensions and first words of a vectors or model file.")
    _vectors_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_info)

    p = sub.add_parser("verify", help="check every byte of a vectors or model file",
                       description="Read the whole file and check it: a native file's header and the checksum "
                                   "of every array (memory-mapped loads skip the checksums of arrays over "
                                   "64 MiB), any other format by parsing all of it. Exit status 0 when the file "
                                   "is sound, 2 (with one line naming the damage) when it is not.")
    p.add_argument("vectors", metavar="PATH", help="the file to check")
    p.set_defaults(func=_verify)


def _vectors_arg(p):
    p.add_argument("vectors", metavar="MODEL", help="vectors or model file (any format w2v reads)")


def _topn_args(p):
    p.add_argument("-n", "--topn", type=positive_int, default=10, metavar="N", help="how many results (default: 10)")
    p.add_argument("--restrict-vocab", type=positive_int, metavar="N", help="search only the first N words")
    p.add_argument("--limit", type=positive_int, metavar="N", help="load only the first N vectors")
    p.add_argument("--json", action="store_true", help="print JSON")


def _load(args):
    from .common import load_vectors

    return load_vectors(args.vectors, limit=getattr(args, "limit", None))


def _print_json(value):
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _print_ranked(title, results):
    print(title)
    if not results:
        print("  (no results)")
        return
    width = max(len(str(word)) for word, _ in results)
    for rank, (word, score) in enumerate(results, 1):
        print(f"{rank:>4}  {str(word):<{width}}  {score:.4f}")


def _check_query(kv, positive, negative=(), combined=True):
    """A query with no direction has no neighbours: refuse it with one line instead of ranking
    every word at 0.  (Unknown words are left to the query, whose KeyError names them.)"""
    import numpy as np

    total = None
    for word, sign in [(w, 1.0) for w in positive] + [(w, -1.0) for w in negative]:
        if isinstance(word, str) and word in kv:
            vector = np.asarray(kv[word], dtype=np.float64)
            norm = float(np.linalg.norm(vector))
            if not np.isfinite(norm):
                raise ValueError(f"the vector of {word!r} is not finite (nan or inf): it has no neighbours")
            if norm == 0.0:
                raise ValueError(f"the vector of {word!r} is all zeros: it has no neighbours")
            total = sign * vector / norm + (0.0 if total is None else total)
        else:
            return
    if combined and total is not None and float(np.linalg.norm(total)) < 1e-6:
        raise ValueError(f"the query {_formula_text(list(positive), list(negative))} is a zero vector "
                         "(its words cancel out): it has no neighbours")


def _similar(args):
    kv = _load(args)
    if args.each:
        if args.negative:
            raise ValueError("--each takes no --negative words")
        _check_query(kv, args.words, combined=False)
        batches = kv.most_similar_batch(args.words, topn=args.topn, restrict_vocab=args.restrict_vocab)
        if args.json:
            _print_json([{"query": w, "results": ranked_json(r)} for w, r in zip(args.words, batches)])
        else:
            for i, (word, results) in enumerate(zip(args.words, batches)):
                if i:
                    print()
                _print_ranked(f"{word}:", results)
        return 0
    _check_query(kv, args.words, args.negative)
    report = similar_json(kv, args.words, args.negative, topn=args.topn, restrict_vocab=args.restrict_vocab)
    if args.json:
        _print_json(report)
    else:
        _print_ranked(f"{_formula_text(args.words, args.negative)}:",
                      [(r["word"], r["similarity"]) for r in report["results"]])
    return 0


def parse_formula(terms):
    """Split 'king - man + woman' into (['king', 'woman'], ['man']).

    Three bare words 'a b c' read as 'a is to b as c is to ?', i.e. b - a + c.
    Signs may also be glued to words: 'king -man +woman'.
    """
    tokens = []
    for term in terms:
        for part in term.replace("+", " + ").split():
            if len(part) > 1 and part[0] == "-":
                tokens += ["-", part[1:]]
            else:
                tokens.append(part)
    if tokens and not any(t in "+-" for t in tokens):
        if len(tokens) == 3:
            return [tokens[1], tokens[2]], [tokens[0]]
        if len(tokens) == 1:
            return tokens, []
        raise ValueError(f"cannot read the analogy {' '.join(terms)!r}: write it like 'king - man + woman' "
                         f"or give three words 'man king woman'")
    positive, negative = [], []
    sign = "+"
    expect_word = True
    for token in tokens:
        if token in ("+", "-"):
            if expect_word:  # a leading sign, or two signs in a row: '- -' adds
                sign = "-" if (sign == "-") != (token == "-") else "+"
            else:
                sign = token
            expect_word = True
            continue
        if not expect_word:
            raise ValueError(f"cannot read the analogy {' '.join(terms)!r}: missing + or - before {token!r}")
        (positive if sign == "+" else negative).append(token)
        sign = "+"
        expect_word = False
    if expect_word and tokens:
        raise ValueError(f"cannot read the analogy {' '.join(terms)!r}: it ends with a sign")
    return positive, negative


def _formula_text(positive, negative):
    text = " + ".join(positive)
    for word in negative:
        text += f" - {word}"
    return text


def _analogy(args):
    positive, negative = parse_formula(args.formula) if args.formula else ([], [])
    positive += args.positive
    negative += args.negative
    if not positive:
        raise ValueError("an analogy needs at least one word to add, e.g.  w2v analogy MODEL king - man + woman")
    kv = _load(args)
    _check_query(kv, positive, negative, combined=not args.cosmul)
    report = analogy_json(kv, positive, negative, topn=args.topn, restrict_vocab=args.restrict_vocab,
                          cosmul=args.cosmul)
    if args.json:
        _print_json(report)
    else:
        _print_ranked(f"{_formula_text(positive, negative)}:",
                      [(r["word"], r["similarity"]) for r in report["results"]])
    if args.plot:
        try:
            from ..illustrate import plot_analogy
        except ImportError as exc:
            raise ValueError(f"cannot draw the analogy: {exc}") from None
        plot_analogy(kv, positive=positive, negative=negative, path=args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0


def _similarity(args):
    kv = _load(args)
    value = kv.similarity(args.word1, args.word2)
    if args.json:
        _print_json({"word1": args.word1, "word2": args.word2, "similarity": round(value, 6)})
    else:
        print(f"{value:.4f}")
    return 0


def _evaluate(args):
    if not args.analogies and not args.pairs:
        raise ValueError("nothing to evaluate: give --analogies PATH and/or --pairs PATH")
    from .. import datasets
    from ..evaluate import evaluate_word_analogies, evaluate_word_pairs

    analogies = args.analogies and datasets.resolve(args.analogies, "analogies")  # a name: its file
    pairs = args.pairs and datasets.resolve(args.pairs, "pairs")
    kv = _load(args)
    report = {}
    case_insensitive = not args.case_sensitive
    if args.analogies:
        result = evaluate_word_analogies(kv, analogies, restrict_vocab=args.restrict_vocab,
                                         case_insensitive=case_insensitive)
        report["analogies"] = {
            "file": args.analogies,
            "sections": [{"section": name, "correct": correct, "questions": asked, "accuracy": round(acc, 6)}
                         for name, correct, asked, acc in result.table()],
            "accuracy": round(result.score, 6),
            "oov_percent": round(result.oov_ratio, 4),
        }
    if args.pairs:
        pearson, spearman, oov_ratio = evaluate_word_pairs(kv, pairs, delimiter=args.delimiter,
                                                           restrict_vocab=args.restrict_vocab,
                                                           case_insensitive=case_insensitive)
        report["pairs"] = {"file": args.pairs, "pearson": round(float(pearson[0]), 6),
                           "pearson_p": float(pearson[1]), "spearman": round(float(spearman[0]), 6),
                           "spearman_p": float(spearman[1]), "oov_percent": round(oov_ratio, 4)}
    if args.json:
        _print_json(report)
        return 0
    if "analogies" in report:
        a = report["analogies"]
        print(f"analogies: {a['file']}")
        width = max(len(s["section"]) for s in a["sections"])
        print(f"  {'section':<{width}}  {'correct':>7}  {'asked':>6}  {'accuracy':>8}")
        for s in a["sections"]:
            if s["section"] == "Total accuracy":
                print(f"  {'-' * width}  {'-' * 7}  {'-' * 6}  {'-' * 8}")
            print(f"  {s['section']:<{width}}  {s['correct']:>7}  {s['questions']:>6}  {100 * s['accuracy']:>7.1f}%")
        print(f"  questions skipped (out of vocabulary): {a['oov_percent']:.1f}%")
    if "pairs" in report:
        p = report["pairs"]
        if "analogies" in report:
            print()
        print(f"word pairs: {p['file']}")
        print(f"  Pearson   {p['pearson']:.4f}  (p = {p['pearson_p']:.2g})")
        print(f"  Spearman  {p['spearman']:.4f}  (p = {p['spearman_p']:.2g})")
        print(f"  pairs skipped (out of vocabulary): {p['oov_percent']:.1f}%")
    return 0


def _convert(args):
    from ..formats import _SUFFIXES, detect_format, load, save

    from ..download import resolve_model

    args.source = resolve_model(args.source)
    source_format = detect_format(args.source)
    kv = load(args.source, limit=args.limit, unicode_errors=args.unicode_errors)
    save(kv, args.target, args.to)
    target_format = args.to or _SUFFIXES[os.path.splitext(args.target)[1].lower()]   # save() checked it
    print(f"wrote {len(kv)} vectors x {kv.vector_size} dimensions from {source_format} to {args.target} "
          f"({target_format})")
    return 0


def _info(args):
    from .. import store
    from ..formats import detect_format
    from .common import load_vectors

    from ..download import resolve_model

    args.vectors = resolve_model(args.vectors)
    fmt = detect_format(args.vectors)
    info = {"file": args.vectors, "format": fmt, "bytes": os.path.getsize(args.vectors)}
    if fmt == "gensim":   # a gensim save() file: which class and layout, its side files
        from ..gensim_io import describe

        info.update(describe(args.vectors))
    if fmt == "native":
        kind, meta, _ = store.load(args.vectors, mmap="r")
        info["kind"] = kind
        if meta:
            info["meta"] = meta
    kv = load_vectors(args.vectors)
    info.update(keys=len(kv), vector_size=kv.vector_size, dtype=str(kv.vectors.dtype))
    if len(kv):
        norms = kv.norms
        info["norms"] = {"min": round(float(norms.min()), 4), "mean": round(float(norms.mean()), 4),
                         "max": round(float(norms.max()), 4)}
        info["first_keys"] = [str(k) for k in kv.index_to_key[:10]]
        counts = kv.counts
        if fmt == "native" and len(counts) and counts.any():
            info["total_count"] = int(counts.sum())
    if args.json:
        _print_json(info)
        return 0
    rows = []
    for key, value in info.items():
        if key == "meta":  # a model's parameters and training record: one aligned row each
            rows += _meta_rows(value)
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = " ".join(value)
        rows.append((key, value))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


def _meta_rows(meta, prefix=""):
    """(name, value) rows of a native file's metadata, nested dicts flattened as ``params.window``."""
    rows = []
    for key, value in meta.items():
        if isinstance(value, dict):
            rows += _meta_rows(value, f"{prefix}{key}.")
        else:
            if isinstance(value, float):
                value = f"{value:.6g}"
            rows.append((f"{prefix}{key}", "-" if value is None else value))
    return rows


def _verify(args):
    from .. import store
    from ..formats import detect_format, load

    path = args.vectors
    if not os.path.isfile(path):
        from ..errors import FormatError

        raise FormatError(f"{path}: no such file")
    fmt = detect_format(path)
    if fmt == "native":
        info = store.verify(path)
        checked = "header and all array checksums" if info["checksums"] else \
            "header and extents (a version 1 file has no checksums)"
        print(f"{path}: ok: native {info['kind']} file, version {info['version']}, {info['arrays']} arrays, "
              f"{info['bytes']:,} bytes; checked the {checked}")
    else:
        kv = load(path)
        print(f"{path}: ok: {fmt}, {len(kv)} vectors x {kv.vector_size} dimensions, all of it parsed")
    return 0
