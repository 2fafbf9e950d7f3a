"""Generated interaction logs with planted structure, for tests, benchmarks and trying `w2v items`.

Users have one or two favourite genres and browse one of them per session (sessions are
separated by gaps of hours to days, events within a session by seconds to minutes); item
popularity is Zipf-skewed.  The next item is best guessed as "popular within the current
genre", which most-popular cannot know and item vectors can learn.
"""
import numpy as np
import pandas as pd


def genre_log(n_users=3000, n_items=800, n_genres=16, mean_events=18, p_genre=0.85, seed=0):
    """(events, names): events has user_id, item_id, ts (Unix seconds); names has item_id, title, genre."""
    rng = np.random.default_rng(seed)
    genre = rng.integers(0, n_genres, n_items)
    popularity = (1.0 / np.arange(1, n_items + 1))[rng.permutation(n_items)]
    members = [np.flatnonzero(genre == g) for g in range(n_genres)]
    within = [popularity[m] / popularity[m].sum() for m in members]
    overall = popularity / popularity.sum()
    users, items, times = [], [], []
    for u in range(n_users):
        favourites = rng.choice(n_genres, size=rng.integers(1, 3), replace=False)
        n = max(3, rng.geometric(1 / mean_events))
        new_session = rng.random(n) < 0.2
        gaps = np.where(new_session, rng.integers(5 * 3600, 7 * 86400, n), rng.integers(1, 600, n))
        session_genre = rng.choice(favourites, size=n)[np.maximum.accumulate(np.where(new_session, np.arange(n), 0))]
        for g, in_genre in zip(session_genre, rng.random(n) < p_genre):
            items.append(rng.choice(members[g], p=within[g]) if in_genre else rng.choice(n_items, p=overall))
        users += [f"user-{u}"] * n
        times += (1_600_000_000 + u * 10 + np.cumsum(gaps)).tolist()
    events = pd.DataFrame({"user_id": users, "item_id": [f"A-{i}" for i in items], "ts": times})
    names = pd.DataFrame({"item_id": [f"A-{i}" for i in range(n_items)],
                          "title": [f"{_GENRES[g % len(_GENRES)]} #{i}" for i, g in enumerate(genre)],
                          "genre": genre})
    return events, names


_GENRES = ["jazz", "metal", "folk", "techno", "opera", "blues", "reggae", "punk", "soul", "ambient",
           "gospel", "disco", "grunge", "salsa", "bluegrass", "dub"]
