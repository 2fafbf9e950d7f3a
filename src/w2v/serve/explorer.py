"""The explorer's answers: one method per API endpoint, parameters validated, no web framework.

Every method takes the request's query parameters as ``(name, value)`` pairs and returns a
JSON-ready dict, or raises :class:`ApiError` (status 4xx, a message, extra fields).  Query
results come from the same functions as the CLI (``similar_json``, ``analogy_json``,
``pairs_table``, ``step_tables``), so the API and `w2v … --json` cannot drift apart.
"""
import bisect
import json
import threading
import time
import warnings

import numpy as np

from ..errors import W2VError
from ..illustrate import colors

MAX_N = 1000             # results per query
MAX_WORDS = 50           # words in one query (rows, doesnt_match, analogy terms)
MAX_WORD_CHARS = 200
MAX_SENTENCE_CHARS = 500
MAX_SENTENCE_WORDS = 40
MAX_WINDOW = 10
MAX_NEGATIVE = 20
MAX_HISTORY = 100
MAP_DEFAULT = 5000
MAP_MAX = 50_000
AGREE_MIN = 0.5          # |value| every row must reach for a dimension to count as "agreeing"


class ApiError(Exception):
    """A request the explorer cannot answer: HTTP ``status``, a message, optional extra JSON fields."""

    def __init__(self, status, message, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def to_json(self):
        return {"error": self.message, **self.extra}


class Params:
    """Query parameters (repeatable names), read and checked one by one."""

    def __init__(self, pairs, allowed):
        self.values = {}
        for name, value in pairs:
            self.values.setdefault(name, []).append(value)
        unknown = sorted(set(self.values) - set(allowed) - {"token"})
        if unknown:
            raise ApiError(400, f"unknown parameter {unknown[0]!r}; this endpoint takes: "
                                f"{', '.join(sorted(allowed)) or 'no parameters'}")

    def one(self, name, default=None, required=False):
        values = self.values.get(name, [])
        if len(values) > 1:
            raise ApiError(400, f"parameter {name!r} given {len(values)} times; give it once")
        if not values or values[0] == "":
            if required:
                raise ApiError(400, f"missing parameter {name!r}")
            return default
        return values[0]

    def integer(self, name, default, lo, hi):
        text = self.one(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise ApiError(400, f"parameter {name!r} must be a whole number, got {text!r}") from None
        if not lo <= value <= hi:
            raise ApiError(400, f"parameter {name!r} must be between {lo} and {hi}, got {value}")
        return value

    def number(self, name, default, lo, hi):
        text = self.one(name)
        if text is None:
            return default
        try:
            value = float(text)
        except ValueError:
            raise ApiError(400, f"parameter {name!r} must be a number, got {text!r}") from None
        if not (np.isfinite(value) and lo < value <= hi):
            raise ApiError(400, f"parameter {name!r} must be above {lo} and at most {hi}, got {text}")
        return value

    def flag(self, name, default):
        text = self.one(name)
        if text is None:
            return default
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ApiError(400, f"parameter {name!r} must be 1 or 0, got {text!r}")

    def choice(self, name, default, choices):
        text = self.one(name, default)
        if text not in choices:
            raise ApiError(400, f"parameter {name!r} must be one of {', '.join(choices)}, got {text!r}")
        return text

    def words(self, name, lo=0, hi=MAX_WORDS):
        values = [v for v in self.values.get(name, []) if v != ""]
        if len(values) < lo:
            raise ApiError(400, f"parameter {name!r} needs at least {lo} word{'s' if lo > 1 else ''}, "
                                f"got {len(values)}")
        if len(values) > hi:
            raise ApiError(400, f"parameter {name!r} takes at most {hi} words, got {len(values)}")
        for v in values:
            if len(v) > MAX_WORD_CHARS:
                raise ApiError(400, f"a word of parameter {name!r} is {len(v)} characters long "
                                    f"(at most {MAX_WORD_CHARS})")
        return values


def _hex(rgb255):
    return "#%02x%02x%02x" % tuple(int(c) for c in rgb255)


def _colours(matrix):
    """Cell colours of the article's scale, from the same function as `w2v show` (illustrate.colors)."""
    return [[_hex(c) for c in row] for row in colors.to_rgb255(matrix)]


def _rounded(matrix, digits=5):
    return np.round(np.asarray(matrix, dtype=np.float64), digits).tolist()


def encode(report):
    """The JSON bytes of an answer (a map's are made once and kept, see :class:`Encoded`)."""
    body = getattr(report, "body", None)
    if body is None:
        try:
            body = json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except UnicodeEncodeError:       # a lone surrogate (not from HTTP, which decodes UTF-8): escape it
            body = json.dumps(report, separators=(",", ":")).encode("ascii")
    return body


class Encoded(dict):
    """An answer that is sent many times (a finished map): its JSON is encoded once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.body = encode(dict(self))


def _table_json(frame):
    """A pandas table as {columns, rows}, numbers as plain floats/ints."""
    rows = []
    for record in frame.itertuples(index=False):
        rows.append([v.item() if isinstance(v, np.generic) else v for v in record])
    return {"columns": [str(c) for c in frame.columns], "rows": rows}


class MapJob:
    """One projection, computed once in a background thread; its progress can be read meanwhile."""

    def __init__(self, explorer, method, n):
        self.method, self.n = method, n
        self.status, self.stage, self.progress = "computing", "queued", 0.0
        self.started = time.monotonic()
        self.result = self.error = None
        self._explorer = explorer
        threading.Thread(target=self._run, name=f"w2v-map-{method}-{n}", daemon=True).start()

    def _run(self):
        from ..illustrate import project, top_words

        try:
            kv = self._explorer.kv
            self.stage = "choosing words"
            words = top_words(kv, self.n)
            rows = np.fromiter((kv.key_to_index[w] for w in words), dtype=np.int64, count=len(words))
            self.stage, self.progress = "reading vectors", 0.05
            matrix = np.empty((len(rows), kv.vector_size), dtype=np.float32)
            order = np.argsort(rows)                      # read a memory-mapped file front to back
            step = max(1, len(rows) // 20)
            for i in range(0, len(rows), step):
                part = order[i:i + step]
                matrix[part] = kv.vectors[rows[part]]
                self.progress = 0.05 + 0.25 * min(1.0, (i + step) / len(rows))
            self.stage = f"projecting with {self.method}"
            coords, axes = project(matrix, method=self.method)
            coords = np.asarray(coords, dtype=np.float64)
            self.result = Encoded(status="ready", method=self.method, n=len(words), axes=list(axes),
                                  words=[str(w) for w in words], x=np.round(coords[:, 0], 5).tolist(),
                                  y=np.round(coords[:, 1], 5).tolist(),
                                  seconds=round(time.monotonic() - self.started, 3))
            self.stage, self.progress, self.status = "done", 1.0, "ready"
        except Exception as exc:   # reported to the page (and to every later request for this map)
            self.error = f"the {self.method} map could not be computed: {exc}"
            self.status = "failed"

    def to_json(self):
        if self.status == "ready":
            return self.result
        if self.status == "failed":
            raise ApiError(422, self.error)
        return {"status": "computing", "method": self.method, "n": self.n, "stage": self.stage,
                "progress": round(self.progress, 3), "elapsed": round(time.monotonic() - self.started, 2)}


class Explorer:
    """A loaded model and the answers about it.  Read-only: requests never change the model.

    ``model`` is KeyedVectors, a Word2Vec, an ItemModel, or a language model (anything with
    ``predict(context_words, topn)`` → [(word, probability)] and ``wv``).  ``names`` maps
    item ids to names (items mode).  ``token``: the access token the app requires (None: none).
    """

    def __init__(self, model, names=None, token=None, map_max=MAP_MAX, source=""):
        self.model = model
        self.kv = getattr(model, "wv", model)
        if not hasattr(self.kv, "key_to_index"):
            raise W2VError(f"{source or 'this object'} holds no word vectors to explore")
        self.items = hasattr(model, "recommend") and hasattr(model, "similar")
        self.lm = callable(getattr(model, "predict", None))
        syn1neg = getattr(model, "syn1neg", None)
        syn1softmax = getattr(model, "syn1softmax", None)
        # a model trained with negative sampling steps as SGNS; one trained with softmax=1 as the article's
        # full-softmax step
        self.softmax_step = syn1softmax is not None and bool(np.size(syn1softmax)) and not (
            syn1neg is not None and np.size(syn1neg))
        self.can_step = (syn1neg is not None and bool(np.size(syn1neg))) or self.softmax_step
        self.names = dict(names or {})
        self.token = token
        self.map_max = max(3, min(int(map_max), len(self.kv)))
        self.source = source
        self._noise = None
        self._noise_error = None
        self._maps = {}
        self._maps_lock = threading.Lock()
        self._complete_index = None
        self._search = None
        self._ready = False
        self._ready_lock = threading.Lock()

    # -- start-up ---------------------------------------------------------------------------
    def warm_up(self):
        """Build what the first queries would otherwise build while others wait: unit vectors,
        the fast-search copy (one query does both), the shared scan, the completion index, the
        noise table.  Runs once; `w2v serve` calls it before the port opens, else the first request does."""
        with self._ready_lock:
            if self._ready:
                return
            kv = self.kv
            if len(kv):
                kv.most_similar(positive=[kv.index_to_key[0]], topn=1)
            from .search import NeighbourSearch

            self._search = NeighbourSearch(kv)
            self._completion_index()
            self._noise_table()
            self._ready = True

    def close(self):
        """Stop the shared scan's threads (the server calls this when it stops)."""
        if self._search is not None:
            self._search.close()

    def methods(self):
        import importlib.util

        found = ["pca"]
        if importlib.util.find_spec("sklearn") is not None:
            found.append("tsne")
        if importlib.util.find_spec("umap") is not None:
            found.append("umap")
        return found

    # -- helpers ------------------------------------------------------------------------------
    def _known(self, words):
        """Raise a 404 naming every unknown word, with "did you mean" suggestions."""
        missing = [w for w in dict.fromkeys(words) if w not in self.kv.key_to_index]
        if missing:
            suggestions = {w: self.kv.suggest(w) for w in missing}
            hints = "; ".join(f"{w!r} (did you mean {', '.join(map(repr, s))}?)" if s else repr(w)
                              for w, s in suggestions.items())
            where = "the model's items" if self.items else "the vocabulary"
            raise ApiError(404, f"not in {where}: {hints}", unknown=missing, suggestions=suggestions)
        return words

    def _topn(self, params, default=10):
        return params.integer("n", default, 1, min(MAX_N, max(1, len(self.kv))))

    def _restrict(self, params):
        return params.integer("restrict_vocab", None, 1, max(1, len(self.kv)))

    def _noise_table(self):
        if self._noise is None and self._noise_error is None:
            from ..illustrate import Noise

            try:
                self._noise = Noise.from_model(self.model, source=self.source)
            except W2VError as exc:
                self._noise_error = str(exc)
        return self._noise

    def _completion_index(self):
        if self._complete_index is None:
            keys = [str(k) for k in self.kv.index_to_key]
            entries = sorted((k.lower(), i) for i, k in enumerate(keys))
            if self.names:
                index = self.kv.key_to_index
                entries += sorted((str(name).lower(), index[item]) for item, name in self.names.items()
                                  if item in index)
                entries.sort()
            self._complete_index = ([e[0] for e in entries], np.asarray([e[1] for e in entries], dtype=np.int64))
        return self._complete_index

    # -- endpoints -----------------------------------------------------------------------------
    def info(self, pairs):
        Params(pairs, ())
        kv = self.kv
        kind = "items" if self.items else "lm" if self.lm else "model" if hasattr(self.model, "wv") else "vectors"
        return {
            "source": self.source, "kind": kind, "keys": len(kv), "vector_size": int(kv.vector_size),
            "items": self.items, "predict": self.lm, "step": self.can_step,
            "step_softmax": self.softmax_step,
            "pairs_negatives": self._noise_table() is not None, "noise_note": self._noise_error,
            "names": bool(self.names), "map_methods": self.methods(),
            "map_default": min(MAP_DEFAULT, self.map_max), "map_max": self.map_max,
            "first_keys": [str(k) for k in kv.index_to_key[:5]],
            "colors": {"limit": colors.LIMIT, "stops": [[-colors.LIMIT, _hex(colors.to_rgb255(-colors.LIMIT))],
                                                        [0.0, _hex(colors.to_rgb255(0.0))],
                                                        [colors.LIMIT, _hex(colors.to_rgb255(colors.LIMIT))]],
                       "agree_min": AGREE_MIN},
            "limits": {"n": MAX_N, "words": MAX_WORDS, "sentence_chars": MAX_SENTENCE_CHARS,
                       "sentence_words": MAX_SENTENCE_WORDS, "window": MAX_WINDOW, "negative": MAX_NEGATIVE},
        }

    def neighbors(self, pairs):
        from ..answers import similar_json

        p = Params(pairs, ("word", "negative", "n", "restrict_vocab"))
        positive = self._known(p.words("word", 1))
        negative = self._known(p.words("negative"))
        return similar_json(self.kv, positive, negative, topn=self._topn(p), restrict_vocab=self._restrict(p),
                            most_similar=self._search.most_similar)

    def analogy(self, pairs):
        from ..answers import analogy_json

        p = Params(pairs, ("positive", "negative", "n", "method", "restrict_vocab", "rows"))
        positive = self._known(p.words("positive", 1))
        negative = self._known(p.words("negative"))
        method = p.choice("method", "3CosAdd", ("3CosAdd", "3CosMul"))
        rows = p.flag("rows", False)
        report = analogy_json(self.kv, positive, negative, topn=self._topn(p), restrict_vocab=self._restrict(p),
                              cosmul=method == "3CosMul", most_similar=self._search.most_similar)
        if rows:
            from ..illustrate import analogy_rows

            # The picture's input rows and their sum; its answer row is this answer's first word
            # (3CosMul's when asked for, and without searching the vocabulary a second time).
            labels, matrix, _ = analogy_rows(self.kv, positive, negative, topn=0)
            if report["results"]:
                best = report["results"][0]
                score = f"cos {best['similarity']:.2f}" if method == "3CosAdd" else f"3CosMul {best['similarity']:.2f}"
                labels = labels + [f"{best['word']}  ({score})"]
                matrix = np.vstack([matrix, np.asarray(self.kv[best["word"]], dtype=matrix.dtype)[None, :]])
            report["rows"] = {"labels": labels, "values": _rounded(matrix), "colors": _colours(matrix)}
        return report

    def doesnt_match(self, pairs):
        p = Params(pairs, ("word",))
        words = self._known(p.words("word", 2))
        ranked = self.kv.rank_by_centrality(words)
        return {"words": words, "doesnt_match": ranked[-1][1],
                "centrality": [{"word": w, "similarity": round(s, 6)} for s, w in ranked]}

    def vectors(self, pairs):
        p = Params(pairs, ("word", "dims"))
        words = self._known(p.words("word", 1))
        d = int(self.kv.vector_size)
        dims = p.integer("dims", d, 1, d)
        matrix = np.asarray(self.kv[words], dtype=np.float64)[:, :dims]
        agree = []
        if len(words) > 1:
            signs = np.sign(matrix)
            same = (signs == signs[0]).all(axis=0) & (np.abs(matrix) >= AGREE_MIN).all(axis=0)
            agree = np.flatnonzero(same).tolist()
        return {"words": words, "vector_size": d, "dims": dims, "limit": colors.LIMIT,
                "values": _rounded(matrix), "colors": _colours(matrix), "agree": agree}

    def complete(self, pairs):
        p = Params(pairs, ("prefix", "n"))
        prefix = p.one("prefix", required=True)
        if len(prefix) > MAX_WORD_CHARS:
            raise ApiError(400, f"prefix is {len(prefix)} characters long (at most {MAX_WORD_CHARS})")
        n = p.integer("n", 10, 1, 100)
        keys, rows = self._completion_index()
        low = prefix.lower()
        lo = bisect.bisect_left(keys, low)
        hi = bisect.bisect_left(keys, low + "\U0010ffff")
        found = np.unique(rows[lo:hi])[:n]               # the first (most frequent) keys, each once
        results = [str(self.kv.index_to_key[i]) for i in found]
        report = {"prefix": prefix, "results": results}
        if self.names:
            report["names"] = {k: self.names[k] for k in results if k in self.names}
        return report

    def suggest(self, pairs):
        p = Params(pairs, ("word",))
        word = p.words("word", 1, 1)[0]
        known = word in self.kv.key_to_index
        return {"word": word, "known": known, "suggestions": [] if known else self.kv.suggest(word)}

    def map(self, pairs):
        p = Params(pairs, ("n", "method"))
        if len(self.kv) < 3:
            raise ApiError(422, "a map needs at least 3 words")
        n = p.integer("n", min(MAP_DEFAULT, self.map_max), 3, self.map_max)
        method = p.choice("method", "pca", ("pca", "tsne", "umap"))
        if method not in self.methods():
            extra = {"tsne": "w2v[tsne] (scikit-learn)", "umap": "w2v[umap] (umap-learn)"}[method]
            raise ApiError(422, f"the {method} map needs an optional package: pip install '{extra}'")
        with self._maps_lock:
            job = self._maps.get((method, n))
            if job is None:
                job = self._maps[(method, n)] = MapJob(self, method, n)
        return job.to_json()

    def pairs(self, pairs):
        from ..illustrate import pairs_table, sample_positions, tokenize

        p = Params(pairs, ("sentence", "window", "mode", "negative", "seed"))
        sentence = p.one("sentence", required=True)
        if len(sentence) > MAX_SENTENCE_CHARS:
            raise ApiError(400, f"the sentence is {len(sentence)} characters long (at most {MAX_SENTENCE_CHARS})")
        window = p.integer("window", 2, 1, MAX_WINDOW)
        mode = p.choice("mode", "skipgram", ("skipgram", "cbow", "lm"))
        negative = p.integer("negative", 0, 0, MAX_NEGATIVE)
        seed = p.integer("seed", 1, 0, 2 ** 32 - 1)
        try:
            tokens = tokenize(sentence)
        except W2VError as exc:
            raise ApiError(400, str(exc)) from None
        if len(tokens) > MAX_SENTENCE_WORDS:
            raise ApiError(400, f"the sentence has {len(tokens)} words (at most {MAX_SENTENCE_WORDS})")
        noise = None
        if negative:
            noise = self._noise_table()
            if noise is None:
                raise ApiError(422, f"negative samples need word counts: {self._noise_error}")
        table = pairs_table(tokens, window=window, mode=mode, negative=negative, noise=noise, seed=seed)
        per = 1 + negative
        samples = [{"centre": c, "inputs": list(inputs), "output": out, "rows": [k * per, (k + 1) * per]}
                   for k, (c, inputs, out) in enumerate(sample_positions(len(tokens), window, mode))]
        return {"tokens": tokens, "window": window, "mode": mode, "negative": negative, "seed": seed,
                **_table_json(table), "samples": samples}

    def step(self, pairs):
        from ..illustrate import softmax_step_tables, step_tables

        p = Params(pairs, ("input", "output", "negative", "negatives", "alpha", "seed"))
        if not self.can_step:
            raise ApiError(422, "a training step needs a full model trained with negative sampling "
                                "(w2v train / model.save()); these are vectors only")
        word_in = p.words("input", 1, 1)[0]
        word_out = p.words("output", 1, 1)[0]
        negative = p.integer("negative", 2, 0, MAX_NEGATIVE)
        negatives = p.words("negatives", 0, MAX_NEGATIVE) or None
        self._known([word_in, word_out] + (negatives or []))
        alpha = p.number("alpha", None, 0.0, 1.0)
        seed = p.integer("seed", 1, 0, 2 ** 32 - 1)
        if self.softmax_step:   # the article's step before negative sampling: a prediction over every word
            r = softmax_step_tables(self.model, word_in, word_out, alpha=alpha, source=self.source)
            extra = {"softmax": True, "drawn": False, "vocabulary": r.vocabulary, "others": r.others}
        else:
            r = step_tables(self.model, word_in, word_out, negative=negative, negatives=negatives,
                            alpha=alpha, seed=seed, source=self.source)
            extra = {"softmax": False, "drawn": r.drawn}
        rows = np.vstack([r.input_before, r.input_after, r.context_before, r.context_after])
        return {"input": r.input_word, "output_words": r.output_words, "alpha": r.alpha, **extra,
                "loss": round(r.loss, 6), "loss_after": round(r.loss_after, 6), **_table_json(r.table),
                "input_before": _rounded(r.input_before), "input_after": _rounded(r.input_after),
                "context_before": _rounded(r.context_before), "context_after": _rounded(r.context_after),
                "colors": _colours(rows)}

    def _item_names(self, results):
        return [{"item": item, "score": round(score, 6), **({"name": self.names[item]} if item in self.names
                                                             else {})} for item, score in results]

    def items_similar(self, pairs):
        if not self.items:
            raise ApiError(422, "this is not an items model (w2v items train)")
        p = Params(pairs, ("item", "n"))
        item = self._known(p.words("item", 1, 1))[0]
        results = self.model.similar(item, topn=self._topn(p))
        report = {"item": item, "results": self._item_names(results)}
        if item in self.names:
            report["name"] = self.names[item]
        return report

    def items_recommend(self, pairs):
        if not self.items:
            raise ApiError(422, "this is not an items model (w2v items train)")
        p = Params(pairs, ("history", "n", "exclude_seen"))
        history = self._known(p.words("history", 1, MAX_HISTORY))
        results = self.model.recommend(history, topn=self._topn(p), exclude_seen=p.flag("exclude_seen", True))
        return {"history": history, "results": self._item_names(results)}

    def predict(self, pairs):
        if not self.lm:
            raise ApiError(422, "next-word prediction needs a language model (w2v.LanguageModel); "
                                "this model has none")
        p = Params(pairs, ("context", "n"))
        context = p.words("context", 1)
        # A language model reads unknown words as its unknown token, so they are allowed (and listed).
        unknown = [w for w in dict.fromkeys(context) if w not in self.kv.key_to_index]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")        # "no word of the prompt is known": said in `unknown`
            results = self.model.predict(context, topn=self._topn(p))
        return {"context": context, "unknown": unknown,
                "results": [{"word": str(w), "probability": round(float(prob), 6)} for w, prob in results]}

    ENDPOINTS = {
        "info": info, "neighbors": neighbors, "analogy": analogy, "doesnt_match": doesnt_match,
        "vectors": vectors, "complete": complete, "suggest": suggest, "map": map, "pairs": pairs,
        "step": step, "items/similar": items_similar, "items/recommend": items_recommend, "predict": predict,
    }

    def respond(self, name, pairs):
        """(status, JSON bytes) for endpoint ``name``: :meth:`answer`, encoded."""
        status, report = self.answer(name, pairs)
        return status, encode(report)

    def answer(self, name, pairs):
        """(status, JSON) for endpoint ``name``; errors of the request become 4xx, never 500."""
        method = self.ENDPOINTS.get(name)
        if method is None:
            return 404, {"error": f"no API endpoint {name!r}; the endpoints are: {', '.join(self.ENDPOINTS)}"}
        self.warm_up()
        try:
            report = method(self, pairs)
            return 202 if report.get("status") == "computing" else 200, report
        except ApiError as exc:
            return exc.status, exc.to_json()
        except KeyError as exc:                  # an unknown word the checks above did not catch
            return 404, {"error": str(exc.args[0] if exc.args else exc)}
        except (W2VError, ValueError) as exc:
            return 400, {"error": str(exc)}
        except TimeoutError:
            return 503, {"error": "the server is too busy to answer now; try again"}
