"""item2vec: interaction logs → sessions → item vectors → recommendations → honest evaluation.

``logs`` reads tables of events (or one session per line) into item sequences,
``model`` trains :class:`ItemModel` with the text engine and recommends, ``baselines``
holds most-popular and co-occurrence recommenders, ``evaluate`` the leave-last-out test.
"""
from .baselines import CoOccurrence, MostPopular
from .evaluate import Evaluation, leave_last_out
from .model import ItemModel

__all__ = ["ItemModel", "MostPopular", "CoOccurrence", "Evaluation", "leave_last_out"]
