"""One skip-gram negative-sampling training step, shown as the article's tables.

The numbers come from :func:`w2v.kernels.reference.sgns_update` — the numpy reference
the compiled kernel is tested against — run on copies of a model's matrices, so the
model itself is never changed.
"""
from dataclasses import dataclass

import numpy as np

from ..errors import W2VError
from ..kernels import reference
from .common import missing_words_error
from .samples import Noise
from .tables import format_table

MIDDLE_DOT = "\u00b7"


@dataclass
class StepResult:
    """What one update did: the article's table, and the rows it changed, before and after."""

    table: "pandas.DataFrame"  # input word, output word, target, input·output, sigmoid(), error
    input_word: str
    output_words: list         # the true output word first, then the negatives
    alpha: float
    loss: float                # of this sample before the step
    loss_after: float          # of the same sample after it
    input_before: np.ndarray   # (d,) row of the embedding matrix (syn0)
    input_after: np.ndarray
    context_before: np.ndarray  # (1 + K, d) rows of the context matrix (syn1neg)
    context_after: np.ndarray
    source: str = ""
    drawn: bool = True         # negatives drawn from the noise distribution (False: given by name)

    def rows_table(self, dims=6):
        """The changed rows before and after the step, truncated to the first ``dims`` dimensions."""
        import pandas as pd

        d = len(self.input_before)
        shown = min(d, dims)
        records = []

        def add(matrix, word, before, after):
            for when, vector in (("before", before), ("after", after)):
                record = {"matrix": matrix if when == "before" else "", "word": word if when == "before" else "",
                          "": when}
                record.update({f"d{j}": float(vector[j]) for j in range(shown)})
                if shown < d:
                    record["\u2026"] = "\u2026"
                records.append(record)

        add("embedding", self.input_word, self.input_before, self.input_after)
        for k, word in enumerate(self.output_words):
            add("context", word, self.context_before[k], self.context_after[k])
        return pd.DataFrame(records)

    def to_text(self, dims=6):
        d = len(self.input_before)
        header = f"One skip-gram negative-sampling step, learning rate alpha = {self.alpha:g}"
        if not self.drawn:
            header += ", negatives given by name"
        elif self.source:
            header += f", negatives drawn from the noise distribution of {self.source}"
        shown = min(d, dims)
        note = f"first {shown} of {d} dimensions" if shown < d else f"all {d} dimensions"
        return "\n".join([
            header, "",
            format_table(self.table, floatfmt=".4f"), "",
            f"loss: {self.loss:.4f} before the step, {self.loss_after:.4f} after  "
            "(sum of -log sigmoid(input\u00b7output) for target 1 and -log sigmoid(-input\u00b7output) for target 0)",
            "",
            f"Rows changed by the step ({note}): input word's row of the embedding matrix, "
            "output words' rows of the context matrix",
            format_table(self.rows_table(dims), floatfmt=".4f"),
        ])

    def __str__(self):
        return self.to_text()


def step_tables(model, input, output, negative=2, negatives=None, alpha=None, seed=1, source=""):
    """Run one SGNS update of ``input`` → ``output`` on copies of ``model``'s matrices.

    ``model`` is a trained :class:`w2v.Word2Vec` with negative sampling (it needs
    ``wv`` and ``syn1neg``).  ``negatives`` names the negative words; otherwise
    ``negative`` of them are drawn with ``seed`` from the model's own noise
    distribution (``wv.counts`` ** ``ns_exponent``).  ``alpha`` defaults to the
    model's starting learning rate.  Returns a :class:`StepResult`.
    """
    import pandas as pd

    kv = getattr(model, "wv", None)
    syn1neg = getattr(model, "syn1neg", None)
    if kv is None or syn1neg is None or not np.size(syn1neg):
        raise W2VError(f"{source or 'this model'} has no negative-sampling weights (syn1neg): "
                       "`w2v step` needs a full model trained with negative sampling (negative > 0), "
                       "not bare vectors")
    drawn = negatives is None
    if drawn:
        rng = np.random.default_rng(seed)
        negatives = Noise.from_model(model, source=source).draw(rng, int(negative), exclude=(output,))
    negatives = list(negatives)
    missing = [w for w in [input, output, *negatives] if w not in kv.key_to_index]
    if missing:
        raise missing_words_error(list(dict.fromkeys(missing)), kv)
    if alpha is None:
        alpha = float(getattr(model, "alpha", 0.025))

    i = kv.key_to_index[input]
    outs = [kv.key_to_index[w] for w in [output, *negatives]]
    # The update touches only these rows, so it runs on copies of them (a big or memory-mapped
    # model is never copied whole); repeated negatives share one row, as in the full matrix.
    rows, where = np.unique(outs, return_inverse=True)
    sub0 = np.array(kv.vectors[[i]], copy=True)
    sub1 = np.array(syn1neg[rows], copy=True)
    input_before, context_before = sub0[0].copy(), sub1[where].copy()
    raw = reference.sgns_update(sub0, sub1, [0], where[0], where[1:], alpha)
    # The same forward pass after the update (alpha 0 changes nothing) shows what the step achieved.
    after = reference.sgns_update(sub0.copy(), sub1.copy(), [0], where[0], where[1:], 0.0)

    words = [output, *negatives]
    table = pd.DataFrame({
        "input word": [input] * len(words),
        "output word": words,
        "target": [int(t) for t in raw["labels"]],
        f"input {MIDDLE_DOT} output": np.asarray(raw["dot"][0], dtype=np.float64),
        "sigmoid()": np.asarray(raw["sigmoid"][0], dtype=np.float64),
        "error": np.asarray(raw["error"][0], dtype=np.float64),
        "sigmoid() after": np.asarray(after["sigmoid"][0], dtype=np.float64),
    })
    return StepResult(table=table, input_word=input, output_words=words, alpha=float(alpha),
                      loss=float(raw["loss"]), loss_after=float(after["loss"]), input_before=input_before,
                      input_after=sub0[0].copy(), context_before=context_before, context_after=sub1[where].copy(),
                      source=source, drawn=drawn)
