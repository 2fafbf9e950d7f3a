"""Models and vectors saved by gensim's ``save()`` (pickles plus ``.npy`` side files), read
without gensim and without running anything the pickle asks for.

A gensim ``save()`` file is a Python pickle.  Unpickling runs whatever callables the file
names, so a pickle from someone else can run any code.  :class:`SafeUnpickler` admits only
the names gensim's Word2Vec and KeyedVectors files contain: gensim's own classes become inert
stand-ins of this module (plain attribute bags; gensim is never imported), numpy arrays and
dtypes are rebuilt by numpy's own reconstruction functions, a random state is swallowed
unread, and anything else is refused with a :class:`~w2v.errors.FormatError`
("refusing to run code from …").  Persistent ids are refused too.

:func:`read` turns such a file into what :func:`w2v.store.load` gives for a native file:
``(kind, meta, arrays)`` with kind ``"model"`` (a full model: ``meta["params"]`` and the
arrays ``vectors``, ``counts``, ``keys.blob``, ``keys.offsets``, ``syn1neg``, ``syn1``)
or ``"vectors"``.  So a gensim model becomes a w2v model by the same code path as a
native load, and training continues from its state.

Layouts read (gensim version that wrote them → where the pieces are):

* 4.x: ``Word2Vec`` with ``wv`` a ``KeyedVectors`` (``index_to_key``, ``vectors``,
  ``expandos["count"]``), ``syn1neg`` / ``syn1`` on the model.
* 3.3 – 3.8: ``wv`` a ``Word2VecKeyedVectors`` (``vectors``, ``vocab`` of ``Vocab(count,
  index)``, ``index2word``), ``trainables.syn1neg`` / ``syn1``, ``vocabulary.sample`` …
* 1.0 – 3.2: ``wv`` an ``EuclideanKeyedVectors`` (``syn0``, ``vocab``, ``index2word``),
  ``syn1neg`` / ``syn1`` and all parameters on the model.
* 0.12 – 0.13 ("pre-KeyedVectors"): ``syn0``, ``vocab``, ``index2word`` on the model.

Large arrays that gensim stored beside the pickle (``NAME.wv.vectors.npy``,
``NAME.syn1neg.npy``, …, or ``.npz`` for compressed saves) are read with ``np.load``
(pickles inside them refused) and memory-mapped when ``mmap="r"`` is asked for.
"""
import codecs
import collections
import io
import os
import pickle

import numpy as np

from .compression import open_file
from .errors import FormatError

#: gensim classes that its Word2Vec / KeyedVectors files hold (module, class name).
_GENSIM_CLASSES = {
    "Word2Vec", "KeyedVectors", "Word2VecKeyedVectors", "EuclideanKeyedVectors", "BaseKeyedVectors",
    "WordEmbeddingsKeyedVectors", "Vocab", "Word2VecVocab", "Word2VecTrainables", "Doc2VecKeyedVectors",
}
_GENSIM_MODULES = {"gensim.models.word2vec", "gensim.models.keyedvectors", "gensim.models.base_any2vec",
                   "gensim.models.deprecated.word2vec", "gensim.models.deprecated.keyedvectors"}


class GensimObject:
    """Stand-in for a gensim object read from a pickle: its attributes, nothing else."""

    gensim_class = "?"

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) == 2:   # (dict, slots)
            state = {**(state[0] or {}), **(state[1] or {})}
        if not isinstance(state, dict):
            raise FormatError(f"gensim {self.gensim_class} object with an unexpected state ({type(state).__name__})")
        self.__dict__.update(state)

    def __repr__(self):
        return f"<gensim {self.gensim_class} (stand-in)>"


def _stand_in(module, name):
    """A fresh stand-in class (one per file read, so that no pickle can alter another's classes)."""
    return type(name, (GensimObject,), {"gensim_class": name, "gensim_module": module})


