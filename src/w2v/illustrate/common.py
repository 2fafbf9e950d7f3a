"""What every picture needs: find the words' vectors, build a figure, write it to a file."""
import os
from collections.abc import Mapping

import numpy as np

from ..atomic import atomic_write
from ..errors import W2VError

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
DPI = 150


def missing_words_error(missing, kv=None):
    """The KeyError raised for words a model does not have (the CLI prints it as one line).

    With ``kv``, each word gets the vocabulary's "did you mean" spelling hints.
    """
    from ..vectors import missing_message

    return KeyError(missing_message(missing, getattr(kv, "suggest", None), noun="word"))


def lookup(kv_or_vectors, words=None):
    """Return ``(labels, matrix)`` for ``words``.

    ``kv_or_vectors`` is a KeyedVectors (or anything with ``key_to_index`` and
    ``vectors``), a mapping ``label -> vector``, or an array whose rows are labelled
    by ``words`` (or numbered when ``words`` is None).  Unknown words raise one
    KeyError naming all of them.
    """
    if hasattr(kv_or_vectors, "key_to_index") and hasattr(kv_or_vectors, "vectors"):
        kv = kv_or_vectors
        if words is None:
            raise ValueError("say which words to show")
        words = [str(w) for w in words]
        missing = [w for w in words if w not in kv.key_to_index]
        if missing:
            raise missing_words_error(missing, kv)
        rows = [kv.key_to_index[w] for w in words]
        return words, np.asarray(kv.vectors[rows], dtype=np.float64)
    if isinstance(kv_or_vectors, Mapping):
        if words is None:
            words = list(kv_or_vectors)
        missing = [w for w in words if w not in kv_or_vectors]
        if missing:
            raise missing_words_error(missing)
        matrix = np.vstack([np.asarray(kv_or_vectors[w], dtype=np.float64).ravel() for w in words])
        return [str(w) for w in words], matrix
    matrix = np.asarray(kv_or_vectors, dtype=np.float64)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    if matrix.ndim != 2:
        raise ValueError(f"expected a 2-D array of vectors, got shape {matrix.shape}")
    if words is None:
        words = [str(i) for i in range(len(matrix))]
    if len(words) != len(matrix):
        raise ValueError(f"{len(words)} labels for {len(matrix)} vectors")
    return [str(w) for w in words], matrix


def output_format(path):
    """The file format named by ``path``'s extension (png, svg or pdf)."""
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in FORMATS:
        raise W2VError(f"{path}: cannot tell the picture format from {ext or 'no extension'!r}; "
                       f"use one of {', '.join(sorted(FORMATS))}")
    return FORMATS[ext]


def new_figure(width, height):
    """A matplotlib Figure that never touches pyplot or a display (safe on CI and in threads)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI)


def save_figure(fig, path):
    """Write ``fig`` to ``path`` atomically, in the format its extension names."""
    fmt = output_format(path)
    # Fixed metadata keeps re-generated gallery files byte-stable.
    metadata = {"Software": "w2v"} if fmt == "png" else {"Date": None} if fmt == "svg" else {}
    from matplotlib import rc_context

    # Text stays text in SVG (searchable, small); hashsalt makes element ids reproducible.
    with rc_context({"svg.hashsalt": "w2v", "svg.fonttype": "none"}), atomic_write(path, "wb") as out:
        fig.savefig(out, format=fmt, dpi=DPI, metadata=metadata, facecolor="white")
    return path
