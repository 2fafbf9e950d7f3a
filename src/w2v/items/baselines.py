"""What item embeddings have to beat: most-popular, and item co-occurrence counts.

Both share :class:`Recommender` with :class:`w2v.items.ItemModel`: a recommender knows
its candidate items and scores them for many histories at once (``_scores``), and the
single-history :meth:`Recommender.recommend` and the evaluation are built on that.

A history is given to ``_scores`` as three flat arrays: ``owner`` (which of the users in
the batch), ``codes`` (item index) and ``age`` (0 for the most recent event of that user,
1 for the one before, ...).
"""
import numpy as np
import pandas as pd

from ..vectors import top_k

# Pairs generated at once while counting co-occurrences; bounds the memory to ~100 MB.
_PAIR_BUDGET = 4_000_000


def recency_weights(age, decay):
    """Weight of each history event: ``decay ** age`` (1 for the most recent event)."""
    return np.power(float(decay), np.asarray(age, dtype=np.float64))


def popularity_prior(counts):
    """log(1 + count) scaled to [0, 1]: the popularity term of the item2vec score."""
    logs = np.log1p(np.asarray(counts, dtype=np.float64))
    top = logs.max() if len(logs) else 0.0
    return logs / top if top > 0 else logs


class Recommender:
    """Candidate items with occurrence counts, and a batch scorer (see the module notes)."""

    name = "recommender"

    def __init__(self, keys, counts):
        self.index_to_key = list(keys)
        self.key_to_index = {k: i for i, k in enumerate(self.index_to_key)}
        self.counts = np.asarray(counts, dtype=np.int64)

    def __len__(self):
        return len(self.index_to_key)

    def key_index(self):
        """The keys as a pandas Index, for bulk key → index lookups."""
        if getattr(self, "_key_index", None) is None:
            self._key_index = pd.Index(self.index_to_key, dtype=object)
        return self._key_index

    def __contains__(self, item):
        return str(item) in self.key_to_index

    def _scores(self, owner, codes, age, n_users):
        raise NotImplementedError

    def _history_codes(self, history, strict):
        history = [str(item) for item in history]
        codes = [self.key_to_index.get(item, -1) for item in history]
        unknown = [item for item, code in zip(history, codes) if code < 0]
        if unknown and strict:
            shown = ", ".join(repr(u) for u in unknown[:10]) + (" …" if len(unknown) > 10 else "")
            raise KeyError(f"{len(unknown)} item(s) of the history not in the model: {shown}")
        codes = np.asarray(codes, dtype=np.int64)
        age = np.arange(len(codes) - 1, -1, -1, dtype=np.int64)  # unknown items still age the rest
        known = codes >= 0
        return codes[known], age[known], unknown

    def recommend(self, history, topn=10, exclude_seen=True, strict=False, **score_options):
        """Items for someone who interacted with ``history`` (oldest first), best first.

        Items not in the model (real histories hold items under ``min_count``) are skipped
        unless ``strict``, which raises KeyError naming them.  The answer is a
        :class:`Recommendations` list of (item, score) whose ``skipped`` lists the skipped items
        and whose ``popularity_fallback`` is True when no item of the history was known (the
        ranking is then by popularity alone).  ``score_options`` go to the recommender's scorer
        (``ItemModel``: decay, popularity_weight)."""
        codes, age, unknown = self._history_codes(history, strict)
        if len(codes) == 0:
            scores = popularity_prior(self.counts)  # nothing known: most popular first
        else:
            scores = np.array(self._scores(np.zeros(len(codes), np.int64), codes, age, 1, **score_options)[0],
                              dtype=np.float64)
        if exclude_seen:
            scores[codes] = -np.inf
        best = top_k(scores, topn)
        best = best[np.isfinite(scores[best])]
        return Recommendations([(self.index_to_key[i], float(scores[i])) for i in best],
                               skipped=unknown, popularity_fallback=len(codes) == 0)


class Recommendations(list):
    """What ``recommend`` returns: a list of (item, score), best first, plus ``skipped`` (the
    history's items not in the model, in history order) and ``popularity_fallback`` (True when
    none of the history was known and the ranking is most-popular)."""

    def __init__(self, pairs=(), skipped=(), popularity_fallback=False):
        super().__init__(pairs)
        self.skipped = list(skipped)
        self.popularity_fallback = bool(popularity_fallback)


