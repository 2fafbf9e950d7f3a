import random
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data():
    """The team's shared data folder (../shared/data); tests skip when a clone has none."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED} (only present next to the team's clone and in CI)")
    return SHARED


def planted_corpus(groups=5, words_per_group=8, sentences=2000, length=10, seed=0):
    """Sentences that each use the words of one group only, so words of a group share contexts.

    Returns (sentences, groups) where groups maps each word to its group number.
    """
    rng = random.Random(seed)
    vocab = [[f"g{g}w{i}" for i in range(words_per_group)] for g in range(groups)]
    text = []
    for _ in range(sentences):
        group = rng.randrange(groups)
        text.append([rng.choice(vocab[group]) for _ in range(length)])
    return text, {w: g for g, words in enumerate(vocab) for w in words}


def neighbour_purity(wv, group_of):
    """Share of words whose nearest neighbour (by cosine) is in their own group."""
    import numpy as np

    vectors = np.asarray(wv.vectors, dtype=np.float64)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    nearest = sims.argmax(axis=1)
    keys = wv.index_to_key
    return float(np.mean([group_of[keys[i]] == group_of[keys[j]] for i, j in enumerate(nearest)]))
