"""The analogy picture: rows for king, man, woman, king − man + woman, and the nearest word."""
import numpy as np

from . import colors
from ..vectors import _ensure_list
from .common import lookup, save_figure
from .rows import rows_figure, terminal_rows

MINUS = "\u2212"
APPROX = "\u2248"


def analogy_rows(kv, positive, negative=(), topn=1):
    """The rows of the analogy picture: ``(labels, matrix, ranked)``.

    The input rows come in the order of the expression ``a − b + c`` (first positive,
    the negatives, the other positives); then the raw sum ``a − b + c`` as the article
    computes it; then the ``topn`` nearest words from ``kv.most_similar`` — which, as in
    gensim, ranks by cosine to the mean of the unit-length inputs and leaves the input
    words out — each labelled with that cosine similarity.
    """
    positive, negative = _ensure_list(positive), _ensure_list(negative)
    if not positive:
        raise ValueError("an analogy needs at least one positive word")
    ordered = [positive[0]] + negative + positive[1:]
    _, inputs = lookup(kv, ordered)
    signs = np.array([1.0] + [-1.0] * len(negative) + [1.0] * (len(positive) - 1))
    combined = signs @ inputs
    ranked = kv.most_similar(positive=positive, negative=negative, topn=topn)
    answers = [word for word, _ in ranked]
    _, answer_rows = lookup(kv, answers) if answers else ([], np.zeros((0, inputs.shape[1])))

    terms = [f"{MINUS if s < 0 else '+'} {w}" for w, s in zip(ordered[1:], signs[1:])]
    expression = " ".join([ordered[0]] + terms)
    labels = [ordered[0]] + terms
    labels.append(f"= {expression}")
    labels += [f"{word}  (cos {score:.2f})" for word, score in ranked]
    matrix = np.vstack([inputs, combined[None, :], answer_rows])
    return labels, matrix, ranked


def plot_analogy(kv, positive, negative=(), path=None, topn=1, numbers=False, title=None,
                 limit=colors.LIMIT):
    """Draw the analogy as colour rows (inputs, their sum, the nearest answers) and return the Figure.

    ``plot_analogy(kv, positive=["king", "woman"], negative=["man"], path="analogy.png")``
    shows king, − man, + woman, = king − man + woman and "queen (cos 0.71)": the
    result row and the answer row can be compared column by column.
    """
    labels, matrix, ranked = analogy_rows(kv, positive, negative, topn=topn)
    n_inputs = len(labels) - 1 - len(ranked)
    if title is None:
        title = labels[n_inputs][2:] + (f"  {APPROX}  {ranked[0][0]}" if ranked else "")
    label_colours = [None] * n_inputs + ["0.25"] + ["#8a1c1c"] * len(ranked)
    fig = rows_figure(labels, matrix, numbers=numbers, title=title, limit=limit,
                      label_colours=label_colours, separators=(n_inputs - 1, n_inputs))
    if path is not None:
        save_figure(fig, path)
    return fig


def terminal_analogy(kv, positive, negative=(), topn=1, width=None, limit=colors.LIMIT):
    """The analogy rows as ANSI colour blocks, for the terminal."""
    labels, matrix, _ = analogy_rows(kv, positive, negative, topn=topn)
    return terminal_rows(matrix, labels=labels, width=width, limit=limit)
