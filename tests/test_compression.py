"""Damaged gzip / bzip2 / xz input: every reader × every codec × {corrupt body, cut short}.

Each reader must raise its own error class (corpus: CorpusError, vectors: FormatError, item
logs and session files: W2VError) naming the file and the offsets, also an EOFError when the
file is cut short (not when its body is corrupt), and the CLI must print one line and exit 2.
"""
import bz2
import gzip
import lzma
import random
import subprocess
import sys

import numpy as np
import pytest

from w2v import formats
from w2v.cli import main
from w2v.compression import open_file
from w2v.corpus import scan
from w2v.errors import CorpusError, DecompressionError, FormatError, TruncatedCompressedFileError, W2VError
from w2v.items.logs import read_events, read_session_lines
from w2v.vectors import KeyedVectors

CODECS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}


def _words(n, seed=0):
    rng = random.Random(seed)
    return [f"w{rng.randrange(3000)}" for _ in range(n)]


def _damage(data, how):
    if how == "cut":
        return data[: len(data) // 2]
    middle = len(data) // 2  # invert 40 bytes in the middle of the compressed body
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 40]) + data[middle + 40:]


def _corpus_text():
    words = _words(30000)
    return "".join(" ".join(words[i:i + 15]) + "\n" for i in range(0, len(words), 15)).encode()


def _vectors_file(tmp_path, fmt):
    rng = np.random.default_rng(0)
    keys = [f"w{i}" for i in range(400)]
    kv = KeyedVectors(8).set_vectors(keys, rng.standard_normal((400, 8)).astype(np.float32))
    plain = tmp_path / f"plain.{fmt}"
    formats.save(kv, plain, fmt)
    return plain.read_bytes()


def _log_text():
    words = _words(20000, seed=1)
    return ("user,item,time\n" + "".join(f"u{i % 300},{w},{i}\n" for i, w in enumerate(words))).encode()


def _sessions_text():
    return _corpus_text()


# reader name: (content maker, file name, Python call, expected class, CLI argv)
READERS = {
    "corpus": (lambda tmp: _corpus_text(), "corpus.txt", lambda p: scan(p, progress=False), CorpusError,
               lambda p, out: ["train", p, "-o", out, "--min-count", "1", "--epochs", "1", "--quiet"]),
    "vectors-text": (lambda tmp: _vectors_file(tmp, "word2vec-text"), "vectors.txt", formats.load, FormatError, lambda p, out: ["info", p]),
    "vectors-binary": (lambda tmp: _vectors_file(tmp, "word2vec-binary"), "vectors.bin", formats.load, FormatError, lambda p, out: ["info", p]),
    "item-log": (lambda tmp: _log_text(), "log.csv", lambda p: read_events(p, item="item", user="user", time="time"),
                 W2VError, lambda p, out: ["items", "train", p, "--item", "item", "--user", "user", "-o", out]),
    "session-file": (lambda tmp: _sessions_text(), "sessions.txt", read_session_lines, W2VError,
                     lambda p, out: ["items", "train", p, "-o", out]),
}


def _make(tmp_path, reader, codec, how):
    content, name, *_ = READERS[reader]
    path = tmp_path / f"{name}.{codec}"
    path.write_bytes(_damage(CODECS[codec](content(tmp_path)), how))
    return path


@pytest.mark.parametrize("how", ["corrupt", "cut"])
@pytest.mark.parametrize("codec", sorted(CODECS))
@pytest.mark.parametrize("reader", sorted(READERS))
def test_damaged_input_is_the_readers_error_naming_file_and_offsets(tmp_path, reader, codec, how):
    path = _make(tmp_path, reader, codec, how)
    _, _, call, expected, _ = READERS[reader]
    with pytest.raises(expected) as info:
        call(str(path))
    exc = info.value
    assert isinstance(exc, DecompressionError), f"{type(exc).__name__}: {exc}"
    assert str(path) in str(exc)
    assert exc.path == str(path)
    assert exc.compressed_offset is not None and 0 < exc.compressed_offset <= path.stat().st_size
    assert exc.offset is not None and exc.offset >= 0
    if how == "cut":
        assert "cut short" in str(exc)
    # cut short: also the EOFError Python's decompressors (and so gensim) raise; a corrupt body is not
    assert isinstance(exc, EOFError) == (how == "cut")
    assert isinstance(exc, TruncatedCompressedFileError) == (how == "cut")


@pytest.mark.parametrize("how", ["corrupt", "cut"])
@pytest.mark.parametrize("codec", sorted(CODECS))
@pytest.mark.parametrize("reader", sorted(READERS))
def test_cli_damaged_input_is_one_line_exit_2(tmp_path, capsys, reader, codec, how):
    path = _make(tmp_path, reader, codec, how)
    out = tmp_path / "out.w2v"
    code = main(READERS[reader][4](str(path), str(out)))
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("w2v: error: ") and str(path) in lines[0], err
    assert "compressed byte" in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("codec", sorted(CODECS))
def test_undamaged_compressed_files_read_as_the_plain_ones(tmp_path, codec):
    text = _log_text()
    plain, packed = tmp_path / "log.csv", tmp_path / f"log.csv.{codec}"
    plain.write_bytes(text)
    packed.write_bytes(CODECS[codec](text))
    a, _ = read_events(plain, item="item", user="user", time="time")
    b, _ = read_events(packed, item="item", user="user", time="time")
    assert a.equals(b)
    handle, compressed = open_file(packed)
    with handle:
        assert compressed and handle.read() == text


def test_compression_is_told_by_content_not_name(tmp_path):
    path = tmp_path / "log.csv"  # gzip data without a .gz name
    path.write_bytes(gzip.compress(_log_text()))
    events, _ = read_events(path, item="item", user="user", time="time")
    assert len(events) == 20000


def test_corrupt_item_log_is_the_decompression_error_outside_pytest_too(tmp_path):
    # pandas' C parser can turn a failed read() into a SystemError (it warns about bad lines with the
    # read's exception still set); pytest's warning capture hid it, so run as a user would
    path = _make(tmp_path, "item-log", "gz", "corrupt")
    # (w2v.formats imported first, as the CLI does: the import order decides whether pandas trips)
    code = ("import sys\nimport w2v.formats\nfrom w2v.errors import DecompressionError\nfrom w2v.items.logs import read_events\n"
            "try:\n    read_events(sys.argv[1], item='item', user='user', time='time')\n"
            "except DecompressionError as exc:\n    print('ok', exc)\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert out.stdout.startswith("ok "), out.stdout + out.stderr
