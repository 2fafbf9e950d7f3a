"""KeyedVectors: a vocabulary of keys and one vector per key, and everything done with them.

This is what ships and what queries run against; :class:`w2v.Word2Vec` keeps its
trained input matrix here as ``model.wv``.  Names and semantics follow gensim 4's
``KeyedVectors`` (gensim 4.4's own KeyedVectors unit tests pass on it: scripts/gensim_tests_on_w2v.py).

Speed: the unit-length copy of the vectors is built once, on the first query, and
reused until the vectors change (:meth:`KeyedVectors._clear_cache`).  On a small
vocabulary a query is one matrix-vector product plus a partial sort for the top k.
From ``FAST_SEARCH_MIN_ROWS`` rows on, ``most_similar`` first scans an int8 copy of the
unit vectors (a quarter of the bytes; the scan is memory-bound) for guaranteed score
intervals and scores exactly only the rows that can still make the top k
(:mod:`w2v.kernels.query`); the results are identical to the plain path's.  Many
queries at once (:meth:`KeyedVectors.most_similar_batch`, analogy evaluation)
are one matrix-matrix product per block.
"""
import difflib
import itertools
import logging

import numpy as np

from . import store, word2vec_io
from .errors import MissingExtraError, W2VError

logger = logging.getLogger(__name__)

_KEY_TYPES = (str, int, np.integer)

# A block of batched query scores is at most this many floats (128 MB of float32),
# so that batches over a big vocabulary never allocate queries × vocabulary at once.
_BLOCK_FLOATS = 1 << 25

# From this many searched rows on, most_similar scans an int8 copy of the unit vectors first
# (exact results, see KeyedVectors._fast_top_k); below it one float32 product is as quick.
FAST_SEARCH_MIN_ROWS = 50_000


def cosine_similarity(a, b):
    """Cosine similarity of two vectors, or of a vector and each row of a matrix.

    ``a`` and ``b`` may be lists or arrays.  With two vectors the result is a float;
    with a vector and a matrix (either order) it is an array with one value per row.
    A zero vector has similarity 0 with everything.

    >>> round(cosine_similarity([-0.4, 0.8, 0.5, -0.2, 0.3], [-0.3, 0.2, 0.3, -0.4, 0.9]), 2)
    0.66
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim == 2 and b.ndim == 1:
        a, b = b, a
    if a.ndim != 1 or b.ndim not in (1, 2):
        raise ValueError(f"cosine_similarity takes two vectors or a vector and a matrix, got shapes {a.shape} and {b.shape}")
    if a.shape[0] != b.shape[-1]:
        raise ValueError(f"vectors of different lengths: {a.shape[0]} and {b.shape[-1]}")
    norm_a = np.linalg.norm(a)
    norms_b = np.linalg.norm(b, axis=-1)
    denominator = norm_a * norms_b
    dots = b @ a
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.where(denominator > 0, dots / np.where(denominator > 0, denominator, 1.0), 0.0)
    return float(result) if b.ndim == 1 else result


def _unitvec(vector):
    vector = np.asarray(vector)
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def _ensure_list(value):
    """A single key or vector may stand for a list of one (as in gensim)."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    return list(value)


def missing_message(missing, suggest=None, noun="key"):
    """"keys not in vocabulary: 'x' (did you mean 'y'?), ..." for the keys ``missing``;
    ``suggest(key)`` gives the spelling hints."""
    parts = []
    for key in missing:
        close = suggest(key) if suggest is not None and isinstance(key, str) else []
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        parts.append(f"{key!r}{hint}")
    return f"{noun if len(missing) == 1 else noun + 's'} not in vocabulary: {', '.join(parts)}"


def _search_end(restrict_vocab, n):
    """How many of the first keys a query searches: ``restrict_vocab`` of them (all if None)."""
    _check_restrict_vocab(restrict_vocab)
    return min(restrict_vocab or n, n)


def _check_restrict_vocab(restrict_vocab):
    """``restrict_vocab`` must be None or >= 0 (gensim silently searches a negative slice)."""
    if restrict_vocab is not None and int(restrict_vocab) < 0:
        raise ValueError(f"restrict_vocab must be None or >= 0, got {restrict_vocab}")


def top_k(scores, k, exclude=()):
    """Indices of the ``k`` highest ``scores`` in descending order, skipping ``exclude``.

    A partial sort (``argpartition``) selects the candidates, so the cost is linear in
    ``len(scores)`` plus ``k log k``.  Equal scores are ordered by index.  NaN scores (a
    broken vector) are never returned.
    """
    nan = np.isnan(scores)
    if nan.any():
        scores = np.where(nan, -np.inf, scores)
        exclude = itertools.chain(exclude, np.flatnonzero(nan).tolist())
    n = scores.shape[0]
    exclude = set(int(i) for i in exclude)
    want = min(n, k + len(exclude))
    if want <= 0:
        return np.zeros(0, dtype=np.int64)
    if want < n:
        candidates = np.argpartition(scores, n - want)[n - want:]
        # argpartition keeps an arbitrary subset of the rows tied with the cut-off; keep them
        # all so that ties are always broken by index (and the fast path can match exactly).
        cutoff = scores[candidates].min()
        if cutoff == cutoff:   # not nan
            candidates = np.flatnonzero(scores >= cutoff)
    else:
        candidates = np.arange(n)
    order = np.lexsort((candidates, -scores[candidates]))
    best = candidates[order]
    if exclude:
        best = best[~np.isin(best, list(exclude))]
    return best[:k]


def top_k_rows(scores, k):
    """Row-wise :func:`top_k` of a 2-D score block: (rows × k) indices, best first, equal
    scores ordered by index.  NaN scores are set to -inf in place (callers drop -inf)."""
    scores[np.isnan(scores)] = -np.inf
    rows, n = scores.shape
    k = min(k, n)
    if k <= 0:
        return np.zeros((rows, 0), dtype=np.int64)
    if k < n:
        candidates = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        candidates = np.broadcast_to(np.arange(n), (rows, n)).copy()
    picked = np.take_along_axis(scores, candidates, axis=1)
    best = np.take_along_axis(candidates, np.lexsort((candidates, -picked), axis=1), axis=1)
    if k < n:
        # argpartition keeps an arbitrary subset of the entries tied with the k-th; the rows
        # that have such ties are redone by top_k, which keeps them all and orders them by index
        tied = (scores >= picked.min(axis=1)[:, None]).sum(axis=1) > k
        for r in np.flatnonzero(tied):
            best[r] = top_k(scores[r], k)
    return best


