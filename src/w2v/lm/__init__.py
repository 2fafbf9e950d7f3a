"""Language models: the neural one the article starts from (Bengio et al. 2003), its Kneser–Ney baseline
and their mixture."""
from .data import END, START, UNKNOWN, LMError, Vocabulary
from .mixture import MixtureModel, evaluate, load
from .model import LanguageModel
from .ngram import NGramModel

__all__ = ["LanguageModel", "NGramModel", "MixtureModel", "evaluate", "load", "Vocabulary", "LMError", "START", "END",
           "UNKNOWN"]
