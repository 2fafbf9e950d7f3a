"""Ranking held-out items: histories as arrays, ranks of the targets, and the metrics at k.

Shared by the evaluation (:mod:`w2v.items.evaluate`) and the model's tuning of its
recommendation weights (:mod:`w2v.items.model`), which the evaluation builds on.
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


def user_batches(n_users, n_items):
    """(first, end) user ranges whose score matrices stay within a fixed size."""
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
    for a, b in user_batches(n_users, n_items):
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
