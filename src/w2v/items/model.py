"""ItemModel: item embeddings trained on sessions, and recommendations from them.

Training is word2vec's skip-gram with negative sampling on sessions instead of
sentences (item2vec), run by the same engine as text (:class:`w2v.Word2Vec`) with
defaults suited to items: no subsampling, a wide window (or the whole session), and
more epochs when the log is small.

The recommendation score of a candidate item ``c`` for a history ``h_1 … h_n`` (oldest
first) is::

    score(c) = cos(q, v_c) + popularity_weight · log(1 + count_c) / log(1 + max count)
    q        = Σ_i decay**(n - i) · v_{h_i} / |v_{h_i}|

so recent items count more, and among equally similar items the more popular wins.
Plain nearest neighbours (``popularity_weight=0``, ``decay=1``) often lose to "most
popular" on real logs; the two weights are therefore tuned on every training run, on a
validation split carved out of the *training* events: each user's last training event is
held out, a trial model is trained on the rest, and the pair with the best NDCG@k on the
held-out events becomes the model's default.  The final model is then trained on all the
training events.  Test events (see :mod:`w2v.items.evaluate`) are never seen.
"""
import numpy as np

from .. import params, store
from ..errors import W2VError
from ..vectors import KeyedVectors, top_k
from . import logs
from .baselines import MostPopular, Recommender, popularity_prior, recency_weights
from .ranking import user_batches, history_arrays, metrics, rank_scores, rank_users, target_codes

KIND = "items"
FORMAT_VERSION = 1

#: ItemModel's training options and its own defaults, laid over :data:`w2v.params.DEFAULTS`
#: (same names, same rules).  Three values are its own: window="session" (the whole session
#: is the context), epochs=None (chosen from the log's size: auto_epochs) and workers=None
#: (the engine's default).
TRAIN_DEFAULTS = {
    "vector_size": 64,
    "window": 10,
    "negative": 10,
    "ns_exponent": params.DEFAULTS["ns_exponent"],
    "sample": 0.0,         # no subsampling: popular items are signal here, not stop words
    "epochs": None,
    "min_count": 2,
    "alpha": params.DEFAULTS["alpha"],
    "min_alpha": params.DEFAULTS["min_alpha"],
    "shrink_windows": params.DEFAULTS["shrink_windows"],
    "seed": params.DEFAULTS["seed"],
    "workers": None,
}
_SPECIAL = {"window": "session", "epochs": None, "workers": None}
# Used when tuning is off or there are too few users to tune on.
RECOMMEND_DEFAULTS = {"decay": 0.75, "popularity_weight": 0.2}
DECAY_GRID = (1.0, 0.9, 0.75, 0.5, 0.25)
POPULARITY_GRID = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0)
MIN_TUNE_USERS = 20


def auto_epochs(n_events, n_items):
    """Epochs for a log: about 200 updates per item and 100,000 in all, between 5 and 50.

    Small or sparse logs (few events per item) get more passes; big logs need only a few,
    and extra passes over a dense log overfit (on a generated log of 1,500 users, NDCG@10
    was 0.164 at 5 epochs and 0.146 at 20).
    """
    wanted = max(200 * n_items / max(n_events, 1), 100_000 / max(n_events, 1))
    return int(np.clip(np.ceil(wanted), 5, 50))


def _check_config(options):
    """The training options with ItemModel's defaults, checked by the rules of :mod:`w2v.params`."""
    unknown = sorted(set(options) - set(TRAIN_DEFAULTS))
    if unknown:
        raise TypeError(f"unknown training option(s): {', '.join(unknown)} (known: {', '.join(TRAIN_DEFAULTS)})")
    config = {**TRAIN_DEFAULTS, **options}
    params.validate({"hs": 0, **{name: value for name, value in config.items()
                                 if not (name in _SPECIAL and value == _SPECIAL[name])}})
    return config


def _check_weights(decay, popularity_weight):
    if not 0 < decay <= 1:
        raise W2VError(f"decay must be in (0, 1], got {decay!r}")
    if popularity_weight < 0:
        raise W2VError(f"popularity_weight must be >= 0, got {popularity_weight!r}")


