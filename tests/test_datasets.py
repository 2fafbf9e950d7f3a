"""The standard evaluation sets by name: shipped (Google's analogies) or downloaded with a
checksum (WordSim-353, SimLex-999) from a real HTTP server on loopback."""
import hashlib
import os
from importlib import resources

import numpy as np
import pytest

import w2v
from w2v import datasets, download
from w2v.cli import main
from w2v.download import DownloadError

from test_download import server  # noqa: F401 (the loopback HTTP server fixture)

GENSIM_DATA = os.path.join(os.path.dirname(pytest.importorskip("gensim").__file__), "test", "test_data")


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_DATA", str(tmp_path / "cache"))
    monkeypatch.setattr(download, "TIMEOUT", (5.0, 5.0))
    monkeypatch.setattr(download, "BACKOFF", 0.0)
    return tmp_path / "cache"


@pytest.fixture
def mirror(server, monkeypatch):  # noqa: F811
    """The loopback server holding gensim's copies of the pair files, and the catalogue pointing at it."""
    for name in ("wordsim353", "simlex999"):
        item = dict(datasets.DATASETS[name])
        with open(os.path.join(GENSIM_DATA, item["file"]), "rb") as handle:
            server.state.files[f"/{item['file']}"] = handle.read()
        item["url"] = f"{server.url}/{item['file']}"
        monkeypatch.setitem(datasets.DATASETS, name, item)
    return server


def _requests(server, path):
    return [entry for entry in server.state.log if entry[0] == path]


def _sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _gensim_vectors(tmp_path, words, dim=16, seed=0):
    """The same random vectors as a gensim KeyedVectors and as a word2vec text file."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(dim)
    kv.add_vectors(words, np.random.default_rng(seed).standard_normal((len(words), dim)).astype(np.float32))
    path = tmp_path / "vectors.txt"
    kv.save_word2vec_format(str(path))
    return kv, path


def _pair_words(name):
    words = []
    with open(os.path.join(GENSIM_DATA, datasets.DATASETS[name]["file"]), encoding="utf8") as handle:
        for line in handle:
            if not line.startswith("#"):
                words.extend(w.lower() for w in line.split("\t")[:2])
    return list(dict.fromkeys(words))


def test_google_is_shipped_unchanged_with_its_licence():
    path = datasets.path("google")
    assert _sha256(path) == datasets.DATASETS["google"]["sha256"] == _sha256(os.path.join(GENSIM_DATA, "questions-words.txt"))
    note = resources.files("w2v").joinpath("data/eval/LICENCE.md").read_text(encoding="utf8")
    assert "Apache License 2.0" in note and "WordSim-353" in note
    for name in ("wordsim353", "simlex999"):   # not ours to ship
        assert not datasets.DATASETS[name]["shipped"]
        assert not resources.files("w2v").joinpath("data/eval", datasets.DATASETS[name]["file"]).is_file()


def test_analogies_by_name_match_gensim_on_the_same_file(tmp_path):
    from w2v.evaluate import evaluate_word_analogies

    words = []
    with open(datasets.path("google"), encoding="utf8") as handle:
        for line in handle:
            if not line.startswith(":") and len(words) < 400:
                words.extend(w.lower() for w in line.split())
    words = list(dict.fromkeys(words))
    theirs, path = _gensim_vectors(tmp_path, words)
    ours = w2v.KeyedVectors.load_word2vec_format(str(path))
    by_name = ours.evaluate_word_analogies(datasets.path("google"))
    assert by_name[0] == evaluate_word_analogies(ours, os.path.join(GENSIM_DATA, "questions-words.txt"))[0]
    assert by_name[0] == pytest.approx(theirs.evaluate_word_analogies(os.path.join(GENSIM_DATA, "questions-words.txt"))[0])


def test_pairs_by_name_are_downloaded_once_verified_and_match_gensim(mirror, tmp_path, cache):
    words = _pair_words("wordsim353")
    theirs, path = _gensim_vectors(tmp_path, words)
    ours = w2v.KeyedVectors.load_word2vec_format(str(path))
    pearson, spearman, oov = ours.evaluate_word_pairs(datasets.path("wordsim353"))
    expected = theirs.evaluate_word_pairs(os.path.join(GENSIM_DATA, "wordsim353.tsv"))
    assert spearman[0] == pytest.approx(expected[1][0]) and pearson[0] == pytest.approx(expected[0][0])
    local = datasets.path("wordsim353")
    assert local == str(cache / "datasets" / "wordsim353" / "wordsim353.tsv")
    assert _sha256(local) == datasets.DATASETS["wordsim353"]["sha256"]
    ours.evaluate_word_pairs(datasets.path("ws353"))   # an alias, and the cached copy: no second request
    assert len(_requests(mirror, "/wordsim353.tsv")) == 1
    assert not [f for f in os.listdir(os.path.dirname(local)) if f.endswith(".part")]


def test_a_damaged_download_caches_nothing(mirror, cache):
    mirror.state.files["/simlex999.txt"] = mirror.state.files["/simlex999.txt"].replace(b"old", b"odd", 1)
    with pytest.raises(DownloadError, match="checksum mismatch"):
        datasets.path("simlex999")
    assert not os.path.exists(datasets.cached_path("simlex999"))
    assert not [f for f in os.listdir(cache / "datasets" / "simlex999") if not f.startswith(".")]


def test_a_damaged_cached_copy_is_fetched_again(mirror):
    local = datasets.path("simlex999")
    with open(local, "ab") as handle:
        handle.write(b"extra\tline\t1\n")
    assert _sha256(datasets.path("simlex999")) == datasets.DATASETS["simlex999"]["sha256"]
    assert len(_requests(mirror, "/simlex999.txt")) == 2


def test_cli_evaluate_by_name(mirror, tmp_path, capsys):
    _, path = _gensim_vectors(tmp_path, _pair_words("wordsim353") + ["athens", "greece", "baghdad", "iraq"])
    assert main(["evaluate", str(path), "--analogies", "google", "--pairs", "wordsim353"]) == 0
    out = capsys.readouterr().out
    assert "Total accuracy" in out and "spearman" in out.lower()
    assert main(["download", "simlex999"]) == 0
    assert datasets.cached_path("simlex999") in capsys.readouterr().out
    assert main(["download", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "google" in listing and "shipped" in listing and "simlex999" in listing


@pytest.mark.parametrize("argv, message", [
    (["--pairs", "google"], "'google' is a set of analogies, not of pairs"),
    (["--analogies", "wordsim353"], "'wordsim353' is a set of pairs, not of analogies"),
    (["--pairs", "wordsim999"], "wordsim999: no such file (a standard set by name"),
])
def test_cli_wrong_names_are_one_line(argv, message, tmp_path, capsys):
    _, path = _gensim_vectors(tmp_path, ["a", "b", "c"])
    assert main(["evaluate", str(path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unknown_name_is_a_key_error_naming_it():
    with pytest.raises(KeyError, match="no evaluation set called 'men3000'; known: google, simlex999, wordsim353"):
        datasets.path("men3000")


def test_a_correlation_needs_three_pairs(tmp_path, capsys):
    _, path = _gensim_vectors(tmp_path, ["a", "b", "c", "d"])
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("a\tb\t1.0\nc\td\t2.0\na\tzz\t3.0\n")
    assert main(["evaluate", str(path), "--pairs", str(pairs)]) == 2
    err = capsys.readouterr().err
    assert err == f"w2v: error: {pairs}: only 2 word pair(s) to score (1 more out of vocabulary); a correlation needs at least 3\n"
