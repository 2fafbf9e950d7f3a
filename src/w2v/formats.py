"""Vectors files in and out: word2vec text and binary, GloVe, fastText ``.vec``, and w2v's native format.

:func:`load` finds the format from the file's content (the name does not matter),
:func:`save` writes any of them atomically.

Formats: ``word2vec-text``, ``fasttext-vec``, ``glove`` and ``word2vec-binary`` (their layouts, and
how they are read and written, are described in :mod:`w2v.word2vec_io`), and ``native``, w2v's own
container (:mod:`w2v.store`), whose vectors can be memory-mapped.

This module adds the native format and gensim's saved files, and turns what is read into
:class:`~w2v.vectors.KeyedVectors`.
"""
import os

import numpy as np

from . import gensim_io, store
from .errors import FormatError
from .vectors import KeyedVectors
from .word2vec_io import FORMATS, detect_format, reference_parse_binary, reference_parse_text  # noqa: F401
from . import word2vec_io


def _load_native(path, limit, mmap, verify=None):
    kind, _, arrays = store.load(path, mmap=mmap, verify=verify)
    needed = ("vectors", "keys.blob", "keys.offsets")
    if not all(name in arrays for name in needed):
        raise FormatError(f"{path}: a native {kind!r} file without word vectors")
    return KeyedVectors._from_native_arrays(arrays, limit)


def load(path, format=None, limit=None, mmap=None, unicode_errors="strict", binary=None, encoding="utf-8",
         verify=None, fvocab=None, datatype=np.float32):
    """Load vectors from any supported file; the format is found from the file's content.

    Parameters
    ----------
    path : str or Path
        A word2vec text or binary file, GloVe text, fastText ``.vec``, a w2v native
        file (vectors, model or items), or a file saved by gensim's ``save()`` (read
        without gensim, see :mod:`w2v.gensim_io`); gzip, bz2 and xz compression is undone.
    format : str, optional
        Insist on a format (one of :data:`FORMATS`); the content is still checked.
    limit : int, optional
        Read only the first ``limit`` vectors.
    mmap : {None, "r"}
        Memory-map the vectors instead of reading them (native files only).
    unicode_errors : str
        How to treat words that are not valid UTF-8: "strict" (error), "replace", "ignore".
    binary : bool, optional
        gensim's switch: True means word2vec binary, False a text format.
    verify : bool, optional
        Native files: check every array's checksum (see :func:`w2v.store.load`; by default
        full loads do, memory-mapped ones skip arrays over 64 MiB).
    fvocab : str or Path, optional
        word2vec formats: a vocabulary file (``word count`` lines) giving the keys' counts.
    datatype : numpy float type
        word2vec formats: the vectors' type (float16, float32, float64), as gensim's ``datatype``.

    Returns
    -------
    KeyedVectors
        Files without counts (all but native) get gensim's stand-in counts
        ``n, n-1, ..., 1`` so the file order reads as frequency order, unless ``fvocab`` gives them.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FormatError(f"{path}: no such file")
    if os.path.isdir(path):
        raise FormatError(f"{path}: is a directory, not a vectors file")
    if format is not None and format not in FORMATS:
        raise FormatError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    if limit is not None and int(limit) < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    detected = detect_format(path)
    if binary is not None:
        wanted = "word2vec-binary" if binary else ("glove" if detected == "glove" else "word2vec-text")
        if format is None:
            format = wanted
    if format == "fasttext-vec":
        format = "word2vec-text"
    if format is not None and format != detected:
        raise FormatError(f"{path}: asked to read {format}, but the content is {detected}")
    if detected == "native":
        return _load_native(path, limit, mmap, verify)
    if detected == "gensim":   # a gensim save() file: its vectors, read without running the pickle
        return KeyedVectors._from_native_arrays(gensim_io.read(path, mmap=mmap)[2], limit)
    if mmap:
        raise FormatError(f"{path}: only w2v's native format can be memory-mapped; this file is {detected} "
                          f"(convert it once with `w2v convert {path} vectors.w2v --to native`)")
    _, keys, vectors, counts = word2vec_io.read(path, detected, limit, encoding, unicode_errors, datatype, fvocab)
    return KeyedVectors(vectors.shape[1], dtype=vectors.dtype).set_vectors(keys, vectors, counts)


_SUFFIXES = {".bin": "word2vec-binary", ".txt": "word2vec-text", ".vec": "fasttext-vec",
             ".w2v": "native", ".kv": "native"}


def save(kv, path, format=None):
    """Write ``kv`` to ``path`` atomically as ``format`` (default: from the file name's suffix).

    Formats: word2vec-text, word2vec-binary, glove, fasttext-vec, native.  Text formats
    write each value as the shortest decimal that reads back as the same float32,
    so text round trips are exact.
    """
    path = os.fspath(path)
    if format is None:
        format = _SUFFIXES.get(os.path.splitext(path)[1].lower())
        if format is None:
            raise FormatError(f"{path}: cannot tell the format from the name; choose one of {', '.join(FORMATS)}")
    if format not in FORMATS:
        raise FormatError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    if format == "native":
        kv.save(path)
        return
    word2vec_io.write(path, kv.index_to_key, kv.vectors, format)