class ItemModel(Recommender):
    """Item vectors (``wv``), item counts, and the recommendation score's default weights."""

    name = "item2vec"

    def __init__(self, wv, counts=None, config=None, decay=None, popularity_weight=None, tuning=None):
        counts = wv.counts if counts is None else counts
        super().__init__(wv.index_to_key, counts)
        self.wv = wv
        self.config = dict(config or {})
        self.decay = RECOMMEND_DEFAULTS["decay"] if decay is None else float(decay)
        self.popularity_weight = (RECOMMEND_DEFAULTS["popularity_weight"] if popularity_weight is None
                                  else float(popularity_weight))
        _check_weights(self.decay, self.popularity_weight)
        self.tuning = tuning
        self.log_report = None
        self._prior = popularity_prior(self.counts)

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def from_events(cls, events, item="item", user=None, time=None, *, session_gap=None, drop_repeats=True,
                    sep=None, time_unit="s", skip_bad_rows=False, **options):
        """Train on a log: a DataFrame or a CSV/TSV/Parquet path with the named columns.

        ``session_gap`` ("30min", 1800, ...) splits a user's events into sessions at
        inactivity gaps; ``drop_repeats`` drops an item repeated right after itself.  See
        :func:`w2v.items.logs.read_events` for the reading options and :meth:`from_table`
        for the training ones.
        """
        table, report = logs.load_table(events, item=item, user=user, time=time, session_gap=session_gap,
                                        drop_repeats=drop_repeats, sep=sep, time_unit=time_unit,
                                        skip_bad_rows=skip_bad_rows)
        model = cls.from_table(table, **options)
        model.log_report = report
        return model

    @classmethod
    def from_sessions(cls, sessions, *, drop_repeats=True, **options):
        """Train on sessions: a text file with one session per line, or an iterable of item lists.

        Each session is also a user's whole history (for tuning the recommendation score).
        """
        return cls.from_table(logs.read_session_lines(sessions, drop_repeats=drop_repeats), **options)

    @classmethod
    def from_table(cls, table, *, tune=True, tune_users=2000, tune_k=10, progress=False, **options):
        """Train on an events table (see :mod:`w2v.items.logs`).

        Training options: those of :data:`TRAIN_DEFAULTS` (gensim's names; the defaults are
        item2vec's, the rules :mod:`w2v.params`'), window may also be "session", epochs None (auto).
        With ``tune`` the score's weights are chosen on a validation split of ``table``
        (up to ``tune_users`` users, by NDCG@``tune_k``); this trains a second, trial model.
        """
        config = _check_config(options)
        if tune and (isinstance(tune_users, bool) or not isinstance(tune_users, (int, np.integer)) or tune_users < 1):
            raise W2VError(f"tune_users must be a whole number >= 1 (validation users for tuning), got {tune_users!r}; "
                           "to keep the built-in weights, turn tuning off (tune=False / --no-tune)")
        tuning = None
        if tune:
            tuning = cls._tune(table, config, tune_users, tune_k, progress)
        model = cls._fit(table, config, progress)
        if tuning and "decay" in tuning:
            model.decay, model.popularity_weight = tuning["decay"], tuning["popularity_weight"]
        model.tuning = tuning
        return model

    @classmethod
    def _fit(cls, table, config, progress):
        counts = logs.item_counts(table)
        counts = counts[counts >= config["min_count"]]
        if counts.empty:
            raise W2VError(f"no item occurs at least min_count={config['min_count']} times")
        sessions = logs.sessions_of(table, keep_items=counts.index)
        config = dict(config)
        config["events"] = int(counts.sum())
        config["epochs_used"] = _epochs(config, config["events"], len(counts))
        wv = _train_vectors(sessions, config, progress)
        # The engine may order its vocabulary differently; our counts follow its keys.
        aligned = counts.reindex(wv.index_to_key).fillna(0).to_numpy(np.int64)
        return cls(wv, aligned, config)

    @classmethod
    def _tune(cls, table, config, tune_users, tune_k, progress):
        """Choose decay and popularity_weight on each user's last event of ``table``."""
        train, held = logs.hold_out_last(table)
        if len(held) < MIN_TUNE_USERS:
            return {"skipped": f"{len(held)} of the users have two or more events, tuning needs {MIN_TUNE_USERS}",
                    **RECOMMEND_DEFAULTS}
        if len(held) > tune_users:
            rng = np.random.default_rng(config["seed"])
            held = held.iloc[np.sort(rng.choice(len(held), tune_users, replace=False))].reset_index(drop=True)
        try:
            trial = cls._fit(train, config, progress)
        except W2VError:
            return {"skipped": "too few items left after holding out the validation events", **RECOMMEND_DEFAULTS}
        owner, codes, age = history_arrays(trial, train, held["user"].to_numpy())
        targets = target_codes(trial, held["item"].to_numpy(object))
        results = {}
        for decay in DECAY_GRID:
            ranks = {w: [] for w in POPULARITY_GRID}
            for rows, b_codes, b_targets, similarity in trial._similarity_batches(owner, codes, age, targets, decay):
                for weight in POPULARITY_GRID:
                    scores = similarity + weight * trial._prior
                    ranks[weight].append(rank_scores(scores, rows, b_codes, b_targets, True))
            for weight in POPULARITY_GRID:
                r = np.concatenate(ranks[weight])
                results[(decay, weight)] = metrics(r, np.zeros((0, 0), np.int64), len(trial), tune_k)["ndcg"]
        # Highest NDCG; among near-ties the earlier grid point (less decay, less popularity).
        best = max(results.values())
        decay, weight = next(key for key, value in results.items() if value >= best - 1e-12)
        pop_ranks, _ = rank_users(MostPopular(trial.index_to_key, trial.counts), owner, codes, age, targets, tune_k)
        baseline = metrics(pop_ranks, np.zeros((0, 0), np.int64), len(trial), tune_k)["ndcg"]
        return {"decay": decay, "popularity_weight": weight, "users": int(len(held)), "metric": f"ndcg@{tune_k}",
                "score": best, "most_popular_score": baseline,
                "grid": [[d, w, s] for (d, w), s in results.items()]}

    # -- scoring ------------------------------------------------------------------------------
    def _unit_vectors(self):
        return np.asarray(self.wv.get_normed_vectors(), dtype=np.float32)   # cached by wv

    def _query_vectors(self, owner, codes, age, n_users, decay):
        unit = self._unit_vectors()
        query = np.zeros((n_users, unit.shape[1]), dtype=np.float64)
        if len(codes):
            order = np.argsort(owner, kind="stable")
            owner, codes, age = owner[order], codes[order], age[order]
            weighted = unit[codes] * recency_weights(age, decay)[:, None]
            starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            query[owner[starts]] = np.add.reduceat(weighted, starts, axis=0)
        norms = np.linalg.norm(query, axis=1, keepdims=True)
        return (query / np.where(norms > 0, norms, 1)).astype(np.float32)

    def _scores(self, owner, codes, age, n_users, decay=None, popularity_weight=None):
        decay = self.decay if decay is None else decay
        weight = self.popularity_weight if popularity_weight is None else popularity_weight
        similarity = self._query_vectors(owner, codes, age, n_users, decay) @ self._unit_vectors().T
        return similarity.astype(np.float64) + weight * self._prior

    def _similarity_batches(self, owner, codes, age, targets, decay):
        """Cosine matrices for batches of users: yields (rows, codes, targets, similarity)."""
        order = np.argsort(owner, kind="stable")
        owner, codes, age = owner[order], codes[order], age[order]
        bounds = np.searchsorted(owner, np.arange(len(targets) + 1))
        unit = self._unit_vectors()
        for a, b in user_batches(len(targets), len(self)):
            lo, hi = bounds[a], bounds[b]
            rows = owner[lo:hi] - a
            query = self._query_vectors(rows, codes[lo:hi], age[lo:hi], b - a, decay)
            yield rows, codes[lo:hi], targets[a:b], (query @ unit.T).astype(np.float64)

    def recommend_defaults(self):
        return {"decay": self.decay, "popularity_weight": self.popularity_weight}

    # -- queries ------------------------------------------------------------------------------
    def similar(self, item, topn=10):
        """The ``topn`` items whose vectors are closest (cosine) to ``item``'s: [(item, cosine)]."""
        index = self.key_to_index.get(str(item))
        if index is None:
            raise KeyError(f"item {str(item)!r} not in the model")
        unit = self._unit_vectors()
        scores = (unit @ unit[index]).astype(np.float64)
        scores[index] = -np.inf
        best = top_k(scores, topn)
        return [(self.index_to_key[i], float(scores[i])) for i in best if np.isfinite(scores[i])]

    def recommend(self, history, topn=10, exclude_seen=True, decay=None, popularity_weight=None,
                  strict=False):
        """Items for someone who interacted with ``history`` (oldest first), best first.

        ``decay`` (weight of the i-th most recent item is decay**i) and ``popularity_weight``
        default to the model's tuned values (``model.recommend_defaults()``).  Items the model
        does not know are skipped (``strict=True``: KeyError naming them); the answer, a list of
        (item, score), also has ``.skipped`` (those items) and ``.popularity_fallback`` (True when
        no item of the history was known: the ranking is then by popularity alone).
        """
        decay = self.decay if decay is None else float(decay)
        weight = self.popularity_weight if popularity_weight is None else float(popularity_weight)
        _check_weights(decay, weight)
        return super().recommend(history, topn, exclude_seen, strict, decay=decay, popularity_weight=weight)

    # -- files --------------------------------------------------------------------------------
    def save(self, path):
        """Write the model as a native w2v file of kind "items" (atomically)."""
        meta = {"format_version": FORMAT_VERSION, "vector_size": int(self.wv.vector_size), "config": self.config,
                "recommend": self.recommend_defaults(), "tuning": self.tuning}
        arrays = self.wv._native_arrays(counts=self.counts)
        arrays["vectors"] = np.asarray(arrays["vectors"], dtype=np.float32)
        store.save(path, KIND, meta, arrays)

    @classmethod
    def load(cls, path, mmap=None):
        """Read a model written by :meth:`save`."""
        _, meta, arrays = store.load(path, mmap=mmap, expect_kind=KIND)
        if meta.get("format_version", 0) > FORMAT_VERSION:
            raise W2VError(f"{path}: items model format {meta['format_version']} is newer than this w2v reads")
        wv = KeyedVectors._from_native_arrays(arrays)
        recommend = meta.get("recommend", {})
        return cls(wv, arrays["counts"], meta.get("config"), recommend.get("decay"),
                   recommend.get("popularity_weight"), meta.get("tuning"))

    def __repr__(self):
        return (f"ItemModel({len(self)} items, vector_size={self.wv.vector_size}, decay={self.decay}, "
                f"popularity_weight={self.popularity_weight})")