class _Ignored:
    """Stands for something the pickle names but w2v does not need (gensim's random state,
    its hash function, a helper function): takes any arguments and state, keeps nothing, and
    refuses to be called as a function later."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass


class _IgnoredName:
    """A named thing (function or class) from the pickle kept only as a name."""

    def __init__(self, qualified):
        self.qualified = qualified

    def __call__(self, *args, **kwargs):   # e.g. numpy.random's pickle constructors
        return _Ignored()

    def __repr__(self):
        return f"<ignored {self.qualified}>"


def _latin1_encode(text, encoding="latin1"):
    """``_codecs.encode`` as protocol-2 pickles use it (bytes written by Python 3), text codecs only."""
    if codecs.lookup(encoding).name not in ("latin-1", "iso8859-1", "utf-8", "ascii"):
        raise pickle.UnpicklingError(f"_codecs.encode with codec {encoding!r}")
    return codecs.encode(text, encoding)


def _numpy_names():
    """numpy's reconstruction functions under every module name numpy 1.x and 2.x pickled them."""
    reconstruct = np.ndarray((0,)).__reduce__()[0]
    scalar = np.float32(0).__reduce__()[0]
    names = {}
    for core in ("numpy.core.multiarray", "numpy._core.multiarray"):
        names[(core, "_reconstruct")] = reconstruct
        names[(core, "scalar")] = scalar
    names[("numpy", "ndarray")] = np.ndarray
    names[("numpy", "dtype")] = np.dtype
    return names


_ALLOWED = {
    **_numpy_names(),
    ("_codecs", "encode"): _latin1_encode,
    ("collections", "defaultdict"): collections.defaultdict,
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "int"): int, ("__builtin__", "int"): int, ("__builtin__", "long"): int,
    ("builtins", "float"): float, ("__builtin__", "float"): float,
    ("builtins", "object"): object, ("__builtin__", "object"): object,
}
# Names kept only as names: gensim's hash function attribute, its `load` guard, numpy's random state.
_IGNORED = {("builtins", "hash"), ("__builtin__", "hash"), ("gensim.utils", "call_on_class_only")}
_IGNORED_MODULES = ("numpy.random",)


class SafeUnpickler(pickle.Unpickler):
    """Unpickles gensim Word2Vec / KeyedVectors files and refuses everything else."""

    def __init__(self, handle, path):
        super().__init__(handle, encoding="latin1")   # Python 2 pickles' numpy buffers are latin-1 str
        self.path = path
        self._stand_ins = {}

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module in _GENSIM_MODULES and name in _GENSIM_CLASSES:
            if (module, name) not in self._stand_ins:
                self._stand_ins[(module, name)] = _stand_in(module, name)
            return self._stand_ins[(module, name)]
        if (module, name) in _IGNORED or (module.startswith(_IGNORED_MODULES) and "." not in name):
            return _IgnoredName(f"{module}.{name}")
        if module.split(".")[0] == "gensim":
            raise FormatError(f"{self.path}: a gensim {name} file ({module}); w2v reads gensim's Word2Vec "
                              f"and KeyedVectors files only")
        raise FormatError(f"refusing to run code from {self.path}: the pickle asks for {module}.{name}, "
                          f"which is not part of a gensim Word2Vec or KeyedVectors file")

    def persistent_load(self, pid):
        raise FormatError(f"refusing to run code from {self.path}: the pickle uses persistent ids")


_PICKLE_STARTS = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")


def is_gensim_pickle(path):
    """True when ``path`` (possibly gzip/bz2 compressed) starts like a pickle of protocol 2-5."""
    try:
        handle, _ = open_file(path)
        with handle:
            return handle.read(2) in _PICKLE_STARTS
    except (OSError, EOFError):
        return False


def unpickle(path):
    """The object tree of a gensim pickle, through :class:`SafeUnpickler` (gensim stand-ins)."""
    path = os.fspath(path)
    handle, _ = open_file(path)
    with handle:
        data = handle.read()
    try:
        return SafeUnpickler(io.BytesIO(data), path).load()
    except FormatError:
        raise
    except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, IndexError, KeyError,
            ImportError) as exc:
        raise FormatError(f"{path}: not a readable gensim file ({type(exc).__name__}: {exc})") from None


