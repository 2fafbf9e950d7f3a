"""One skip-gram training step, shown as the article's tables.

:func:`step_tables`: a negative-sampling step, computed by :func:`w2v.kernels.reference.sgns_update`;
:func:`softmax_step_tables`: the article's step before negative sampling (a prediction vector over
the whole vocabulary, a one-hot target, an error vector), computed by
:func:`w2v.kernels.reference.sg_softmax_update`.  Both are the numpy references the compiled
kernel is tested against, run on copies of a model's rows, so the model itself is never changed.
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
        return _rows_table(self, "context", dims)

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


def _rows_table(result, output_matrix, dims):
    """``result``'s input row and output rows before and after the step, first ``dims`` dimensions."""
    import pandas as pd

    d = len(result.input_before)
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

    add("embedding", result.input_word, result.input_before, result.input_after)
    for k, word in enumerate(result.output_words):
        add(output_matrix, word, result.context_before[k], result.context_after[k])
    return pd.DataFrame(records)


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
        hint = ("; it was trained with the full softmax: ask for its step with --softmax (softmax_step_tables)"
                if getattr(model, "syn1softmax", None) is not None else ", not bare vectors")
        raise W2VError(f"{source or 'this model'} has no negative-sampling weights (syn1neg): "
                       f"`w2v step` needs a full model trained with negative sampling (negative > 0){hint}")
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


@dataclass
class SoftmaxStepResult:
    """One full-softmax update: the prediction vector's largest entries and the target's, the rest
    summed, and the rows shown before and after (every row of the output matrix moves)."""

    table: "pandas.DataFrame"  # output word, input·output, probability, target, error, probability after
    input_word: str
    output_word: str
    alpha: float
    loss: float                # -log probability(output word) before the step
    loss_after: float          # the same after it
    vocabulary: int            # words scored: the length of the prediction, target and error vectors
    others: dict               # the words not in the table: words, probability, error, probability_after
    input_before: np.ndarray   # (d,) row of the embedding matrix (syn0)
    input_after: np.ndarray
    output_words: list         # the table's words, in its order
    context_before: np.ndarray  # (rows in the table, d) rows of the output matrix (syn1softmax)
    context_after: np.ndarray
    source: str = ""

    def rows_table(self, dims=6):
        """The input row and the table's output rows before and after, first ``dims`` dimensions."""
        return _rows_table(self, "output", dims)

    def to_text(self, dims=6):
        d = len(self.input_before)
        shown = min(d, dims)
        note = f"first {shown} of {d} dimensions" if shown < d else f"all {d} dimensions"
        o = self.others
        rest = (f"the other {o['words']:,} words: prediction {o['probability']:.4f} in all, target 0, "
                f"error {o['error']:.4f} in all, prediction after {o['probability_after']:.4f} in all"
                if o["words"] else "(every word of the vocabulary is in the table)")
        return "\n".join([
            f"One skip-gram full-softmax step, learning rate alpha = {self.alpha:g}"
            + (f", output matrix of {self.source}" if self.source else ""),
            f"prediction = softmax(input row {MIDDLE_DOT} each of the {self.vocabulary:,} rows of the output matrix); "
            "target = the one-hot vector of the output word; error = target \u2212 prediction", "",
            format_table(self.table, floatfmt=".4f"),
            rest, "",
            f"loss: {self.loss:.4f} before the step, {self.loss_after:.4f} after  "
            f"(-log prediction of the output word {self.output_word!r})",
            "",
            f"Rows changed by the step ({note}): the input word's row of the embedding matrix and all "
            f"{self.vocabulary:,} rows of the output matrix, each by alpha \u00d7 its error \u00d7 the input row "
            "(shown: the rows in the table)",
            format_table(self.rows_table(dims), floatfmt=".4f"),
        ])

    def __str__(self):
        return self.to_text()


def softmax_step_tables(model, input, output, alpha=None, top=5, source=""):
    """Run one full-softmax skip-gram update of ``input`` → ``output`` on copies of ``model``'s rows.

    ``model`` is a :class:`w2v.Word2Vec` trained with ``softmax=1`` (it needs ``wv`` and
    ``syn1softmax``).  The table shows the ``top`` most probable words of the prediction
    vector and the output word's row; ``alpha`` defaults to the model's starting learning rate.
    Returns a :class:`SoftmaxStepResult`.
    """
    import pandas as pd

    kv = getattr(model, "wv", None)
    syn1softmax = getattr(model, "syn1softmax", None)
    if kv is None or syn1softmax is None or not np.size(syn1softmax):
        if kv is None:
            what = "it holds vectors only"
        elif getattr(model, "negative", 0):
            what = f"it was trained with negative sampling (negative={model.negative}): drop --softmax"
        elif getattr(model, "hs", 0):
            what = "it was trained with hierarchical softmax (hs=1)"
        else:
            what = "it has no output matrix"
        raise W2VError(f"{source or 'this model'} has no full-softmax output matrix (syn1softmax): "
                       f"`w2v step --softmax` needs a full model trained with softmax=1 (w2v train CORPUS -o MODEL --sg --softmax "
                       f"--negative 0); {what}")
    if not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"top must be a whole number >= 1, got {top!r}")
    missing = [w for w in (input, output) if w not in kv.key_to_index]
    if missing:
        raise missing_words_error(list(dict.fromkeys(missing)), kv)
    if alpha is None:
        alpha = float(getattr(model, "alpha", 0.025))

    i, target = kv.key_to_index[input], kv.key_to_index[output]
    # Every output row takes part, so the output matrix is copied whole (softmax=1 keeps it small:
    # at most params.SOFTMAX_MAX_VOCAB rows); of the embedding matrix only the input row.
    sub0 = np.array(kv.vectors[[i]], copy=True)
    out = np.array(syn1softmax, dtype=np.float32, copy=True)
    input_before = sub0[0].copy()
    before_rows = out.copy()
    raw = reference.sg_softmax_update(sub0, out, [0], target, alpha)
    # the same forward pass after the update (alpha 0 changes nothing) shows what the step achieved
    after = reference.sg_softmax_update(sub0.copy(), out.copy(), [0], target, 0.0)

    prediction, prediction_after = raw["prediction"][0], after["prediction"][0]
    order = np.argsort(-prediction, kind="stable")[:top].tolist()
    if target not in order:
        order.append(target)
    rest = np.ones(len(prediction), bool)
    rest[order] = False
    words = [kv.index_to_key[k] for k in order]
    table = pd.DataFrame({
        "output word": words,
        f"input {MIDDLE_DOT} output": np.asarray(raw["dot"][0][order], dtype=np.float64),
        "prediction": np.asarray(prediction[order], dtype=np.float64),
        "target": [int(t) for t in raw["target"][order]],
        "error": np.asarray(raw["error"][0][order], dtype=np.float64),
        "prediction after": np.asarray(prediction_after[order], dtype=np.float64),
    })
    others = {"words": int(rest.sum()), "probability": float(prediction[rest].sum()),
              "error": float(raw["error"][0][rest].sum()), "probability_after": float(prediction_after[rest].sum())}
    return SoftmaxStepResult(table=table, input_word=input, output_word=output, alpha=float(alpha),
                             loss=float(raw["loss"]), loss_after=float(after["loss"]), vocabulary=len(prediction),
                             others=others, input_before=input_before, input_after=sub0[0].copy(),
                             output_words=words, context_before=before_rows[order], context_after=out[order],
                             source=source)