def _epochs(config, n_events, n_items):
    return int(config["epochs"]) if config["epochs"] is not None else auto_epochs(n_events, n_items)


def _train_vectors(sessions, config, progress):
    """Skip-gram with negative sampling on the sessions, by the text engine."""
    from ..model import Word2Vec

    longest = max(len(s) for s in sessions)
    whole_session = config["window"] == "session"
    options = {
        "sentences": sessions,
        "vector_size": int(config["vector_size"]),
        # "session": a window as wide as the longest session and never shrunk, so every
        # item of a session is context for every other (Airbnb's listing embeddings).
        "window": max(1, longest) if whole_session else int(config["window"]),
        "shrink_windows": False if whole_session else bool(config["shrink_windows"]),
        "min_count": 1,  # rare items were already removed, the same way for every method
        "sample": float(config["sample"]),
        "sg": 1,
        "hs": 0,
        "negative": int(config["negative"]),
        "ns_exponent": float(config["ns_exponent"]),
        "alpha": float(config["alpha"]),
        "min_alpha": float(config["min_alpha"]),
        "epochs": int(config["epochs_used"]),
        "seed": int(config["seed"]),
        "progress": progress,
    }
    if config["workers"] is not None:
        options["workers"] = int(config["workers"])
    return Word2Vec(**options).wv