def _load_side_arrays(obj, prefix, mmap, compressed):
    """Fill in the arrays gensim saved beside the pickle (``prefix.ATTR.npy``), recursively."""
    if not isinstance(obj, GensimObject):
        return
    state = obj.__dict__
    for attr in state.get("__recursive_saveloads", []):
        _load_side_arrays(getattr(obj, attr, None), f"{prefix}.{attr}", mmap, compressed)
    for attr in state.get("__numpys", []):
        side = f"{prefix}.{attr}.{'npz' if compressed else 'npy'}"
        if not os.path.exists(side):
            raise FormatError(f"{prefix}: gensim saved {attr!r} in a side file {side}, which is missing "
                              f"(keep the .npy files beside the model)")
        try:
            if compressed:
                with np.load(side, allow_pickle=False) as archive:
                    value = archive["val"]
            else:
                value = np.load(side, mmap_mode=mmap, allow_pickle=False)
        except ValueError as exc:
            raise FormatError(f"refusing to run code from {side}: {exc}") from None
        state[attr] = value
    if state.get("__scipys"):
        raise FormatError(f"{prefix}: holds sparse matrices ({', '.join(state['__scipys'])}), "
                          f"which a Word2Vec or KeyedVectors file does not")
    for attr in state.get("__ignoreds", []):
        state[attr] = None


def load_tree(path, mmap=None):
    """The gensim object of ``path`` (a stand-in) with its side arrays loaded."""
    path = os.fspath(path)
    root = unpickle(path)
    if not isinstance(root, GensimObject):
        raise FormatError(f"{path}: a pickle of {type(root).__name__}, not a gensim model or vectors")
    _load_side_arrays(root, path, mmap, path.endswith((".gz", ".bz2")))
    return root


# ---------------------------------------------------------------------------------------------
# gensim objects → w2v's native contract
# ---------------------------------------------------------------------------------------------
def _attr(obj, *names, default=None):
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return default


def _keyed_vectors(path, kv, holder=None):
    """(keys, vectors, counts, layout) from a gensim KeyedVectors of any version, or from an
    old model that kept ``syn0``/``vocab`` itself (``holder``)."""
    src = kv if kv is not None else holder
    vectors = _attr(src, "vectors", "syn0")
    if vectors is None:
        raise FormatError(f"{path}: the gensim object has no vectors (no 'vectors' or 'syn0')")
    keys = _attr(src, "index_to_key", "index2word", "index2entity")
    if getattr(src, "index_to_key", None) is not None:
        layout = "4.x"
        keys = list(keys)
        expandos = getattr(src, "expandos", None) or {}
        counts = expandos.get("count")
    else:
        vocab = getattr(src, "vocab", None) or {}
        if keys is None:   # order by index
            keys = sorted(vocab, key=lambda w: vocab[w].index)
        keys = list(keys)
        counts = np.array([int(getattr(vocab[k], "count", 0)) if k in vocab else 0 for k in keys], np.int64)
        cls = getattr(type(src), "gensim_class", "")
        layout = {"Word2VecKeyedVectors": "3.3-3.8", "Word2Vec": "0.12-0.13"}.get(cls, "1.0-3.2")
    keys = [k.decode("utf-8") if isinstance(k, bytes) else str(k) for k in keys]
    if len(keys) != len(vectors):
        raise FormatError(f"{path}: {len(keys)} words but {len(vectors)} vectors")
    if counts is None or len(counts) != len(keys):
        counts = np.arange(len(keys), 0, -1, dtype=np.int64)
    return keys, vectors, np.asarray(counts, dtype=np.int64), layout


def _as_float32(array):
    if array is None:
        return None
    return array if array.dtype == np.float32 else np.asarray(array, dtype=np.float32)


def _number(value, kind=float):
    return None if value is None else kind(value)


