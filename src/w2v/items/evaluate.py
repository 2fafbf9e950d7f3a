"""Leave-last-out evaluation: does a recommender find each user's next item?

Each user's last event is held out; the recommender sees everything before it (and was
trained without it) and ranks all candidate items.  With one relevant item per user:

* hit rate@k — share of users whose held-out item is in the top k;
* MRR@k — mean of 1/rank, 0 beyond k;
* NDCG@k — mean of 1/log2(rank + 1), 0 beyond k;
* coverage@k — share of the candidate items that appear in at least one top-k list.

A held-out item the recommender does not know (too rare in training, or new) counts as
a miss, as does one already in the history when seen items are excluded: dropping those
users would flatter every method.
"""
import numpy as np
import pandas as pd

from ..vectors import top_k_rows
from . import logs

# Users scored per batch: a batch holds users × items float64 scores.
_BATCH_CELLS = 4_000_000


def history_arrays(recommender, table, users):
    """The users' histories from ``table`` as (owner, codes, age), unknown items dropped."""
    owner, items, age = logs.histories(table, users)
    codes = target_codes(recommender, items)
    known = codes >= 0
    return owner[known], codes[known], age[known]


def target_codes(recommender, items):
    """Indices of ``items`` among the recommender's candidates (-1 when unknown), in bulk."""
    return recommender.key_index().get_indexer(pd.Index(items, dtype=object)).astype(np.int64)


