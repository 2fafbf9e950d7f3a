"""w2v: word2vec that is fast, reads and writes everyone's files, and shows what embeddings are."""
from .errors import CorpusError, FormatError, W2VError
from .vectors import KeyedVectors

__version__ = "0.1.0"

__all__ = ["Word2Vec", "KeyedVectors", "load", "cosine_similarity", "ItemModel",
           "W2VError", "CorpusError", "FormatError", "__version__"]

# Heavier pieces are imported on first use so that `import w2v` stays quick.
_LAZY = {
    "Word2Vec": ("model", "Word2Vec"),
    "load": ("download", "load"),   # formats.load, also taking a catalogue name
    "cosine_similarity": ("vectors", "cosine_similarity"),
    "ItemModel": ("items", "ItemModel"),
    "Phrases": ("phrases", "Phrases"),
    "FrozenPhrases": ("phrases", "FrozenPhrases"),
    "Tokenizer": ("tokenize", "Tokenizer"),
    "LanguageModel": ("lm", "LanguageModel"),
    "NGramModel": ("lm", "NGramModel"),
}
_LAZY_MODULES = ("phrases", "tokenize")


def __getattr__(name):
    if name in _LAZY_MODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'w2v' has no attribute {name!r}")
