"""Language models: the neural one the article starts from (Bengio et al. 2003)."""
from .data import END, START, UNKNOWN, LMError, Vocabulary
from .model import LanguageModel

__all__ = ["LanguageModel", "Vocabulary", "LMError", "START", "END", "UNKNOWN"]