def _batches(n_users, n_items):
    size = max(1, _BATCH_CELLS // max(1, n_items))
    return [(a, min(a + size, n_users)) for a in range(0, n_users, size)]


def rank_scores(scores, rows, seen_codes, targets, exclude_seen):
    """1-based rank of each row's target among its scores (np.inf when unreachable).

    Ties are broken as :func:`w2v.vectors.top_k` breaks them (lower index first).
    ``scores`` is modified: seen items are set to -inf when ``exclude_seen``.
    """
    if exclude_seen:
        scores[rows, seen_codes] = -np.inf
    known = targets >= 0
    safe = np.where(known, targets, 0)
    own = scores[np.arange(len(targets)), safe][:, None]
    better = (scores > own).sum(axis=1)
    tied_before = ((scores == own) & (np.arange(scores.shape[1]) < safe[:, None])).sum(axis=1)
    ranks = (1 + better + tied_before).astype(np.float64)
    ranks[~known | ~np.isfinite(own[:, 0])] = np.inf
    return ranks


def rank_users(recommender, owner, codes, age, targets, k, exclude_seen=True):
    """Ranks of the targets and the top-k lists for every user (batched).

    Returns (ranks, top) with ``top`` an n_users × k array of item indices (-1 padding).
    """
    n_users, n_items = len(targets), len(recommender)
    ranks = np.full(n_users, np.inf)
    top = np.full((n_users, min(k, n_items)), -1, dtype=np.int64)
    order = np.argsort(owner, kind="stable")
    owner, codes, age = owner[order], codes[order], age[order]
    bounds = np.searchsorted(owner, np.arange(n_users + 1))
    for a, b in _batches(n_users, n_items):
        lo, hi = bounds[a], bounds[b]
        rows = owner[lo:hi] - a
        scores = np.array(recommender._scores(rows, codes[lo:hi], age[lo:hi], b - a), dtype=np.float64)
        ranks[a:b] = rank_scores(scores, rows, codes[lo:hi], targets[a:b], exclude_seen)
        top[a:b] = _top_rows(scores, top.shape[1])
    return ranks, top


def _top_rows(scores, k):
    """Row-wise :func:`top_k` for a matrix; -1 where fewer than k items are reachable."""
    top = top_k_rows(scores, k)
    return np.where(np.isfinite(np.take_along_axis(scores, top, axis=1)), top, -1)


def metrics(ranks, top, n_items, k):
    """hit rate, MRR, NDCG at ``k`` and catalogue coverage from ranks and top-k lists."""
    ranks = np.asarray(ranks, dtype=np.float64)
    inside = ranks <= k
    users = len(ranks)
    shown = np.unique(top[top >= 0]) if top.size else np.zeros(0)
    if not users:
        return {"users": 0, "hit_rate": 0.0, "mrr": 0.0, "ndcg": 0.0, "coverage": 0.0}
    return {
        "users": users,
        "hit_rate": float(inside.mean()),
        "mrr": float(np.where(inside, 1.0 / ranks, 0.0).mean()),
        "ndcg": float(np.where(inside, 1.0 / np.log2(ranks + 1.0), 0.0).mean()),
        "coverage": float(len(shown) / n_items) if n_items else 0.0,
    }


class Evaluation:
    """The result of :func:`leave_last_out`: one row of metrics per method, and the counts."""

    def __init__(self, k, rows, counts, model=None):
        self.k = k
        self.rows = rows            # method name → metrics dict
        self.counts = counts        # what was evaluated: users, events, unknown targets, ...
        self.model = model

    def to_dict(self):
        return {"k": self.k, "methods": self.rows, "counts": self.counts,
                "recommend_defaults": self.model.recommend_defaults() if self.model else None,
                "tuning": self.model.tuning if self.model else None}

    def table(self):
        """The metrics side by side, as text."""
        k = self.k
        head = ["method", f"hit@{k}", f"MRR@{k}", f"NDCG@{k}", f"coverage@{k}"]
        lines = [[name, f"{m['hit_rate']:.4f}", f"{m['mrr']:.4f}", f"{m['ndcg']:.4f}", f"{m['coverage']:.4f}"]
                 for name, m in self.rows.items()]
        widths = [max(len(r[i]) for r in [head] + lines) for i in range(len(head))]
        fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
        return "\n".join([fmt(head), fmt(["-" * w for w in widths])] + [fmt(r) for r in lines])

    def __str__(self):
        return self.table()


def leave_last_out(source, item=None, user=None, time=None, *, k=10, exclude_seen=True, session_gap=None,
                   drop_repeats=True, sep=None, time_unit="s", skip_bad_rows=False,
                   cooccurrence_window=None, **train):
    """Hold out each user's last event, train on the rest, rank the held-out events.

    ``source`` and the reading options are as for :meth:`ItemModel.from_events` (or
    one-session-per-line text, each line a user); ``train`` holds the training options.
    The item2vec model is compared with most-popular and item co-occurrence baselines built
    on the same training events and candidate items.  ``cooccurrence_window`` defaults to the
    model's window.  Returns an :class:`Evaluation`.
    """
    from .model import ItemModel

    table, report = logs.load_table(source, item=item, user=user, time=time, session_gap=session_gap,
                                    drop_repeats=drop_repeats, sep=sep, time_unit=time_unit,
                                    skip_bad_rows=skip_bad_rows)
    train_table, held_out = logs.hold_out_last(table)
    if held_out.empty:
        raise ValueError("no user has two or more events: nothing to hold out")
    model = ItemModel.from_table(train_table, **train)
    model.log_report = report
    window = model.config["window"] if cooccurrence_window is None else cooccurrence_window
    popular, cooc = baselines_for(model, train_table, window)

    # the three share the model's candidate items, so they share the histories and targets
    owner, codes, age = history_arrays(model, train_table, held_out["user"].to_numpy())
    targets = target_codes(model, held_out["item"].to_numpy(object))
    rows = {}
    for recommender in (model, popular, cooc):
        ranks, top = rank_users(recommender, owner, codes, age, targets, k, exclude_seen)
        rows[recommender.name] = metrics(ranks, top, len(recommender), k)
    counts = {
        "events": int(len(table)),
        "training_events": int(len(train_table)),
        "test_users": int(len(held_out)),
        "candidate_items": len(model),
        "unknown_targets": int((targets < 0).sum()),
        "skipped_rows": report.skipped if report else 0,
    }
    return Evaluation(k, rows, counts, model)


def baselines_for(model, table, window):
    """Most-popular and co-occurrence recommenders over the model's candidate items."""
    from .baselines import CoOccurrence, MostPopular

    keys, counts = model.index_to_key, model.counts
    popular = MostPopular(keys, counts)
    known = table["item"].isin(model.key_to_index).to_numpy()
    codes = target_codes(model, table["item"].to_numpy(object)[known])
    session = table["session"].to_numpy()[known]
    span = None if window == "session" else int(window)
    cooc = CoOccurrence.from_sessions(keys, counts, codes, session, window=span,
                                      decay=model.recommend_defaults()["decay"])
    return popular, cooc
