"""KeyedVectors: a vocabulary of keys and one vector per key, and everything done with them.

This is what ships and what queries run against; :class:`w2v.Word2Vec` keeps its
trained input matrix here as ``model.wv``.
"""
import numpy as np

from . import store


class KeyedVectors:
    """Keys (words or items) mapped to rows of ``vectors``, with gensim's names."""

    def __init__(self, vector_size, count=0, dtype=np.float32):
        self.vector_size = int(vector_size)
        self.index_to_key = []
        self.key_to_index = {}
        self.vectors = np.zeros((count, self.vector_size), dtype=dtype)
        self.counts = np.zeros(count, dtype=np.int64)
        self._norms = None

    # -- building -------------------------------------------------------------------------
    def set_vectors(self, keys, vectors, counts=None):
        """Replace all keys and vectors (``vectors`` is used as is, not copied)."""
        keys = list(keys)
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys but {len(vectors)} vectors")
        self.index_to_key = keys
        self.key_to_index = {k: i for i, k in enumerate(keys)}
        if len(self.key_to_index) != len(keys):
            raise ValueError("duplicate keys")
        self.vectors = vectors
        self.vector_size = vectors.shape[1]
        self.counts = np.zeros(len(keys), np.int64) if counts is None else np.asarray(counts, np.int64)
        self._clear_cache()
        return self

    def _clear_cache(self):
        """Forget anything derived from ``vectors`` (call after the vectors change)."""
        self._norms = None

    # -- basic access ---------------------------------------------------------------------
    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, key):
        return key in self.key_to_index

    def has_index_for(self, key):
        return key in self.key_to_index

    def get_index(self, key, default=None):
        index = self.key_to_index.get(key)
        if index is not None:
            return index
        if isinstance(key, (int, np.integer)) and 0 <= key < len(self.index_to_key):
            return int(key)
        if default is not None:
            return default
        raise KeyError(f"Key {key!r} not present")

    def get_vector(self, key, norm=False):
        index = self.get_index(key)
        vector = self.vectors[index]
        if norm:
            n = np.linalg.norm(vector)
            return vector / n if n else vector
        return vector

    def __getitem__(self, key):
        if isinstance(key, (str, int, np.integer)):
            return self.get_vector(key)
        return np.vstack([self.get_vector(k) for k in key])

    # -- native save/load -----------------------------------------------------------------
    def save(self, path):
        blob, offsets = store.encode_strings(self.index_to_key)
        store.save(path, "vectors", {"vector_size": self.vector_size},
                   {"vectors": self.vectors, "counts": self.counts, "keys.blob": blob, "keys.offsets": offsets})

    @classmethod
    def load(cls, path, mmap=None):
        _, meta, arrays = store.load(path, mmap=mmap, expect_kind="vectors")
        kv = cls(meta["vector_size"])
        keys = store.decode_strings(arrays["keys.blob"], arrays["keys.offsets"])
        return kv.set_vectors(keys, arrays["vectors"], arrays["counts"])