class MostPopular(Recommender):
    """Everyone gets the items with the most occurrences in training."""

    name = "most-popular"

    def _scores(self, owner, codes, age, n_users):
        return np.broadcast_to(self.counts.astype(np.float64), (n_users, len(self.counts)))


class CoOccurrence(Recommender):
    """Items that appeared near the history's items in training sessions (item-to-item counts).

    ``score(c) = Σ_h decay**age(h) · n(h, c)`` where ``n(h, c)`` counts how often ``c`` came
    within ``window`` positions of ``h`` in a session (``window=None``: anywhere in it).  Ties,
    including histories with no co-occurring items, fall back to popularity.
    """

    name = "co-occurrence"

    def __init__(self, keys, counts, indptr, indices, data, decay=1.0):
        super().__init__(keys, counts)
        self.indptr, self.indices, self.data = indptr, indices, data
        self.decay = float(decay)
        self._tiebreak = 1e-6 * popularity_prior(self.counts)

    @classmethod
    def from_sessions(cls, keys, counts, codes, session, window=None, decay=1.0):
        """Count co-occurrences in sessions given as flat ``codes`` with their ``session`` ids."""
        indptr, indices, data = cooccurrence_matrix(codes, session, len(keys), window)
        return cls(keys, counts, indptr, indices, data, decay=decay)

    def _scores(self, owner, codes, age, n_users):
        n_items = len(self.counts)
        starts, ends = self.indptr[codes], self.indptr[codes + 1]
        spans = ends - starts
        total = int(spans.sum())
        scores = np.zeros(n_users * n_items, dtype=np.float64)
        if total:
            first = np.cumsum(spans) - spans
            picks = np.arange(total) - np.repeat(first, spans) + np.repeat(starts, spans)
            weights = np.repeat(recency_weights(age, self.decay), spans) * self.data[picks]
            rows = np.repeat(owner, spans) * n_items + self.indices[picks]
            scores += np.bincount(rows, weights=weights, minlength=n_users * n_items)
        return scores.reshape(n_users, n_items) + self._tiebreak


def cooccurrence_matrix(codes, session, n_items, window=None):
    """Symmetric item × item co-occurrence counts as CSR arrays (indptr, indices, data).

    Position ``i`` and ``j`` of one session co-occur when ``0 < |i - j| <= window`` (any
    distance when ``window`` is None); an item never co-occurs with itself.
    """
    codes = np.asarray(codes, dtype=np.int64)
    session = np.asarray(session)
    n = len(codes)
    position = np.arange(n, dtype=np.int64)
    boundary = np.r_[True, session[1:] != session[:-1]] if n else np.zeros(0, bool)
    start = np.maximum.accumulate(np.where(boundary, position, 0)) if n else position
    end_marks = np.r_[session[1:] != session[:-1], True] if n else np.zeros(0, bool)
    end = np.minimum.accumulate(np.where(end_marks, position + 1, n)[::-1])[::-1] if n else position
    lo, hi = (start, end) if window is None else (np.maximum(start, position - window),
                                                  np.minimum(end, position + window + 1))
    spans = hi - lo
    keys, weights = [], []
    chunk_starts = _chunks(spans, _PAIR_BUDGET)
    for a, b in zip(chunk_starts[:-1], chunk_starts[1:]):
        s = spans[a:b]
        total = int(s.sum())
        if not total:
            continue
        first = np.cumsum(s) - s
        left = np.repeat(position[a:b], s)
        right = np.arange(total) - np.repeat(first, s) + np.repeat(lo[a:b], s)
        x, y = codes[left], codes[right]
        distinct = x != y
        pair = x[distinct] * n_items + y[distinct]
        unique, count = np.unique(pair, return_counts=True)
        keys.append(unique)
        weights.append(count)
    if keys:
        unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        data = np.bincount(inverse, weights=np.concatenate(weights)).astype(np.float32)
    else:
        unique, data = np.zeros(0, np.int64), np.zeros(0, np.float32)
    rows, indices = np.divmod(unique, n_items)
    indptr = np.searchsorted(rows, np.arange(n_items + 1)).astype(np.int64)
    return indptr, indices.astype(np.int64), data


def _chunks(spans, budget):
    """Boundaries splitting positions so that each chunk makes at most ~``budget`` pairs."""
    cumulative = np.cumsum(spans)
    cuts = np.searchsorted(cumulative, np.arange(budget, cumulative[-1] if len(spans) else 0, budget))
    return np.unique(np.r_[0, cuts, len(spans)])
