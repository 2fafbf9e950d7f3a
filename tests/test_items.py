"""item2vec: logs → sessions → vectors → recommendations → leave-last-out evaluation."""
import json

import numpy as np
import pandas as pd
import pytest

import w2v
from w2v import store
from w2v.cli import main
from w2v.errors import W2VError
from w2v.items import CoOccurrence, ItemModel, MostPopular, leave_last_out, logs, synthetic
from w2v.items.baselines import cooccurrence_matrix
from w2v.vectors import top_k
from w2v.items.evaluate import metrics, rank_scores
from w2v.vectors import KeyedVectors


# -- generated logs with planted structure -----------------------------------------------------
def genre_log(n_users=1200, n_items=400, n_genres=10, **kwargs):
    """A planted log (see w2v.items.synthetic) and each item's genre."""
    events, names = synthetic.genre_log(n_users, n_items, n_genres, **kwargs)
    return events, dict(zip(names["item_id"], names["genre"].astype(int)))


@pytest.fixture(scope="module")
def planted():
    return genre_log()


@pytest.fixture(scope="module")
def evaluation(planted):
    frame, _ = planted
    return leave_last_out(frame, item="item_id", user="user_id", time="ts", k=10, workers=2)


# -- reading logs -----------------------------------------------------------------------------
def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_ids_are_strings_never_numbers(tmp_path):
    path = write(tmp_path / "e.csv", "user,item,ts\n007,A-17,1\n007,0042,2\n7,NA,3\n")
    events, report = logs.read_events(path, item="item", user="user", time="ts")
    assert events["item"].tolist() == ["A-17", "0042", "NA"]
    assert events["user"].tolist() == ["007", "007", "7"]
    assert report.rows == 3 and report.skipped == 0


def test_missing_column_names_column_and_file(tmp_path):
    path = write(tmp_path / "e.csv", "user,product,ts\nu,a,1\n")
    with pytest.raises(W2VError, match=r"e\.csv: no column 'item' \(the columns are: 'user', 'product', 'ts'\)"):
        logs.read_events(path, item="item", user="user", time="ts")


def test_bad_time_and_empty_id_give_row_numbers(tmp_path):
    path = write(tmp_path / "e.csv", "user,item,ts\nu1,a,2021-01-01 10:00\nu1,b,yesterday-ish\nu2,,2021-01-02\n"
                                     "u2,c,2021-01-03\n")
    with pytest.raises(W2VError) as err:
        logs.read_events(path, item="item", user="user", time="ts")
    message = str(err.value)
    assert "data row 2: unparsable time 'yesterday-ish' in column 'ts'" in message
    assert "data row 3: empty item id in column 'item'" in message
    assert "--skip-bad-rows" in message


def test_skip_bad_rows_counts_them(tmp_path):
    path = write(tmp_path / "e.csv", "user,item,ts\nu1,a,10\nu1,b,oops\nu2,,30\nu2,c,40\n,d,50\n")
    events, report = logs.read_events(path, item="item", user="user", time="ts", skip_bad_rows=True)
    assert events["item"].tolist() == ["a", "c"]
    assert report.skipped == 3 and report.rows == 5
    assert sum(report.reasons.values()) == 3


def test_session_gap_splits_and_repeats_drop():
    frame = pd.DataFrame({
        "u": ["x"] * 6 + ["y"] * 2,
        "i": ["a", "a", "b", "c", "c", "d", "a", "a"],
        # minutes: x has a 45-minute pause between b and c; y's two a's are 2 hours apart
        "t": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:01", "2024-01-01 10:05", "2024-01-01 10:50",
                             "2024-01-01 10:51", "2024-01-01 10:52", "2024-01-01 08:00", "2024-01-01 10:00"]),
    })
    events, _ = logs.read_events(frame, item="i", user="u", time="t")
    table = logs.sessionize(events, session_gap="30min", drop_repeats=True)
    assert logs.sessions_of(table) == [["a", "b"], ["c", "d"], ["a"], ["a"]]
    kept = logs.sessionize(events, session_gap="30min", drop_repeats=False)
    assert logs.sessions_of(kept) == [["a", "a", "b"], ["c", "c", "d"], ["a"], ["a"]]
    whole = logs.sessionize(events, session_gap=None)
    assert logs.sessions_of(whole) == [["a", "b", "c", "d"], ["a"]]  # y's repeat is consecutive in one session
    with pytest.raises(W2VError, match="not a duration"):
        logs.sessionize(events, session_gap="half an hour")


