"""Language models: the neural one the article starts from (Bengio et al. 2003), a Kneser–Ney
n-gram baseline, and their mixture."""
from .data import END, START, UNKNOWN, LMError, Vocabulary
from .model import LanguageModel

__all__ = ["LanguageModel", "NGramModel", "Mixture", "Vocabulary", "LMError", "START", "END", "UNKNOWN"]


def __getattr__(name):
    if name in ("NGramModel", "Mixture"):
        from . import ngram

        return getattr(ngram, name)
    raise AttributeError(f"module 'w2v.lm' has no attribute {name!r}")
