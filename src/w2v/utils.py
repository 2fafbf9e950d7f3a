"""Small helpers shared with gensim users' code: the vocabulary trimming rule constants.

A ``trim_rule`` is a callable ``rule(word, count, min_count)`` returning one of these; the
values are gensim's (``gensim.utils.RULE_KEEP`` and friends work unchanged).
"""
import itertools
import operator

import numpy as np

RULE_DEFAULT = 0   #: keep the word when count >= min_count
RULE_DISCARD = 1   #: drop the word whatever its count
RULE_KEEP = 2      #: keep the word whatever its count


def keep_vocab_item(word, count, min_count, trim_rule=None):
    """Whether ``word`` stays in the vocabulary: the rule's answer, or ``count >= min_count``."""
    default = count >= min_count
    if trim_rule is None:
        return default
    answer = trim_rule(word, count, min_count)
    if answer == RULE_KEEP:
        return True
    if answer == RULE_DISCARD:
        return False
    return default


def keep_mask(words, counts, min_count, trim_rule=None):
    """:func:`keep_vocab_item` for many words at once: a boolean array.

    Without a rule it is one numpy comparison; with one, the rule is called once per word
    (it is the user's Python) and its answers applied in bulk.
    """
    counts = np.asarray(counts, dtype=np.int64)
    keep = counts >= min_count
    if trim_rule is None or len(counts) == 0:
        return keep
    n = len(counts)
    answers = list(map(trim_rule, words, counts.tolist(), itertools.repeat(int(min_count), n)))
    # compared as gensim does (==), so any value equal to 1 or 2 counts, and anything else is the default
    kept = np.fromiter(map(operator.eq, answers, itertools.repeat(RULE_KEEP)), dtype=bool, count=n)
    dropped = np.fromiter(map(operator.eq, answers, itertools.repeat(RULE_DISCARD)), dtype=bool, count=n)
    return (keep | kept) & ~dropped
