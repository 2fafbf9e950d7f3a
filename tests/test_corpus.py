"""Reading corpora: files, compression, folders, iterables, long lines, bad bytes."""
import bz2
import gzip
import lzma

import numpy as np
import pytest

from w2v import corpus
from w2v.errors import CorpusError

TEXT = "the cat sat on the mat\nthe dog sat\n\n  a  cat\n"


def _vocab(scan):
    words, counts = scan.vocabulary()
    return dict(zip(words, counts.tolist()))


@pytest.mark.parametrize("suffix,opener", [("", open), (".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open),
                                           (".lzma", lambda *a, **k: lzma.open(*a, format=lzma.FORMAT_ALONE, **k)),
                                           (".data", gzip.open)])   # compression is told by content, not name
def test_reads_plain_and_compressed_files(tmp_path, suffix, opener):
    path = tmp_path / f"corpus.txt{suffix}"
    with opener(path, "wt", encoding="utf-8") as f:
        f.write(TEXT)
    scan = corpus.scan(str(path), progress=False)
    assert _vocab(scan) == {"the": 3, "cat": 2, "sat": 2, "on": 1, "mat": 1, "dog": 1, "a": 1}
    assert scan.lengths.tolist() == [6, 3, 2]          # the empty line is not a sentence
    assert scan.total_words == 11


def test_reads_a_folder_of_files_in_name_order(tmp_path):
    (tmp_path / "b.txt").write_text("second file\n")
    (tmp_path / "a.txt").write_text("first file\n")
    with gzip.open(tmp_path / "c.txt.gz", "wt") as f:
        f.write("third file\n")
    scan = corpus.scan(str(tmp_path), progress=False)
    assert scan.words == ["first", "file", "second", "third"]
    assert scan.lengths.tolist() == [2, 2, 2]


def test_iterable_and_generator_give_the_same_scan():
    sentences = [["a", "b"], ["b", "c", "b"]]
    a = corpus.scan(sentences=sentences, progress=False)
    b = corpus.scan(sentences=(s for s in sentences), progress=False)
    assert _vocab(a) == _vocab(b) == {"a": 1, "b": 3, "c": 1}
    assert a.ids.tolist() == b.ids.tolist()


def test_long_lines_are_split_not_truncated(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(" ".join(f"w{i % 7}" for i in range(25_000)) + "\nshort line\n")
    scan = corpus.scan(str(path), progress=False)
    assert scan.total_words == 25_002
    assert scan.lengths.tolist() == [10_000, 10_000, 5_000, 2]
    long_sentences = corpus.scan(sentences=[["x"] * 10_001], progress=False)
    assert long_sentences.lengths.tolist() == [10_000, 1]


def test_invalid_utf8_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"good line\nanother good one\nbad \xff byte here\n")
    with pytest.raises(CorpusError, match=r"bad\.txt, line 3, byte 5: invalid UTF-8"):
        corpus.scan(str(path), progress=False)
    scan = corpus.scan(str(path), unicode_errors="replace", progress=False)
    assert "\ufffd" in scan.words and scan.total_words == 9


def test_missing_file_and_empty_folder_are_clear_errors(tmp_path):
    with pytest.raises(CorpusError, match="no such file"):
        corpus.scan(str(tmp_path / "nope.txt"), progress=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="has no files"):
        corpus.scan(str(tmp_path / "empty"), progress=False)


def test_strings_instead_of_token_lists_are_rejected():
    with pytest.raises(CorpusError, match="sentence 2 is a string"):
        corpus.scan(sentences=[["ok"], "not tokens"], progress=False)
    with pytest.raises(CorpusError, match=r"tokens must be str, got int \(5\)"):
        corpus.scan(sentences=[["fine", "tokens"], ["a", 5]], progress=False)
    with pytest.raises(CorpusError, match="not a single string"):
        corpus.scan(sentences="hello world", progress=False)


def test_encode_drops_unknown_words_and_keeps_sentences():
    scan = corpus.scan(sentences=[["a", "x", "b"], ["x"], ["b", "a"]], progress=False)
    ids, offsets, raw = scan.encode({"a": 0, "b": 1})
    assert ids.tolist() == [0, 1, 1, 0]
    assert offsets.tolist() == [0, 2, 2, 4]
    assert raw.tolist() == [3, 1, 2]


def test_max_vocab_size_prunes_rare_words_while_counting():
    sentences = [["common", f"rare{i}"] for i in range(30_000)]
    scan = corpus.scan(sentences=sentences, max_vocab_size=1000, progress=False)
    vocab = _vocab(scan)
    assert len(vocab) <= 1000
    assert vocab["common"] == 30_000


def test_large_corpora_spill_to_disk_and_encode_the_same():
    sentences = [[f"w{(i * 7 + j) % 50}" for j in range(9)] for i in range(3000)]
    in_memory = corpus.scan(sentences=sentences, progress=False)
    spilled = corpus.scan(sentences=sentences, progress=False, spill_tokens=1000)
    assert isinstance(spilled.ids, np.memmap)
    index = {f"w{i}": i for i in range(0, 50, 2)}
    for a, b in zip(in_memory.encode(index), spilled.encode(index)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("spill", [False, True])
def test_compiled_encoder_matches_the_numpy_reference(tmp_path, spill):
    rng = np.random.default_rng(3)
    lengths = rng.integers(1, 40, 500)
    ids = rng.integers(0, 300, int(lengths.sum())).astype(np.int32)
    remap = np.where(rng.random(300) < 0.3, -1, rng.permutation(300)).astype(np.int32)
    remap[ids[:lengths[0]]] = -1          # a first sentence made only of dropped words
    if spill:
        path = tmp_path / "ids.bin"
        ids.tofile(path)
        ids = np.memmap(path, dtype=np.int32, mode="r", shape=ids.shape)
    fast = corpus.encode_with(remap, ids, lengths)
    reference = corpus.encode_with_reference(remap, ids, lengths)
    assert fast[1][1] == 0
    for a, b in zip(fast, reference):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