def _model_params(model):
    """w2v's parameters from a gensim Word2Vec of any version (gensim's names; older ones mapped)."""
    vocabulary = getattr(model, "vocabulary", None)   # 3.3-3.8 keep some settings there
    trainables = getattr(model, "trainables", None)

    def find(*names, default=None):
        for holder in (model, vocabulary, trainables):
            if holder is not None:
                value = _attr(holder, *names)
                if value is not None:
                    return value
        return default

    wv = getattr(model, "wv", None)
    vector_size = find("vector_size", "layer1_size", "size") or _attr(wv, "vector_size")
    params = {
        "vector_size": int(vector_size),
        "alpha": float(find("alpha", default=0.025)),
        "min_alpha": float(find("min_alpha", default=0.0001)),
        "window": int(find("window", default=5)),
        "min_count": int(find("min_count", default=5)),
        "max_vocab_size": _number(find("max_vocab_size"), int),
        "max_final_vocab": _number(find("max_final_vocab"), int),
        "sample": float(find("sample", default=1e-3)),
        "seed": int(find("seed", default=1)),
        "workers": int(find("workers", default=3)),
        "sg": int(find("sg", default=0)),
        "hs": int(find("hs", default=0)),
        "negative": int(find("negative", default=5)),
        "ns_exponent": float(find("ns_exponent", default=0.75)),
        "cbow_mean": int(find("cbow_mean", default=1)),
        "epochs": int(find("epochs", "iter", default=5)),
        "sorted_vocab": int(find("sorted_vocab", default=1)),
        "batch_words": int(find("batch_words", default=10000)),
        "compute_loss": bool(find("compute_loss", default=False)),
        "shrink_windows": bool(find("shrink_windows", default=True)),
    }
    comment = find("comment")
    params["comment"] = comment if isinstance(comment, str) else None
    return params


def read(path, mmap=None):
    """Read a gensim ``save()`` file as ``(kind, meta, arrays)`` in w2v's native contract.

    kind is ``"model"`` for a full Word2Vec (``meta["params"]``, ``corpus_count``, …; arrays
    ``vectors``, ``counts``, ``keys.blob``, ``keys.offsets`` and ``syn1neg``/``syn1`` where
    the model has them) or ``"vectors"`` for KeyedVectors.  ``meta["gensim"]`` says which
    class and layout the file had.
    """
    from . import store

    path = os.fspath(path)
    root = load_tree(path, mmap)
    cls = type(root).gensim_class
    if cls == "Word2Vec":
        wv = getattr(root, "wv", None)
        keys, vectors, counts, layout = _keyed_vectors(path, wv, holder=root)
        if wv is None:
            layout = "0.12-0.13"
        trainables = getattr(root, "trainables", None)
        syn1neg = _attr(root, "syn1neg") if trainables is None else _attr(trainables, "syn1neg")
        syn1 = _attr(root, "syn1") if trainables is None else _attr(trainables, "syn1")
        params = _model_params(root)
        kind = "model"
        meta = {"params": params, "corpus_count": int(getattr(root, "corpus_count", 0) or 0),
                # gensim before 2.0 did not keep it; gensim's load then says None, not 0
                "corpus_total_words": _number(getattr(root, "corpus_total_words", None), int),
                "train_count": int(getattr(root, "train_count", 0) or 0),
                "total_train_time": float(getattr(root, "total_train_time", 0.0) or 0.0)}
        extra = {}
        if syn1neg is not None and params["negative"]:
            extra["syn1neg"] = _as_float32(syn1neg)
        if syn1 is not None and params["hs"]:
            extra["syn1"] = _as_float32(syn1)
        for name, array in extra.items():
            if array.shape != vectors.shape:
                raise FormatError(f"{path}: {name} has shape {array.shape}, the vectors {vectors.shape}")
    elif cls in ("KeyedVectors", "Word2VecKeyedVectors", "EuclideanKeyedVectors", "BaseKeyedVectors",
                 "WordEmbeddingsKeyedVectors"):
        keys, vectors, counts, layout = _keyed_vectors(path, root)
        kind, meta, extra = "vectors", {"vector_size": int(vectors.shape[1])}, {}
    else:
        raise FormatError(f"{path}: a gensim {cls}, not a Word2Vec model or KeyedVectors")
    meta["gensim"] = {"class": cls, "layout": layout}
    blob, offsets = store.encode_strings(keys)
    arrays = {"vectors": _as_float32(vectors), "counts": counts, "keys.blob": blob, "keys.offsets": offsets}
    arrays.update(extra)
    return kind, meta, arrays


def describe(path):
    """What a gensim file is, for ``w2v info``: class, layout, side files."""
    path = os.fspath(path)
    _, meta, arrays = read(path, mmap="r")
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    side = sorted(f for f in os.listdir(directory) if f.startswith(base + ".") and f.endswith((".npy", ".npz")))
    info = {"gensim_class": meta["gensim"]["class"], "gensim_layout": meta["gensim"]["layout"]}
    if side:
        info["side_files"] = side
    if "params" in meta:
        info["training_state"] = "kept" if ("syn1neg" in arrays or "syn1" in arrays) else "none"
    return info
