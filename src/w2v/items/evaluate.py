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

from . import logs
from .baselines import CoOccurrence, MostPopular
from .model import ItemModel
from .ranking import history_arrays, metrics, rank_scores, rank_users, target_codes  # noqa: F401 (re-exported)


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
    keys, counts = model.index_to_key, model.counts
    popular = MostPopular(keys, counts)
    known = table["item"].isin(model.key_to_index).to_numpy()
    codes = target_codes(model, table["item"].to_numpy(object)[known])
    session = table["session"].to_numpy()[known]
    span = None if window == "session" else int(window)
    cooc = CoOccurrence.from_sessions(keys, counts, codes, session, window=span,
                                      decay=model.recommend_defaults()["decay"])
    return popular, cooc