def test_events_are_sorted_by_time_within_user_stably():
    frame = pd.DataFrame({"u": ["b", "a", "b", "a", "b"], "i": ["3", "2", "1", "1", "2"], "t": [30, 20, 10, 10, 10]})
    events, _ = logs.read_events(frame, item="i", user="u", time="t")
    table = logs.sessionize(events)
    # b's two events at t=10 keep the log's order (1 before 2)
    assert logs.sessions_of(table) == [["1", "2", "3"], ["1", "2"]]


def test_numeric_times_use_time_unit(tmp_path):
    path = write(tmp_path / "e.tsv", "u\ti\tt\nx\ta\t0\nx\tb\t1000\nx\tc\t5000\n")
    events, _ = logs.read_events(path, item="i", user="u", time="t", time_unit="ms")
    table = logs.sessionize(events, session_gap=2)  # 2 s: the 4-second pause splits
    assert logs.sessions_of(table) == [["a", "b"], ["c"]]


def test_parquet_and_missing_pyarrow_hint(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    path = tmp_path / "e.parquet"
    pd.DataFrame({"user": [1, 1, 2], "item": [17, 18, 17], "ts": [1, 2, 3]}).to_parquet(path)
    events, _ = logs.read_events(path, item="item", user="user", time="ts")
    assert events["item"].tolist() == ["17", "18", "17"]
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(W2VError, match=r"pip install w2v\[parquet\]"):
        logs.read_events(path, item="item", user="user", time="ts")


def test_session_lines(tmp_path):
    path = write(tmp_path / "s.txt", "a b b c\n\n  d a \nz\n")
    table = logs.read_session_lines(path)
    assert logs.sessions_of(table) == [["a", "b", "c"], ["d", "a"], ["z"]]
    assert table.attrs["user_names"] == ["line 1", "line 3", "line 4"]


def test_hold_out_last_only_users_with_history():
    table = logs.read_session_lines([["a", "b", "c"], ["d"], ["e", "f"]])
    train, held = logs.hold_out_last(table)
    assert logs.sessions_of(train) == [["a", "b"], ["d"], ["e"]]
    assert held["item"].tolist() == ["c", "f"]
    owner, items, age = logs.histories(train, held["user"].to_numpy())
    assert owner.tolist() == [0, 0, 1] and items.tolist() == ["a", "b", "e"] and age.tolist() == [1, 0, 0]


# -- baselines and metrics --------------------------------------------------------------------
def naive_cooccurrence(sessions, n_items, window):
    counts = np.zeros((n_items, n_items))
    for s in sessions:
        for i, a in enumerate(s):
            for j, b in enumerate(s):
                if i != j and a != b and (window is None or abs(i - j) <= window):
                    counts[a, b] += 1
    return counts


@pytest.mark.parametrize("window", [1, 2, None])
def test_cooccurrence_matches_readable_twin(window):
    rng = np.random.default_rng(3)
    sessions = [rng.integers(0, 12, rng.integers(1, 9)).tolist() for _ in range(60)]
    codes = np.concatenate(sessions)
    session = np.repeat(np.arange(len(sessions)), [len(s) for s in sessions])
    indptr, indices, data = cooccurrence_matrix(codes, session, 12, window)
    dense = np.zeros((12, 12))
    for row in range(12):
        dense[row, indices[indptr[row]:indptr[row + 1]]] = data[indptr[row]:indptr[row + 1]]
    np.testing.assert_array_equal(dense, naive_cooccurrence(sessions, 12, window))


def test_baselines_recommend():
    keys, counts = ["a", "b", "c", "d"], [10, 40, 5, 20]
    popular = MostPopular(keys, counts)
    assert [k for k, _ in popular.recommend(["b"], topn=3)] == ["d", "a", "c"]
    assert [k for k, _ in popular.recommend(["b"], topn=2, exclude_seen=False)] == ["b", "d"]
    codes, session = np.array([0, 2, 0, 2, 1, 3]), np.array([0, 0, 1, 1, 2, 2])
    cooc = CoOccurrence.from_sessions(keys, counts, codes, session, window=1)
    # c co-occurs with a twice; the rest is ordered by popularity
    assert [k for k, _ in cooc.recommend(["a"], topn=3)] == ["c", "b", "d"]
    with pytest.raises(KeyError, match="'zz'"):
        popular.recommend(["a", "zz"], strict=True)
    answer = popular.recommend(["a", "zz"], topn=1)
    assert answer[0][0] == "b" and answer.skipped == ["zz"] and not answer.popularity_fallback


def test_top_k_ties_go_to_lower_index():
    assert top_k(np.array([1.0, 3.0, 3.0, 2.0, 3.0]), 2).tolist() == [1, 2]


def test_metrics_by_hand():
    ranks = np.array([1, 2, 11, np.inf])
    top = np.array([[0, 1], [1, 2], [1, 0], [1, 2]])
    m = metrics(ranks, top, n_items=10, k=10)
    assert m["hit_rate"] == pytest.approx(0.5)
    assert m["mrr"] == pytest.approx((1 + 0.5) / 4)
    assert m["ndcg"] == pytest.approx((1 + 1 / np.log2(3)) / 4)
    assert m["coverage"] == pytest.approx(0.3)


def test_rank_scores_excludes_seen_and_breaks_ties_like_top_k():
    scores = np.array([[0.5, 0.9, 0.5, 0.1], [0.3, 0.3, 0.3, 0.3]])
    ranks = rank_scores(scores.copy(), np.array([0]), np.array([1]), np.array([2, 2]), exclude_seen=True)
    assert ranks.tolist() == [2, 3]  # row 0: item 1 excluded, item 0 ties and comes first
    seen = rank_scores(scores.copy(), np.array([0]), np.array([2]), np.array([2, -1]), exclude_seen=True)
    assert np.isinf(seen).all()  # seen target and unknown target are misses


# -- scoring on hand-made vectors ---------------------------------------------------------------
def hand_model(**weights):
    keys = ["x", "y", "near-x", "near-y", "popular"]
    vectors = np.array([[1, 0], [0, 1], [0.95, 0.1], [0.1, 0.95], [0.7, 0.7]], dtype=np.float32)
    wv = KeyedVectors(2).set_vectors(keys, vectors, [5, 5, 3, 3, 1000])
    return ItemModel(wv, **weights)


def test_recommend_weights_recent_items_and_popularity():
    plain = hand_model(decay=1.0, popularity_weight=0.0)
    assert plain.recommend(["x"], topn=1)[0][0] == "near-x"
    recent = hand_model(decay=0.1, popularity_weight=0.0)
    assert recent.recommend(["x", "y"], topn=1)[0][0] == "near-y"       # y is the most recent
    assert recent.recommend(["y", "x"], topn=1)[0][0] == "near-x"
    prior = hand_model(decay=1.0, popularity_weight=2.0)
    assert prior.recommend(["x"], topn=1)[0][0] == "popular"
    assert plain.recommend(["x"], topn=2, exclude_seen=False)[0] == ("x", pytest.approx(1.0))
    scores = [s for _, s in plain.recommend(["x"], topn=4)]
    assert scores == sorted(scores, reverse=True)
    assert plain.recommend(["x"], popularity_weight=2.0, topn=1)[0][0] == "popular"  # per-call override


def test_recommend_unknown_and_cold_start():
    model = hand_model(decay=1.0, popularity_weight=0.1)
    with pytest.raises(KeyError, match="'nope'"):
        model.recommend(["x", "nope"], strict=True)
    skipping = model.recommend(["x", "nope", "gone"], topn=2)      # skipped by default, and counted
    assert skipping == model.recommend(["x"], topn=2)
    assert skipping.skipped == ["nope", "gone"] and not skipping.popularity_fallback
    cold = model.recommend(["nope"], topn=2)                        # nothing known: most popular
    assert [k for k, _ in cold] == ["popular", "x"] and cold.popularity_fallback and cold.skipped == ["nope"]
    with pytest.raises(W2VError, match="decay"):
        model.recommend(["x"], decay=0.0)


def test_similar_on_hand_made_vectors():
    model = hand_model()
    assert [k for k, _ in model.similar("x", topn=2)] == ["near-x", "popular"]
    with pytest.raises(KeyError, match="'q'"):
        model.similar("q")


def test_save_load_round_trip(tmp_path):
    model = hand_model(decay=0.5, popularity_weight=0.3)
    model.save(tmp_path / "m.w2v")
    again = ItemModel.load(tmp_path / "m.w2v")
    assert again.recommend(["x", "y"]) == model.recommend(["x", "y"])
    kind, meta, arrays = store.load(tmp_path / "m.w2v")
    assert kind == "items" and meta["recommend"] == {"decay": 0.5, "popularity_weight": 0.3}
    assert {"vectors", "counts", "keys.blob", "keys.offsets"} <= set(arrays)
    with pytest.raises(w2v.FormatError, match="expected 'items'"):
        KeyedVectors(2).save(tmp_path / "v.w2v") or ItemModel.load(tmp_path / "v.w2v")


# -- training and evaluation on planted structure ---------------------------------------------
def test_item2vec_beats_most_popular_clearly(evaluation):
    rows = evaluation.rows
    assert rows["item2vec"]["ndcg"] > 1.8 * rows["most-popular"]["ndcg"]
    assert rows["item2vec"]["hit_rate"] > 1.6 * rows["most-popular"]["hit_rate"]
    # a real competitor, not a straw man: co-occurrence also beats popularity
    assert rows["co-occurrence"]["ndcg"] > 1.5 * rows["most-popular"]["ndcg"]
    assert rows["item2vec"]["ndcg"] > 0.9 * rows["co-occurrence"]["ndcg"]
    assert rows["item2vec"]["coverage"] > 3 * rows["most-popular"]["coverage"]
    tuning = evaluation.model.tuning
    assert tuning["score"] >= tuning["most_popular_score"]


def test_neighbours_share_the_planted_genre(evaluation, planted):
    _, genre = planted
    model = evaluation.model
    frequent = [k for k in model.index_to_key if model.counts[model.key_to_index[k]] >= 50][:20]
    same = [genre[n] == genre[k] for k in frequent for n, _ in model.similar(k, topn=5)]
    assert np.mean(same) > 0.8


def test_no_leakage_of_held_out_events():
    # Every user's last event is an item nobody else has: if any held-out event reached
    # training (or tuning), it would be in the model's vocabulary.
    frame, _ = genre_log(n_users=300, n_items=100, seed=5)
    frame = frame.sort_values(["user_id", "ts"], kind="stable")
    last = ~frame["user_id"].duplicated(keep="last")
    frame.loc[last, "item_id"] = "final-" + frame.loc[last, "user_id"]
    result = leave_last_out(frame, item="item_id", user="user_id", time="ts", min_count=1, epochs=2, workers=2)
    assert not any(k.startswith("final-") for k in result.model.index_to_key)
    assert result.counts["unknown_targets"] == result.counts["test_users"] == 300
    assert all(row["hit_rate"] == 0 for row in result.rows.values())


def test_from_events_file_and_sessions_agree_on_vocabulary(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("a b c\nb c d\nc d a\n" * 20)
    from_text = ItemModel.from_sessions(path, epochs=2, workers=1, min_count=1)
    lines = [line.split() for line in path.read_text().splitlines()]
    frame = pd.DataFrame({"u": np.repeat(np.arange(len(lines)), 3), "i": sum(lines, []), "t": np.arange(180)})
    from_frame = ItemModel.from_events(frame, item="i", user="u", time="t", epochs=2, workers=1, min_count=1)
    assert sorted(from_text.index_to_key) == sorted(from_frame.index_to_key) == ["a", "b", "c", "d"]
    assert from_text.config["window"] == 10 and from_text.config["sample"] == 0.0
    session = ItemModel.from_sessions(path, epochs=2, workers=1, window="session", tune=False)
    assert session.config["window"] == "session" and session.tuning is None
    with pytest.raises(W2VError, match="window"):
        ItemModel.from_sessions(path, window="all")


@pytest.mark.parametrize("option,message", [
    ({"window": 0}, "window must be a whole number >= 1, got 0"),
    ({"vector_size": 2.5}, "vector_size must be a whole number >= 1, got 2.5"),
    ({"negative": 0}, "nothing to train with"),
    ({"sample": -1}, "sample must be a finite number >= 0, got -1"),
])
def test_item_options_follow_the_rules_of_word2vec(tmp_path, option, message):
    """One set of rules: the same message as Word2Vec, a ValueError that is also a W2VError."""
    import w2v

    path = tmp_path / "s.txt"
    path.write_text("a b c\nb c d\n" * 5)
    with pytest.raises(ValueError, match=message) as ours:
        ItemModel.from_sessions(path, **option)
    assert isinstance(ours.value, W2VError)
    with pytest.raises(ValueError, match=message):
        w2v.Word2Vec([["a", "b"]], min_count=1, **option)
    with pytest.raises(TypeError, match="size"):
        ItemModel.from_sessions(path, size=10)


# -- the command line -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def log_files(tmp_path_factory, planted):
    folder = tmp_path_factory.mktemp("items")
    frame, genre = planted
    events = folder / "events.csv"
    frame.to_csv(events, index=False)
    names = folder / "names.csv"
    pd.DataFrame({"item_id": list(genre), "title": [f"genre {g} item {k}" for k, g in genre.items()]}).to_csv(
        names, index=False)
    return folder, events, names


def test_cli_train_similar_recommend(log_files, capsys):
    folder, events, names = log_files
    model = folder / "items.w2v"
    assert main(["items", "train", str(events), "--user", "user_id", "--item", "item_id", "--time", "ts",
                 "--session-gap", "30min", "-o", str(model), "--quiet", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "recommendation weights tuned on" in out and f"saved {model}" in out
    loaded = ItemModel.load(model)
    item = loaded.index_to_key[0]
    assert main(["items", "similar", str(model), item, "-n", "3", "--names", str(names), "--name-col", "title"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"closest to {item}: genre")
    assert out[1].split() == ["rank", "item", "cosine", "name"] and len(out) == 5
    assert [line.split()[1] for line in out[2:]] == [k for k, _ in loaded.similar(item, topn=3)]
    history = loaded.index_to_key[:3]
    assert main(["items", "recommend", str(model), "--history", *history, "-n", "4"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out[1:]] == [k for k, _ in loaded.recommend(history, topn=4)]
    assert not set(history) & {line.split()[1] for line in out[1:]}
    # items under min_count are skipped by default, with one line on stderr; --strict fails on them
    assert main(["items", "recommend", str(model), "--history", *history, "rare-1", "rare-2", "-n", "4"]) == 0
    captured = capsys.readouterr()
    assert [line.split()[1] for line in captured.out.splitlines()[1:]] == [k for k, _ in loaded.recommend(history, topn=4)]
    assert captured.err == "w2v: skipped 2 of 5 history items not in the model (rare-1, rare-2)\n"
    assert main(["items", "recommend", str(model), "--history", "rare-1", "-n", "2"]) == 0
    captured = capsys.readouterr()
    assert "none of the history is known: most popular items" in captured.err
    assert [line.split()[1] for line in captured.out.splitlines()[1:]] == list(pd.Series(
        dict(zip(loaded.index_to_key, loaded.counts))).sort_values(ascending=False, kind="stable").index[:2])
    assert main(["items", "recommend", str(model), "--history", item, "rare-1", "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'rare-1'" in err and "Traceback" not in err
    # no validation users to tune on: one line, exit 2, before any training; nothing written
    again = folder / "again.w2v"
    assert main(["items", "train", str(events), "--user", "user_id", "--item", "item_id", "--tune-users", "0",
                 "-o", str(again), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("w2v: error: tune_users must be a whole number >= 1") and err.count("\n") == 1
    assert not again.exists()


def test_cli_evaluate_json_and_table(tmp_path, capsys):
    frame, _ = genre_log(n_users=300, n_items=120, seed=2)
    events = tmp_path / "events.tsv"
    frame.to_csv(events, sep="\t", index=False)
    argv = ["items", "evaluate", str(events), "--user", "user_id", "--item", "item_id", "--time", "ts",
            "--k", "5", "--quiet", "--workers", "2", "--epochs", "3"]
    table = logs.sessionize(logs.read_events(frame, item="item_id", user="user_id", time="ts")[0])
    users = int((table.groupby("user").size() >= 2).sum())  # after dropping consecutive repeats
    assert main(argv + ["--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["methods"]) == {"item2vec", "most-popular", "co-occurrence"}
    assert result["k"] == 5 and result["counts"]["test_users"] == users
    assert result["recommend_defaults"] == {k: result["tuning"][k] for k in ("decay", "popularity_weight")}
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "hit@5" in out and "NDCG@5" in out and "co-occurrence" in out and f"{users} test users" in out


def test_cli_bad_input_is_one_line_error(tmp_path, capsys):
    events = write(tmp_path / "e.csv", "user,item,ts\nu1,a,1\nu1,b,not a time\nu2,c,3\nu2,a,4\n")
    argv = ["items", "train", str(events), "--user", "user", "--item", "item", "--time", "ts",
            "-o", str(tmp_path / "m.w2v"), "--quiet", "--min-count", "1", "--epochs", "1"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "data row 2" in err and err.startswith("w2v: error: ")
    assert main(argv + ["--skip-bad-rows"]) == 0
    assert "skipped 1 of 4 rows" in capsys.readouterr().err
    assert main(["items", "train", str(events), "--user", "user", "--item", "product", "-o", "x"]) == 2
    assert "no column 'product'" in capsys.readouterr().err
    assert main(["items", "train", str(events), "-o", "x"]) == 2
    assert "--item" in capsys.readouterr().err


def test_rows_with_extra_fields_are_named_or_skipped(tmp_path):
    from w2v.items.logs import read_events
    from w2v.errors import W2VError

    path = tmp_path / "extra.csv"
    path.write_text("user,item,time\nu1,a,1\nu1,b,2,SHIFTED\nu2,c,3\nu2,,4\n")
    with pytest.raises(W2VError, match=r"data row 2: 4 fields, but the header names 3 columns; data row 4: empty item"):
        read_events(path, item="item", user="user", time="time")
    events, report = read_events(path, item="item", user="user", time="time", skip_bad_rows=True)
    assert list(events["item"]) == ["a", "c"] and report.skipped == 2 and report.rows == 4