def _gensim3_name(message):
    """A read-only attribute that raises gensim 4's AttributeError for a name gensim 3 had."""
    def gone(self):
        raise AttributeError(f"{message} (w2v follows gensim 4)")

    return property(gone)


class KeyedVectors:
    """Keys (words or items) mapped to rows of ``vectors``, with gensim's names."""

    def __init__(self, vector_size, count=0, dtype=np.float32, mapfile_path=None):
        self.vector_size = int(vector_size)
        # As gensim: ``count`` slots are allocated up front, their keys None until add_vector fills them.
        self.index_to_key = [None] * int(count)
        self.key_to_index = {}
        self.next_index = 0
        self.vectors = np.zeros((count, self.vector_size), dtype=dtype)
        self.counts = np.zeros(count, dtype=np.int64)
        self._attrs = {}    # per-key attributes other than "count" (gensim's expandos)
        self.mapfile_path = mapfile_path
        # Training's per-row lock factors (gensim's Word2Vec sets the same): one factor 1.0 means
        # every row trains; intersect_word2vec_format or the user give one per row to lock some.
        self.vectors_lockf = np.ones(1, dtype=np.float32)
        self._clear_cache()

    def __repr__(self):
        return f"<KeyedVectors: {len(self)} keys, vector_size={self.vector_size}>"

    __str__ = __repr__

    # -- building -------------------------------------------------------------------------
    def set_vectors(self, keys, vectors, counts=None):
        """Replace all keys and vectors (``vectors`` is used as is, not copied)."""
        keys = list(keys)
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys but {len(vectors)} vectors")
        self.index_to_key = keys
        self.key_to_index = dict(zip(keys, range(len(keys))))
        if len(self.key_to_index) != len(keys):
            raise ValueError("duplicate keys")
        self.vectors = vectors
        self.vector_size = vectors.shape[1]
        self.counts = np.zeros(len(keys), np.int64) if counts is None else np.asarray(counts, np.int64)
        self.next_index = len(keys)
        self.allocate_vecattrs()
        self._clear_cache()
        return self

    def _clear_cache(self):
        """Forget anything derived from ``vectors`` (call after the vectors change)."""
        self._norms = None
        self._normed = None
        self._quantized = None
        self._suggest_cache = None

    def add_vectors(self, keys, weights, extras=None, replace=False):
        """Append keys and their vectors; existing keys keep their vector unless ``replace``.

        ``extras`` maps attribute names (``"count"`` or any other, see :meth:`set_vecattr`) to
        one value per key, set for the new keys (and, with ``replace``, the existing ones).
        """
        if isinstance(keys, _KEY_TYPES):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
            extras = {attr: np.asarray(value).reshape(1) for attr, value in (extras or {}).items()}
        keys = list(keys)
        extras = {attr: np.asarray(value) for attr, value in (extras or {}).items()}
        for attr, value in extras.items():
            if value.shape != (len(keys),):
                raise ValueError(f"extras[{attr!r}] needs one value per key ({len(keys)}), got shape {value.shape}")
        self.allocate_vecattrs(list(extras), [value.dtype.type for value in extras.values()])
        weights = np.asarray(weights, dtype=self.vectors.dtype)
        if weights.ndim != 2 or weights.shape[0] != len(keys):
            raise ValueError(f"{len(keys)} keys need a ({len(keys)}, {self.vector_size}) array of vectors, got {weights.shape}")
        if len(self.index_to_key) and weights.shape[1] != self.vector_size:
            raise ValueError(f"vectors have {weights.shape[1]} dimensions, these KeyedVectors have {self.vector_size}")
        known = np.array([k in self.key_to_index for k in keys], dtype=bool)
        new_rows, seen = [], set()
        for i in np.flatnonzero(~known):
            key = keys[i]
            if key in seen:  # a key repeated within the call: its first vector wins, as for existing keys
                continue
            seen.add(key)
            self.key_to_index[key] = len(self.index_to_key)
            self.index_to_key.append(key)
            new_rows.append(i)
        new_rows = np.asarray(new_rows, dtype=np.int64)
        if not len(self.vectors):
            self.vector_size = weights.shape[1]
            self.vectors = np.empty((0, self.vector_size), dtype=weights.dtype)
        self.vectors = np.vstack((self.vectors, weights[new_rows]))
        self.next_index = len(self.index_to_key)
        self.allocate_vecattrs()    # every attribute (counts too) gets a zero for each new key
        for attr, value in extras.items():
            self._attr_array(attr)[len(self.index_to_key) - len(new_rows):] = value[new_rows]
        if replace and known.any():
            if not self.vectors.flags.writeable:
                self.vectors = np.array(self.vectors)
            rows = [self.key_to_index[keys[i]] for i in np.flatnonzero(known)]
            self.vectors[rows] = weights[known]
            for attr, value in extras.items():
                self._attr_array(attr)[rows] = value[known]
        self._clear_cache()

    def add_vector(self, key, vector):
        """Add one key and vector; return its index (an existing key keeps its old vector).

        Fills the next slot allocated by ``KeyedVectors(vector_size, count)`` if one is free,
        as gensim does, else appends.
        """
        target = getattr(self, "next_index", len(self.index_to_key))
        if key not in self.key_to_index and target < len(self.index_to_key) and self.index_to_key[target] is None:
            if not self.vectors.flags.writeable:
                self.vectors = np.array(self.vectors)
            self.index_to_key[target] = key
            self.key_to_index[key] = target
            self.vectors[target] = np.asarray(vector).reshape(-1)
            self.next_index = target + 1
            self._clear_cache()
            return target
        self.add_vectors([key], np.asarray(vector).reshape(1, -1))
        return self.key_to_index[key]

    def vectors_for_all(self, keys, allow_inference=True, copy_vecattrs=False):
        """A new KeyedVectors holding the vectors of ``keys`` that are here, in the order given,
        each once (keys that are not here are left out, as in gensim).

        ``allow_inference`` matters only where vectors can be made up for unknown keys
        (gensim's FastText); here, as for gensim's KeyedVectors, it decides whether an int is
        taken as a row index.  ``copy_vecattrs`` copies the keys' attributes (counts and any
        set with :meth:`set_vecattr`); otherwise the new vectors' counts are zero.
        """
        wanted, seen = [], set()
        for key in keys:
            if key in seen:
                continue
            seen.add(key)
            if (key in self) if allow_inference else (key in self.key_to_index):
                wanted.append(key)
        rows = np.asarray([self.get_index(k) for k in wanted], dtype=np.int64)
        kv = KeyedVectors(self.vector_size, dtype=self.vectors.dtype)
        kv.set_vectors(wanted, np.array(self.vectors[rows]) if len(rows) else
                       np.zeros((0, self.vector_size), self.vectors.dtype))
        if copy_vecattrs:
            for attr, values in self.expandos.items():
                if attr == "count":
                    kv.counts = np.array(values[rows], dtype=np.int64)
                else:
                    kv._attrs[attr] = np.array(values[rows])
        return kv

    def sort_by_descending_frequency(self):
        """Reorder keys (and their vectors and attributes) by descending count; equal counts keep
        their order (gensim puts the later key first)."""
        if not len(self):
            return
        order = np.argsort(-np.asarray(self.counts, dtype=np.int64), kind="stable")
        self.index_to_key = [self.index_to_key[i] for i in order.tolist()]
        self.key_to_index = {key: i for i, key in enumerate(self.index_to_key)}
        self.allocate_vecattrs()
        self.counts = np.asarray(self.counts)[order]
        for attr in list(self._attrs):
            self._attrs[attr] = self._attrs[attr][order]
        if len(self.vectors):
            self.vectors = np.asarray(self.vectors)[order]
        lockf = getattr(self, "vectors_lockf", None)
        if lockf is not None and np.size(lockf) == len(order):
            self.vectors_lockf = np.asarray(lockf)[order]
        self.next_index = len(self.index_to_key)
        self._clear_cache()

    def resize_vectors(self, seed=0):
        """Give ``vectors`` one row per key in ``index_to_key``: existing rows are kept, new ones
        drawn uniformly from [-1/d, 1/d) with ``seed`` (gensim's values for the same seed);
        attribute arrays are resized too."""
        target = (len(self.index_to_key), self.vector_size)
        if self.vectors.shape != target:
            wide = self.vectors.dtype == np.float64
            fresh = np.random.default_rng(seed=seed).random(target, dtype=np.float64 if wide else np.float32)
            fresh *= 2.0
            fresh -= 1.0
            fresh /= self.vector_size
            fresh = fresh.astype(self.vectors.dtype, copy=False)
            keep = min(len(self.vectors), target[0])
            fresh[:keep, :self.vectors.shape[1]] = self.vectors[:keep]
            self.vectors = fresh
        self.allocate_vecattrs()
        self._clear_cache()

    def __setitem__(self, keys, weights):
        if not isinstance(keys, list):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    def add_lifecycle_event(self, event_name, log_level=logging.INFO, **event):
        """Record an event in ``lifecycle_events`` and log it, as gensim's objects do."""
        event = {**event, "event": event_name}
        self.__dict__.setdefault("lifecycle_events", []).append(event)
        if log_level:
            logger.log(log_level, "%s lifecycle event %s", type(self).__name__, event)

    # -- gensim 3 names: gensim 4 raises a helpful AttributeError for them, and so does w2v -------
    index2word = _gensim3_name("The index2word attribute has been replaced by index_to_key since gensim 4.0.0: "
                               "use kv.index_to_key")
    index2entity = _gensim3_name("The index2entity attribute has been replaced by index_to_key since gensim 4.0.0: "
                                 "use kv.index_to_key")
    vocab = _gensim3_name("The vocab attribute was removed from KeyedVectors in gensim 4.0.0: use kv.key_to_index, "
                          "kv.index_to_key and kv.get_vecattr(key, 'count')")
    vectors_norm = _gensim3_name("The vectors_norm attribute is computed on demand since gensim 4.0.0: "
                                 "use kv.get_normed_vectors()")

    def similarity_unseen_docs(self, *args, **kwargs):
        raise NotImplementedError("Call similarity_unseen_docs on a Doc2Vec model instead.")

    # -- basic access ---------------------------------------------------------------------
    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, key):
        return self.has_index_for(key)

    def __iter__(self):
        return iter(self.index_to_key)

    def has_index_for(self, key):
        """Whether ``key`` is a key, or (as in gensim) an int index of a row."""
        return self.get_index(key, -1) >= 0

    def get_index(self, key, default=None):
        index = self.key_to_index.get(key)
        if index is not None:
            return index
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool) and 0 <= key < len(self.index_to_key):
            return int(key)
        if default is not None:
            return default
        raise KeyError(self._missing_message([key]))

    def _indices(self, keys):
        """Indices of ``keys``; one KeyError naming every missing key."""
        indices, missing = [], []
        for key in keys:
            index = self.get_index(key, -1)
            if index < 0:
                missing.append(key)
            indices.append(index)
        if missing:
            raise KeyError(self._missing_message(missing))
        return np.asarray(indices, dtype=np.int64)

    def get_vector(self, key, norm=False):
        index = self.get_index(key)
        if norm:
            result = self.get_normed_vectors()[index]
        else:
            result = self.vectors[index]
        result = result.view()
        result.setflags(write=False)  # writing through it would leave the cached unit vectors stale
        return result

    def word_vec(self, key, norm=False):
        return self.get_vector(key, norm=norm)

    def __getitem__(self, key_or_keys):
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        return self.vectors[self._indices(key_or_keys)]

    @property
    def expandos(self):
        """gensim's per-key attribute arrays by name: ``"count"`` (the array ``counts``) and
        those set with :meth:`set_vecattr` or :meth:`allocate_vecattrs`."""
        return {"count": self.counts, **self.__dict__.setdefault("_attrs", {})}

    def _attr_array(self, attr):
        """The writable array of attribute ``attr``."""
        if attr == "count":
            if not self.counts.flags.writeable:
                self.counts = np.array(self.counts)
            return self.counts
        return self.expandos[attr]

    def allocate_vecattrs(self, attrs=None, types=None):
        """Make an array for each attribute in ``attrs`` (of the matching numpy type in ``types``)
        and give every attribute array one entry per key, as gensim: new entries are zero,
        entries past the last key are dropped.  A type that does not fit an existing
        attribute's array is a TypeError."""
        target = len(self.index_to_key)
        for attr, kind in zip(attrs or (), types or ()):
            kind = np.int64 if kind is int else object if kind is str else kind
            existing = self.expandos.get(attr)
            if existing is None:
                self.__dict__.setdefault("_attrs", {})[attr] = np.zeros(target, dtype=kind)
            elif not np.issubdtype(kind, existing.dtype):
                raise TypeError(f"Can't allocate type {kind} for attribute {attr}, "
                                f"conflicts with its existing type {existing.dtype}")
        for attr, values in self.expandos.items():
            if len(values) != target:
                grown = np.zeros(target, dtype=values.dtype)
                keep = min(target, len(values))
                grown[:keep] = values[:keep]
                if attr == "count":
                    self.counts = grown
                else:
                    self._attrs[attr] = grown

    def get_vecattr(self, key, attr):
        """The value of the per-key attribute ``attr`` (``"count"``, or one set with :meth:`set_vecattr`)."""
        values = self.expandos.get(attr)
        if values is None:
            raise KeyError(f"no vector attribute {attr!r} (attributes: {', '.join(sorted(self.expandos))})")
        value = values[self.get_index(key)]
        return int(value) if attr == "count" else value

    def set_vecattr(self, key, attr, val):
        """Set the per-key attribute ``attr`` of ``key`` to ``val`` (the attribute's array is made on first use)."""
        self.allocate_vecattrs([attr], [type(val)])
        self._attr_array(attr)[self.get_index(key)] = val

    # -- unknown keys ---------------------------------------------------------------------
    def _missing_message(self, missing):
        return missing_message(missing, self.suggest)

    def suggest(self, word, n=3):
        """Up to ``n`` vocabulary keys spelled like ``word`` (for 'did you mean' hints).

        Only the 100,000 first (usually most frequent) keys of similar length are
        compared, so a typo on a 3-million-word vocabulary costs milliseconds.
        """
        if self._suggest_cache is None:
            head = [k for k in self.index_to_key[:100_000] if isinstance(k, str)]
            lengths = np.fromiter((len(k) for k in head), dtype=np.int64, count=len(head))
            self._suggest_cache = (head, lengths)
        head, lengths = self._suggest_cache
        if not head:
            return []
        near = np.flatnonzero(np.abs(lengths - len(word)) <= 2)
        if len(near) > 20_000:
            # Typos rarely change the first letter; keep the comparison cheap on huge vocabularies.
            first = word[:1].lower()
            near = np.asarray([i for i in near if head[i][:1].lower() == first], dtype=np.int64)
        candidates = [head[i] for i in near]
        same_case = [c for c in candidates if c.lower() == word.lower() and c != word]
        close = difflib.get_close_matches(word, candidates, n=n, cutoff=0.75)
        return list(dict.fromkeys(same_case + close))[:n]

    # -- norms ----------------------------------------------------------------------------
    def fill_norms(self, force=False):
        """Compute the L2 norm of every vector once, into :attr:`norms` (gensim's name; returns None
        as gensim's does).  ``force`` recomputes them, for vectors changed in place."""
        if self._norms is None or force:
            if force:
                self._clear_cache()
            self._norms = np.linalg.norm(self.vectors, axis=1).astype(self.vectors.dtype, copy=False) \
                if len(self.vectors) else np.zeros(0, dtype=self.vectors.dtype)

    @property
    def norms(self):
        """The L2 norm of every vector (computed on first use)."""
        self.fill_norms()
        return self._norms

    @norms.setter
    def norms(self, value):
        """gensim code sets ``kv.norms = None`` after changing vectors: forget everything derived from them."""
        self._clear_cache()
        if value is not None:
            self._norms = np.asarray(value)

    def get_normed_vectors(self):
        """All vectors scaled to unit length, computed once and cached (zero vectors stay zero)."""
        if self._normed is None:
            norms = self.norms
            safe = np.where(norms > 0, norms, 1).astype(self.vectors.dtype)
            self._normed = np.asarray(self.vectors) / safe[:, None]
        return self._normed

    def init_sims(self, replace=False):
        """Obsolete in gensim 4 too: computes the norms; ``replace=True`` also scales the vectors
        themselves to unit length (their lengths are lost)."""
        self.fill_norms()
        if replace:
            logger.warning("destructive init_sims(replace=True) deprecated & no longer required for space-efficiency")
            self.unit_normalize_all()

    def unit_normalize_all(self):
        """Scale the stored vectors themselves to unit length (cannot be undone)."""
        self.vectors = self.get_normed_vectors().copy()
        self._clear_cache()

    # -- similarity -----------------------------------------------------------------------
    @staticmethod
    def cosine_similarities(vector_1, vectors_all):
        """Cosine similarity of ``vector_1`` to each row of ``vectors_all`` (0 for a zero row)."""
        return cosine_similarity(vector_1, np.atleast_2d(vectors_all))

    def similarity(self, w1, w2):
        """Cosine similarity of two keys."""
        i, j = self._indices([w1, w2])
        normed = self.get_normed_vectors()
        if i == j and self.norms[i] > 0:
            return 1.0   # exactly, not 1 ± rounding (gensim's float32 dot product gives 1.0000001 or so)
        return float(np.dot(normed[i], normed[j]))

    def distance(self, w1, w2):
        """Cosine distance (1 − similarity) of two keys; exactly 0 for a key and itself."""
        if w1 == w2:
            self._indices([w1])
            return 0.0
        return 1.0 - self.similarity(w1, w2)

    def n_similarity(self, ws1, ws2):
        """Cosine similarity of the means of two sets of keys."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed lists is empty.")
        mean1 = self.get_mean_vector(ws1, pre_normalize=False, ignore_missing=False)
        mean2 = self.get_mean_vector(ws2, pre_normalize=False, ignore_missing=False)
        return float(np.dot(_unitvec(mean1), _unitvec(mean2)))

    def distances(self, word_or_vector, other_words=()):
        """Cosine distances from a key or vector to ``other_words`` (default: every key)."""
        if isinstance(word_or_vector, _KEY_TYPES):
            query = self.get_vector(word_or_vector, norm=True)
        else:
            query = _unitvec(np.asarray(word_or_vector, dtype=self.vectors.dtype))
        normed = self.get_normed_vectors()
        if other_words is None or len(other_words) == 0:
            return 1 - normed @ query
        return 1 - normed[self._indices(other_words)] @ query

    def get_mean_vector(self, keys, weights=None, pre_normalize=True, post_normalize=False, ignore_missing=True):
        """Weighted mean of keys' (unit, if ``pre_normalize``) vectors; keys may also be vectors."""
        keys = _ensure_list(keys)
        if len(keys) == 0:
            raise ValueError("cannot compute mean with no input")
        dtype = self.vectors.dtype
        weights = np.ones(len(keys), dtype=dtype) if weights is None else np.asarray(weights, dtype=dtype)
        if weights.shape != (len(keys),):
            raise ValueError("keys and weights array must have same number of elements")
        rows, row_weights, raw, raw_weights, missing = [], [], [], [], []
        for key, weight in zip(keys, weights):
            if isinstance(key, np.ndarray):
                raw.append(key)
                raw_weights.append(weight)
                continue
            index = self.get_index(key, -1) if isinstance(key, _KEY_TYPES) else -1
            if index >= 0:
                rows.append(index)
                row_weights.append(weight)
            elif not ignore_missing:
                missing.append(key)
        if missing:
            raise KeyError(self._missing_message(missing))
        mean = np.zeros(self.vector_size, dtype=dtype)
        total = 0.0
        if rows:
            source = self.get_normed_vectors() if pre_normalize else self.vectors
            row_weights = np.asarray(row_weights, dtype=dtype)
            mean += row_weights @ source[np.asarray(rows)]
            total += float(np.abs(row_weights).sum())
        for vector, weight in zip(raw, raw_weights):
            mean += weight * vector.astype(dtype, copy=False)
            total += abs(float(weight))
        if total > 0:
            mean = mean / dtype.type(total)
        if post_normalize:
            mean = _unitvec(mean).astype(dtype, copy=False)
        return mean

    # -- neighbours -----------------------------------------------------------------------
    def _weighted_terms(self, positive, negative):
        """(keys-or-vectors, weights, indices of input keys) for most_similar-style queries."""
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        terms, weights = [], []
        for items, default in ((positive, 1.0), (negative, -1.0)):
            for item in items:
                if isinstance(item, (*_KEY_TYPES, np.ndarray)):
                    terms.append(item)
                    weights.append(default)
                else:  # (key or vector, weight)
                    terms.append(item[0])
                    weights.append(item[1])
        return terms, np.asarray(weights, dtype=self.vectors.dtype), self._key_rows(terms)

    def _key_rows(self, terms):
        """Rows of the keys among ``terms`` (vectors are skipped); one KeyError naming every missing key."""
        return self._indices([t for t in terms if isinstance(t, _KEY_TYPES)]).tolist()

    def most_similar(self, positive=None, negative=None, topn=10, clip_start=0, clip_end=None,
                     restrict_vocab=None, indexer=None):
        """The ``topn`` keys closest (cosine) to the mean of ``positive`` minus ``negative``.

        Items of ``positive``/``negative`` are keys, vectors, or ``(key_or_vector, weight)``
        pairs.  Input keys are left out of the result.  ``restrict_vocab=n`` searches only
        the first n keys.  ``topn=None`` returns the array of all similarities.
        """
        if isinstance(topn, (int, np.integer)) and topn < 1:
            return []
        terms, weights, inputs = self._weighted_terms(positive, negative)
        if not terms:
            raise ValueError("cannot compute similarity with no input")
        mean = self.get_mean_vector(terms, weights, pre_normalize=True, post_normalize=True, ignore_missing=False)
        if indexer is not None and isinstance(topn, (int, np.integer)):
            return indexer.most_similar(mean, topn)
        _check_restrict_vocab(restrict_vocab)
        clip_end = clip_end or len(self.vectors)
        if restrict_vocab:
            clip_start, clip_end = 0, restrict_vocab
        clip_end = min(clip_end, len(self.vectors))
        if not topn:
            return self.get_normed_vectors()[clip_start:clip_end] @ mean
        exclude = np.asarray(sorted({i - clip_start for i in inputs if clip_start <= i < clip_end}), np.int64)
        found = None
        if clip_end - clip_start >= FAST_SEARCH_MIN_ROWS:
            found = self._fast_top_k(mean, clip_start, clip_end, int(topn), exclude)
        if found is None:
            found = self._plain_top_k(mean, clip_start, clip_end, int(topn), exclude)
        keys = self.index_to_key
        return [(keys[i + clip_start], float(s)) for i, s in zip(*found)]

    def _exact_scores(self, rows, query):
        """Cosine scores of ``rows`` as they are ranked: float64 products summed row by row.

        Unlike a BLAS product, whose last bits depend on where a row sits in the matrix and
        on the thread split, this gives every row the same score whichever rows are scored
        with it, so the plain and the fast search rank near-ties identically.
        """
        normed = self.get_normed_vectors()
        query = np.asarray(query, dtype=np.float64)
        scores = np.empty(len(rows), dtype=np.float64)
        block = max(1, _BLOCK_FLOATS // 8 // max(1, self.vector_size))   # bounded temporary copies
        for i in range(0, len(rows), block):
            products = normed[rows[i:i + block]].astype(np.float64)
            products *= query
            scores[i:i + block] = products.sum(axis=1)
        return scores

    def _plain_top_k(self, query, start, stop, k, exclude):
        """The readable search: one float32 product over ``normed[start:stop]``, then exact
        scores (:meth:`_exact_scores`) for the rows within float32 rounding of the top ``k``.

        Returns (row offsets from ``start``, scores), best first, ties broken by index.
        """
        scores = self.get_normed_vectors()[start:stop] @ query
        scores[exclude] = -np.inf
        scores[np.isnan(scores)] = -np.inf    # a broken (nan) vector is nobody's neighbour
        k = min(k, len(scores) - len(exclude))
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0)
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        rows = np.flatnonzero(scores >= kth - self._rounding_margin(query) * 2)
        rows = rows[scores[rows] > -np.inf]
        exact = self._exact_scores(rows + start, query)
        order = np.lexsort((rows, -exact))[:k]
        return rows[order], exact[order]

    def _rounding_margin(self, query):
        """Bound on |float32 dot product − exact| for a unit row and ``query``: γ_d·‖q‖ (+ slack)."""
        unit = 2.0 ** -24
        d = self.vector_size
        gamma = d * unit / (1 - d * unit)
        return (gamma + unit) * 1.01 * float(np.linalg.norm(np.asarray(query, dtype=np.float64))) + 1e-12

    def _quantized_cache(self):
        """The int8 copy of the unit vectors used by :meth:`_fast_top_k`, built once (None: unusable).

        Costs n × (d + 24) bytes next to the float32 unit vectors (130 MB for 400,000 × 300, a quarter of them).
        """
        if self._quantized is None:
            from .kernels.query import in_threads, quantize_rows

            normed = np.ascontiguousarray(self.get_normed_vectors())
            n, d = normed.shape
            codes = np.empty((n, d), dtype=np.int8)
            scales, errors, norms = (np.empty(n, dtype=np.float64) for _ in range(3))
            in_threads(quantize_rows, 0, n, normed, codes, scales, errors, norms)
            usable = bool(np.isfinite(errors).all() and np.isfinite(norms).all())
            self._quantized = (codes, scales, errors, norms) if usable else False
        return self._quantized or None

    def _fast_top_k(self, query, start, stop, k, exclude):
        """Exact top ``k`` of ``normed[start:stop]`` against ``query`` without reading all of ``normed``.

        Scans the int8 copy for guaranteed score intervals (see :mod:`w2v.kernels.query`),
        then scores only the rows that can still make the top k with :meth:`_exact_scores`,
        so the result (ties broken by index) is identical to :meth:`_plain_top_k`'s.
        Returns (row offsets from ``start``, scores), or None when the plain path must answer.
        """
        n = stop - start
        if k >= n - len(exclude):
            return None
        query = np.asarray(query)
        if not np.isfinite(query).all():
            return None
        quantized = self._quantized_cache()
        if quantized is None:
            return None
        from .kernels.query import candidates, in_threads, score_bounds

        codes, scales, errors, norms = quantized
        q_norm = float(np.linalg.norm(query.astype(np.float64)))
        margin = self._rounding_margin(query)
        # |approx − exact| ≤ e·‖q‖·(1 + γ) + ‖v‖·(rounding of the approximate and the exact score)
        a = q_norm + margin
        b = 2 * margin
        lower = np.empty(n, dtype=np.float64)
        upper = np.empty(n, dtype=np.float64)
        in_threads(score_bounds, start, stop, codes, scales, errors, norms, query.astype(np.float32), start, a, b,
                   lower, upper)
        lower[exclude] = -np.inf
        upper[exclude] = -np.inf
        rows, threshold = candidates(lower, upper, k)
        if not threshold > -np.inf:
            return None
        exact = self._exact_scores(rows + start, query)
        order = np.lexsort((rows, -exact))[:k]
        return rows[order], exact[order]

    def similar_by_key(self, key, topn=10, restrict_vocab=None):
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_word(self, word, topn=10, restrict_vocab=None):
        """gensim's older name of :meth:`similar_by_key`."""
        return self.similar_by_key(word, topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """The ``topn`` keys closest to ``vector`` (nothing excluded)."""
        return self.most_similar(positive=[np.asarray(vector)], topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_batch(self, keys, topn=10, restrict_vocab=None):
        """``most_similar(key)`` for many keys at once: one matrix product per block of keys.

        Returns one list of ``(key, similarity)`` per input key, each without its own key.
        """
        rows = self._indices(keys)
        normed = self.get_normed_vectors()
        results = []
        # never return the query itself
        for _, scores, best in self._search_blocks(normed[rows], rows[:, None], topn, restrict_vocab):
            for r in range(len(scores)):
                results.append([(self.index_to_key[i], float(scores[r, i])) for i in best[r]
                                if scores[r, i] != -np.inf])
        return results

    def _search_blocks(self, queries, exclude, k, restrict_vocab=None):
        """The ``k`` nearest keys to each of many unit ``queries``, one matrix product per block
        of queries.  Yields (first query, scores, best) per block; ``exclude[q]`` holds rows that
        are never an answer to query q (their score is -inf)."""
        normed = self.get_normed_vectors()
        end = _search_end(restrict_vocab, len(normed))
        candidates = normed[:end]
        block = max(1, _BLOCK_FLOATS // max(1, end))
        for start in range(0, len(queries), block):
            scores = queries[start:start + block] @ candidates.T
            banned = exclude[start:start + block]
            inside = (banned >= 0) & (banned < end)
            scores[np.nonzero(inside)[0], banned[inside]] = -np.inf
            yield start, scores, top_k_rows(scores, k)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Levy & Goldberg's 3CosMul: product of shifted cosines of positives over negatives.

        Each cosine is shifted to [0, 1] as ``(1 + cos) / 2``; the score is
        ``prod(positive) / (prod(negative) + 1e-6)``, gensim's formula.
        """
        if isinstance(topn, (int, np.integer)) and topn < 1:
            return []
        positive = _ensure_list(positive)
        negative = _ensure_list(negative)
        if not positive:
            raise ValueError("cannot compute similarity with no input")
        terms = positive + negative
        inputs = set(self._key_rows(terms))
        normed = self.get_normed_vectors()
        end = _search_end(restrict_vocab, len(normed))
        candidates = normed[:end]

        def query(term):  # keys count as unit vectors; raw vectors are used as given (as gensim does)
            return normed[self.get_index(term)] if isinstance(term, _KEY_TYPES) else np.asarray(term, normed.dtype)

        # One product for all terms: the vectors are read from memory once, not once per term.
        shifted = np.stack([query(t) for t in terms]) @ candidates.T
        shifted += 1
        shifted *= 0.5   # cosine moved to [0, 1], as in Levy & Goldberg's footnote
        scores = shifted[0]
        for row in shifted[1:len(positive)]:
            scores *= row
        if negative:
            denominator = shifted[len(positive)]
            for row in shifted[len(positive) + 1:]:
                denominator *= row
            denominator += 0.000001
            scores /= denominator
        else:
            scores /= 1 + 0.000001
        if not topn:
            return scores
        best = top_k(scores, int(topn), [i for i in inputs if i < end])
        return [(self.index_to_key[i], float(scores[i])) for i in best]

    def rank_by_centrality(self, words, use_norm=True):
        """``(similarity, key)`` pairs ranked by closeness to the keys' mean, closest first."""
        words = list(words)
        if not words:
            raise ValueError("cannot select a word from an empty list")
        rows = self._indices(words)
        vectors = (self.get_normed_vectors() if use_norm else self.vectors)[rows]
        mean = _unitvec(vectors.mean(axis=0)).astype(vectors.dtype, copy=False)
        dists = vectors @ mean
        return sorted(zip((float(d) for d in dists), words), reverse=True)

    def doesnt_match(self, words):
        """The key furthest from the mean of ``words``."""
        return self.rank_by_centrality(words)[-1][1]

    def most_similar_to_given(self, key1, keys_list):
        """The key of ``keys_list`` most similar to ``key1``."""
        normed = self.get_normed_vectors()
        scores = normed[self._indices(keys_list)] @ normed[self.get_index(key1)]
        return keys_list[int(np.argmax(scores))]

    def closer_than(self, key1, key2):
        """All keys closer to ``key1`` than ``key2`` is."""
        i, j = self._indices([key1, key2])
        all_distances = self.distances(key1)
        closer = np.flatnonzero(all_distances < all_distances[j])
        return [self.index_to_key[k] for k in closer if k != i]

    def words_closer_than(self, word1, word2):
        """gensim's deprecated alias of :meth:`closer_than`."""
        return self.closer_than(word1, word2)

    def rank(self, key1, key2):
        """Rank of ``key2`` among all keys by closeness to ``key1`` (1 = closest)."""
        return len(self.closer_than(key1, key2)) + 1

    def relative_cosine_similarity(self, wa, wb, topn=10):
        sims = self.similar_by_key(wa, topn)
        if not sims:
            raise ValueError("Cannot calculate relative cosine similarity without any similar words.")
        return self.similarity(wa, wb) / sum(s for _, s in sims)

    def wmdistance(self, document1, document2, norm=True):
        """Word Mover's Distance between two documents (lists of keys), as gensim computes it.

        The least total distance the words of ``document1`` must travel to become those of
        ``document2``, each document weighted by its normalised word counts (Kusner et al.,
        2015), solved exactly by POT's network simplex (``pip install 'w2v[wmd]'``).  Distances
        are Euclidean between unit vectors (``norm=True``) or raw ones.  Keys not here are left
        out (logged); a document left empty gives ``inf``, two documents of one same word 0.
        """
        try:
            from ot import emd2
        except ImportError:
            raise MissingExtraError("wmdistance needs the POT package (optimal transport): "
                                    "pip install 'w2v[wmd]'  (or: pip install POT)") from None
        from scipy.spatial.distance import cdist

        kept1 = [token for token in document1 if token in self]
        kept2 = [token for token in document2 if token in self]
        if len(kept1) < len(document1) or len(kept2) < len(document2):
            logger.info("Removed %d and %d OOV words from document 1 and 2 (respectively).",
                        len(document1) - len(kept1), len(document2) - len(kept2))
        if not kept1 or not kept2:
            logger.warning("At least one of the documents had no words that were in the vocabulary.")
            return float("inf")
        words1, counts1 = np.unique(self._indices(kept1), return_counts=True)
        words2, counts2 = np.unique(self._indices(kept2), return_counts=True)
        if len(words1) == len(words2) == 1 and words1[0] == words2[0]:
            return 0.0
        source = self.get_normed_vectors() if norm else self.vectors
        cost = cdist(np.asarray(source[words1], np.float64), np.asarray(source[words2], np.float64))
        return float(emd2(counts1 / counts1.sum(), counts2 / counts2.sum(), cost))

    # -- evaluation (see w2v.evaluate) ---------------------------------------------------------
    def evaluate_word_analogies(self, analogies, restrict_vocab=300000, case_insensitive=True,
                                dummy4unknown=False, similarity_function="most_similar"):
        """Accuracy on an analogy file; see :func:`w2v.evaluate.evaluate_word_analogies`.
        ``similarity_function`` names the method answering each question (``"most_similar"``:
        3CosAdd, ``"most_similar_cosmul"``: 3CosMul)."""
        from .evaluate import evaluate_word_analogies

        return evaluate_word_analogies(self, analogies, restrict_vocab=restrict_vocab,
                                       case_insensitive=case_insensitive, dummy4unknown=dummy4unknown,
                                       similarity_function=similarity_function)

    @staticmethod
    def log_accuracy(section):
        """Log a section of :meth:`evaluate_word_analogies`'s result as "name: 66.7% (2/3)" (gensim's)."""
        correct, incorrect = len(section["correct"]), len(section["incorrect"])
        if correct + incorrect > 0:
            logger.info("%s: %.1f%% (%i/%i)", section["section"], 100.0 * correct / (correct + incorrect),
                        correct, correct + incorrect)

    @staticmethod
    def log_evaluate_word_pairs(pearson, spearman, oov, pairs):
        """Log :meth:`evaluate_word_pairs`'s correlations and unknown-pair ratio for the file ``pairs`` (gensim's)."""
        logger.info("Pearson correlation coefficient against %s: %.4f", pairs, pearson[0])
        logger.info("Spearman rank-order correlation coefficient against %s: %.4f", pairs, spearman[0])
        logger.info("Pairs with unknown words ratio: %.1f%%", oov)

    def evaluate_word_pairs(self, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000,
                            case_insensitive=True, dummy4unknown=False):
        from .evaluate import evaluate_word_pairs

        return evaluate_word_pairs(self, pairs, delimiter=delimiter, encoding=encoding,
                                   restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                                   dummy4unknown=dummy4unknown)

    # -- files ----------------------------------------------------------------------------
    def save(self, fname_or_handle, separately=None, sep_limit=10 * 1024**2, ignore=frozenset(), pickle_protocol=4):
        """Save in w2v's native format (vectors memory-mappable on load), atomically.

        ``fname_or_handle`` is a path or a binary file object.  gensim's ``separately``,
        ``sep_limit``, ``ignore`` and ``pickle_protocol`` choose how gensim pickles; they have no
        effect here (the arrays are stored apart and mappable anyway).
        """
        if hasattr(fname_or_handle, "write"):
            import shutil
            import tempfile

            with tempfile.TemporaryDirectory(prefix="w2v-save-") as folder:
                path = f"{folder}/vectors.w2v"
                self.save(path)
                with open(path, "rb") as data:
                    shutil.copyfileobj(data, fname_or_handle)
            return
        store.save(fname_or_handle, "vectors", {"vector_size": self.vector_size}, self._native_arrays())

    @classmethod
    def load(cls, fname, mmap=None):
        """Load vectors saved by :meth:`save` or by gensim's ``KeyedVectors.save`` / ``Word2Vec.save``
        (their vectors, read without running the pickle); ``mmap="r"`` maps them read-only."""
        from . import gensim_io   # gensim's KeyedVectors.save / Word2Vec.save files: their vectors

        if not store.is_native(fname) and gensim_io.is_gensim_pickle(fname):
            return cls._from_native_arrays(gensim_io.read(fname, mmap=mmap)[2])
        _, _, arrays = store.load(fname, mmap=mmap, expect_kind="vectors")
        return cls._from_native_arrays(arrays)

    def _native_arrays(self, counts=None):
        """The arrays of every native file that carries vectors (kinds vectors, model, items):
        ``vectors``, ``counts`` (``counts`` overrides the keys' own) and the keys, packed."""
        blob, offsets = store.encode_strings([str(k) for k in self.index_to_key])   # as the text formats do
        return {"vectors": self.vectors, "counts": self.counts if counts is None else np.asarray(counts, np.int64),
                "keys.blob": blob, "keys.offsets": offsets}

    @classmethod
    def _from_native_arrays(cls, arrays, limit=None):
        """Inverse of :meth:`_native_arrays` (the first ``limit`` keys only, if given)."""
        vectors = arrays["vectors"]
        n = len(vectors) if limit is None else min(len(vectors), int(limit))
        keys = store.decode_strings(arrays["keys.blob"], np.asarray(arrays["keys.offsets"][:n + 1]))
        counts = arrays.get("counts")
        return cls(vectors.shape[1]).set_vectors(keys, vectors[:n], None if counts is None else counts[:n])

    def save_word2vec_format(self, fname, fvocab=None, binary=False, total_vec=None, write_header=True, prefix="",
                             append=False, sort_attr="count"):
        """Write the vectors as word2vec binary or text (GloVe text without the header), as gensim.

        Keys are written in descending order of the attribute ``sort_attr`` (equal values in
        index order); ``fvocab`` also writes the vocabulary file (``word value`` lines, the same
        order).  ``total_vec`` is the count the header declares (default: the number of keys),
        ``prefix`` goes before every word, ``append`` adds to the end of existing files.
        Binary is float32; text holds the shortest decimal that reads back as the same value.
        """
        values = self.expandos.get(sort_attr)
        if values is None:
            if fvocab is not None:
                raise ValueError(f"Cannot store vocabulary with '{sort_attr}' because that attribute does not exist")
            logger.warning("attribute %s not present in %s; will store in internal index_to_key order", sort_attr, self)
            order = np.arange(len(self))
        else:
            order = np.argsort(-np.asarray(values), kind="stable")
        if binary and not write_header and not append:
            raise W2VError(f"{fname}: a word2vec binary file without its header could not be read back "
                           "(by w2v or gensim); write the header, or text (binary=False, write_header=False), "
                           "or append these records to a file that has one (append=True)")
        keys = [self.index_to_key[i] for i in order.tolist()]
        if fvocab is not None:
            word2vec_io.write_vocab(fvocab, keys, np.asarray(values)[order], prefix=prefix, append=append)
        fmt = "word2vec-binary" if binary else ("word2vec-text" if write_header else "glove")
        word2vec_io.write(fname, keys, self.vectors[order], fmt, total_vec=total_vec, prefix=prefix, append=append,
                          header=write_header)

    @classmethod
    def load_word2vec_format(cls, fname, fvocab=None, binary=False, encoding="utf8", unicode_errors="strict",
                             limit=None, datatype=np.float32, no_header=False):
        """Read a word2vec binary or text file (GloVe text with ``no_header``), as gensim.

        ``fvocab`` names a vocabulary file (``word count`` lines, word2vec.c's ``-save-vocab``)
        giving each key's count; without it keys get gensim's stand-ins n, n-1, ..., 1.
        ``datatype`` is the vectors' float type.  The format is still checked against the
        content; a truncated file is a :class:`~w2v.errors.TruncatedFileError`, which is
        also an EOFError as in gensim.
        """
        if binary and no_header:
            raise NotImplementedError("no_header only available for text-format files")
        fmt = "word2vec-binary" if binary else ("glove" if no_header else "word2vec-text")
        _, keys, vectors, counts = word2vec_io.read(fname, fmt, limit, encoding, unicode_errors, datatype, fvocab)
        return cls(vectors.shape[1], dtype=vectors.dtype).set_vectors(keys, vectors, counts)

    def intersect_word2vec_format(self, fname, lockf=0.0, binary=False, encoding="utf8", unicode_errors="strict"):
        """Take the vectors of a word2vec file for the keys that are already here (no key is added),
        and set their lock factor in ``vectors_lockf`` to ``lockf`` (0.0: training leaves them
        unchanged; 1.0: they train as the others).  gensim's transfer-learning step.

        ``vectors_lockf`` is made (all ones) if it is missing or has a single factor, so the
        gensim recipe's ``wv.vectors_lockf = np.ones(len(wv))`` line is not needed (but works).
        Returns nothing; the number of vectors taken is logged.
        """
        fmt = "word2vec-binary" if binary else "word2vec-text"
        _, keys, vectors, _ = word2vec_io.read(fname, fmt, None, encoding, unicode_errors)
        if vectors.shape[1] != self.vector_size:
            raise ValueError(f"incompatible vector size {vectors.shape[1]} in file {fname} "
                             f"(these vectors have {self.vector_size})")
        lockf_all = np.asarray(getattr(self, "vectors_lockf", np.ones(1, np.float32)), dtype=np.float32).reshape(-1)
        if lockf_all.shape[0] != len(self):
            lockf_all = np.full(len(self), lockf_all[0] if lockf_all.shape[0] == 1 else 1.0, np.float32)
        found = np.fromiter((self.key_to_index.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
        inside = found >= 0
        if not self.vectors.flags.writeable:
            self.vectors = np.array(self.vectors)
        self.vectors[found[inside]] = vectors[inside]
        lockf_all[found[inside]] = lockf
        self.vectors_lockf = lockf_all
        self._clear_cache()
        logger.info("merged %d vectors into %s matrix from %s", int(inside.sum()), self.vectors.shape, fname)
