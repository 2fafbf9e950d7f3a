"""Reading and writing vectors files, and interop with gensim's word2vec readers and writers."""
import gzip
import os

import numpy as np
import pytest

import w2v
from w2v import formats, store, word2vec_io
from w2v.kernels import POW10, textio
from w2v.errors import FormatError
from w2v.vectors import KeyedVectors

gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
GensimKV = gensim_kv.KeyedVectors

TEXT_FORMATS = ("word2vec-text", "glove", "fasttext-vec")

try:
    from w2v import _textio
except ImportError:   # installed without a C compiler: text is read by the numba kernels alone
    _textio = None


@pytest.fixture(autouse=True, params=["c", "numba"])
def text_kernels(request):
    """Every test here runs with both implementations of the text reader's inner loops."""
    if request.param == "c" and _textio is None:
        pytest.skip("the C extension w2v._textio was not built (no C compiler when w2v was installed)")
    saved = word2vec_io._text_impl
    word2vec_io._text_impl = _textio if request.param == "c" else textio
    yield request.param
    word2vec_io._text_impl = saved


@pytest.fixture(scope="module")
def kv():
    rng = np.random.default_rng(11)
    n, dim = 300, 12
    # values over many magnitudes, so the text writer's shortest-decimal code meets exponents
    vectors = (rng.standard_normal((n, dim)) * rng.choice([1e-7, 1e-3, 0.1, 1.0, 250.0], (n, dim))).astype(np.float32)
    vectors[0, :3] = [0.0, -0.0, 1.0]
    keys = [f"w{i}" for i in range(n - 3)] + ["naïve", "日本", "x" * 40]
    return KeyedVectors(dim).set_vectors(keys, vectors)


def gensim_load(path, fmt):
    return GensimKV.load_word2vec_format(path, binary=fmt == "word2vec-binary", no_header=fmt == "glove")


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_round_trip_is_exact(kv, tmp_path, fmt):
    path = tmp_path / "vectors"
    w2v.formats.save(kv, path, fmt)
    back = w2v.load(path)
    assert back.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(back.vectors, kv.vectors)   # text keeps every float32 bit too
    assert formats.detect_format(path) == {"fasttext-vec": "word2vec-text"}.get(fmt, fmt)


@pytest.mark.parametrize("fmt", ["word2vec-text", "word2vec-binary", "glove", "fasttext-vec"])
def test_files_we_write_load_in_gensim(kv, tmp_path, fmt):
    path = tmp_path / "vectors"
    formats.save(kv, path, fmt)
    theirs = gensim_load(path, fmt)
    assert theirs.index_to_key == kv.index_to_key
    np.testing.assert_allclose(theirs.vectors, kv.vectors, rtol=1e-6, atol=0)


@pytest.mark.parametrize("binary, header", [(False, True), (True, True), (False, False)])
def test_files_gensim_writes_load_in_w2v(kv, tmp_path, binary, header):
    theirs = GensimKV(kv.vector_size)
    theirs.add_vectors(kv.index_to_key, kv.vectors)
    path = tmp_path / "from-gensim"
    theirs.save_word2vec_format(str(path), binary=binary, write_header=header)
    ours = w2v.load(path)
    assert ours.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    assert formats.detect_format(path) == ("word2vec-binary" if binary else "word2vec-text" if header else "glove")
    # gensim's stand-in counts, so frequency order is file order in both
    assert [ours.get_vecattr(k, "count") for k in ours.index_to_key[:3]] == \
           [gensim_load(path, "word2vec-binary" if binary else "word2vec-text" if header else "glove")
            .get_vecattr(k, "count") for k in ours.index_to_key[:3]]


def test_word2vec_c_layouts(tmp_path):
    """word2vec.c: text lines end in a space, binary vectors end in a newline."""
    values = np.array([[0.25, -1.5, 3e-5], [1e10, 0.0, -2.0]], dtype=np.float32)
    text = "2 3\n" + "".join(f"{w} " + "".join(f"{v:f} " for v in row) + "\n" for w, row in zip(["a", "b"], values))
    (tmp_path / "c.txt").write_text(text)
    ours = w2v.load(tmp_path / "c.txt")
    np.testing.assert_array_equal(ours.vectors, np.array([[float(f"{v:f}") for v in r] for r in values], np.float32))
    binary = b"2 3\n" + b"".join(w + b" " + row.tobytes() + b"\n" for w, row in zip([b"a", b"b"], values))
    (tmp_path / "c.bin").write_bytes(binary)
    ours = w2v.load(tmp_path / "c.bin")
    assert ours.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(ours.vectors, values)
    # crlf line ends and blank lines are tolerated in text
    (tmp_path / "crlf.txt").write_bytes(b"2 2\r\na 1 2\r\n\r\nb 3 4\r\n\n")
    np.testing.assert_array_equal(w2v.load(tmp_path / "crlf.txt").vectors, [[1, 2], [3, 4]])


def test_fasttext_vec_and_glove(tmp_path):
    (tmp_path / "ft.vec").write_text("2 3\nhello 0.1 0.2 0.3 \nworld -1 -2 -3 \n")
    kv = w2v.load(tmp_path / "ft.vec", format="fasttext-vec")
    assert kv.index_to_key == ["hello", "world"]
    (tmp_path / "glove.txt").write_text("the 0.418 0.24968 -0.41242\n. . . 0.1 0.2 0.3\nend 1 2 3")
    kv = w2v.load(tmp_path / "glove.txt")
    assert kv.index_to_key == ["the", ". . .", "end"]   # GloVe 840B has words with spaces
    np.testing.assert_array_equal(kv.vectors[0], np.float32([0.418, 0.24968, -0.41242]))


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_limit(kv, tmp_path, fmt):
    path = tmp_path / "vectors"
    formats.save(kv, path, fmt)
    small = w2v.load(path, limit=7)
    assert small.index_to_key == kv.index_to_key[:7]
    np.testing.assert_array_equal(small.vectors, kv.vectors[:7])
    if fmt != "native":
        theirs = GensimKV.load_word2vec_format(path, binary=fmt == "word2vec-binary", no_header=fmt == "glove",
                                               limit=7)
        assert theirs.index_to_key == small.index_to_key
        assert [theirs.get_vecattr(k, "count") for k in small.index_to_key] == list(small.counts)


def test_native_kinds_and_mmap(kv, tmp_path):
    blob, offsets = store.encode_strings(kv.index_to_key)
    store.save(tmp_path / "model.w2v", "model", {"vector_size": kv.vector_size},
               {"vectors": kv.vectors, "counts": np.arange(len(kv)), "keys.blob": blob, "keys.offsets": offsets,
                "syn1neg": np.zeros_like(kv.vectors)})
    loaded = w2v.load(tmp_path / "model.w2v", mmap="r")
    assert isinstance(loaded.vectors, np.memmap)
    assert loaded.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(loaded.vectors, kv.vectors)
    store.save(tmp_path / "other.w2v", "items", {}, {"something": np.zeros(3)})
    with pytest.raises(FormatError, match="without word vectors"):
        w2v.load(tmp_path / "other.w2v")
    formats.save(kv, tmp_path / "v.txt", "word2vec-text")
    with pytest.raises(FormatError, match="only w2v's native format can be memory-mapped"):
        w2v.load(tmp_path / "v.txt", mmap="r")


def test_compressed_files(kv, tmp_path):
    for fmt in ("word2vec-text", "word2vec-binary"):
        formats.save(kv, tmp_path / "plain", fmt)
        with open(tmp_path / "plain", "rb") as src, gzip.open(tmp_path / "packed.gz", "wb") as dst:
            dst.write(src.read())
        back = w2v.load(tmp_path / "packed.gz", limit=50)
        np.testing.assert_array_equal(back.vectors, kv.vectors[:50])
        assert formats.detect_format(tmp_path / "packed.gz") == fmt


def test_small_blocks_exercise_carry_over(kv, tmp_path, monkeypatch):
    """Records split across read blocks are stitched together correctly."""
    for fmt in ("word2vec-text", "word2vec-binary", "glove"):
        formats.save(kv, tmp_path / "v", fmt)
        monkeypatch.setattr(word2vec_io, "_BLOCK", 97)
        monkeypatch.setattr(word2vec_io, "_MAX_WORD", 50)
        back = w2v.load(tmp_path / "v")
        monkeypatch.undo()
        assert back.index_to_key == kv.index_to_key
        np.testing.assert_array_equal(back.vectors, kv.vectors)


def test_number_parser_agrees_with_float(tmp_path):
    rng = np.random.default_rng(2)
    tokens = []
    for _ in range(3000):
        mantissa = rng.uniform(-10, 10)
        style = rng.integers(6)
        if style == 0:
            tokens.append(f"{mantissa:.6f}")
        elif style == 1:
            tokens.append(f"{mantissa:.8e}".replace("e", "E" if rng.integers(2) else "e"))
        elif style == 2:
            tokens.append(repr(float(mantissa * 10.0 ** rng.integers(-40, 39))))
        elif style == 3:
            tokens.append(f"{mantissa:.20f}")                # too many digits: Python's float() decides
        elif style == 4:
            tokens.append(str(np.float32(mantissa * 10.0 ** rng.integers(-8, 8))))
        else:
            tokens.append(rng.choice(["+1.5", ".5", "-.25", "1.", "0", "-0", "1e5", "2E-3", "-7e+02",
                                      "nan", "inf", "-inf", "00012.5000", "1e-400", "3.4e39"]))
    dim = 10
    rows = [tokens[i:i + dim] for i in range(0, len(tokens), dim)]
    data = f"{len(rows)} {dim}\n" + "".join(f"w{i} {' '.join(r)}\n" for i, r in enumerate(rows))
    (tmp_path / "numbers.txt").write_text(data)
    ours = w2v.load(tmp_path / "numbers.txt").vectors
    expected = np.array([[np.float32(float(t)) for t in r] for r in rows], dtype=np.float32)
    np.testing.assert_array_equal(ours, expected)   # also nan == nan position-wise
    words, reference = formats.reference_parse_text(data.encode(), dim)
    np.testing.assert_array_equal(ours, reference)


def test_float_writer_is_shortest_round_trip():
    rng = np.random.default_rng(4)
    values = (rng.standard_normal(20000) * 10.0 ** rng.integers(-44, 38, 20000)).astype(np.float32)
    values = values[np.isfinite(values)]
    values = np.concatenate([values, np.float32([0.1, 1.0, 100.0, 123456789.0, 1e-45, 3.4028235e38, -0.0, 0.0])])
    kv = KeyedVectors(1).set_vectors([f"v{i}" for i in range(len(values))], values.reshape(-1, 1))
    out = np.empty(len(values) * 40, np.uint8)
    blob, offsets = store.encode_strings(kv.index_to_key)
    size = textio.format_text_rows(kv.vectors, blob, offsets, 0, len(values), out, POW10)
    lines = out[:size].tobytes().decode().splitlines()
    for line, value in zip(lines, values):
        text = line.split()[1]
        assert np.float32(float(text)) == value or (value == 0 and float(text) == 0), (text, value)
        digits = len(text.lstrip("-").split("e")[0].replace(".", "").lstrip("0").rstrip("0")) or 1
        shortest = np.format_float_scientific(value, unique=True).lstrip("-").split("e")[0].replace(".", "")
        if 1e-12 <= abs(value) < 1e22:   # outside, exact powers of ten run out and 9 digits are written
            assert digits <= max(len(shortest.rstrip("0")), 1), (text, value)
        else:
            assert digits <= 9


def test_kernels_agree_with_references(kv, tmp_path):
    formats.save(kv, tmp_path / "v.bin", "word2vec-binary")
    data = (tmp_path / "v.bin").read_bytes()
    words, vectors = formats.reference_parse_binary(data)
    ours = w2v.load(tmp_path / "v.bin")
    assert ours.index_to_key == words
    np.testing.assert_array_equal(ours.vectors, vectors)


def test_unicode_errors(tmp_path):
    broken = "é".encode()[:1]   # word2vec.c cuts long words mid-character
    data = b"2 2\n" + b"ok " + np.float32([1, 2]).tobytes() + b"\nbad" + broken + b" " + np.float32([3, 4]).tobytes()
    (tmp_path / "u.bin").write_bytes(data)
    with pytest.raises(FormatError, match=r"u\.bin: offset 16: word b'bad\\xc3' is not valid utf-8.*unicode_errors"):
        w2v.load(tmp_path / "u.bin")
    assert w2v.load(tmp_path / "u.bin", unicode_errors="replace").index_to_key == ["ok", "bad\ufffd"]
    assert w2v.load(tmp_path / "u.bin", unicode_errors="ignore").index_to_key == ["ok", "bad"]
    assert GensimKV.load_word2vec_format(tmp_path / "u.bin", binary=True,
                                         unicode_errors="ignore").index_to_key == ["ok", "bad"]
    (tmp_path / "u.txt").write_bytes(b"1 1\nbad" + broken + b" 1.0\n")
    with pytest.raises(FormatError, match=r"line 2: word .* is not valid utf-8"):
        w2v.load(tmp_path / "u.txt")
    # as in gensim, the error is also a UnicodeDecodeError (its details included), for vectors and vocabulary files
    for load in (GensimKV.load_word2vec_format, KeyedVectors.load_word2vec_format):
        with pytest.raises(UnicodeDecodeError) as caught:
            load(str(tmp_path / "u.bin"), binary=True)
        assert caught.value.object.endswith(b"bad\xc3") and caught.value.encoding.replace("-", "") == "utf8"
    (tmp_path / "u.vocab").write_bytes(b"bad" + broken + b" 5\n")
    with pytest.raises(UnicodeDecodeError, match=r"u\.vocab: line 1: not valid utf-8"):
        KeyedVectors.load_word2vec_format(tmp_path / "u.txt", fvocab=tmp_path / "u.vocab")


def test_duplicate_words_keep_the_first_like_gensim(tmp_path):
    (tmp_path / "d.txt").write_text("3 1\na 1\nb 2\na 3\n")
    with pytest.warns(UserWarning, match="1 repeated words"):
        ours = w2v.load(tmp_path / "d.txt")
    theirs = GensimKV.load_word2vec_format(tmp_path / "d.txt")
    assert ours.index_to_key == ["a", "b"] == theirs.index_to_key[:2]   # gensim leaves a None slot behind
    np.testing.assert_array_equal(ours.vectors, theirs.vectors[:2])


# -- broken files: one clear error naming the file and where ------------------------------------
def _written(kv, tmp_path, fmt):
    path = tmp_path / f"good.{fmt}"
    formats.save(kv, path, fmt)
    return path, path.read_bytes()


@pytest.mark.parametrize("cut", [0.999, 0.5, 0.01])
def test_truncated_binary(kv, tmp_path, cut):
    _, data = _written(kv, tmp_path, "word2vec-binary")
    bad = tmp_path / "cut.bin"
    bad.write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(FormatError, match=r"cut\.bin: truncated at offset \d+: the header declares 300 vectors"):
        w2v.load(bad)


def test_truncated_text(kv, tmp_path):
    _, data = _written(kv, tmp_path, "word2vec-text")
    lines = data.split(b"\n")
    bad = tmp_path / "cut.txt"
    bad.write_bytes(b"\n".join(lines[:101]) + b"\n")           # whole lines missing
    with pytest.raises(FormatError, match=r"cut\.txt: truncated at line 102: the header declares 300 vectors "
                                          r"but only 100 are complete"):
        w2v.load(bad)
    bad.write_bytes(b"\n".join(lines[:50]) + b"\n" + lines[50][:30])  # cut inside a line
    with pytest.raises(FormatError, match=r"cut\.txt: line 51: expected a word and 12 numbers, found \d+ fields"):
        w2v.load(bad)
    bad.write_bytes(b"\n".join(lines[:101]))                     # cut at a line's end, no newline
    with pytest.raises(FormatError, match=r"cut\.txt: truncated at line 102: the header declares 300 vectors "
                                          r"but only 100 are complete"):
        w2v.load(bad)


def test_corrupt_text(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("2 3\na 1 2 3\nb 1 x 3\n")
    with pytest.raises(FormatError, match=r"bad\.txt: line 3: 'x' is not a number"):
        w2v.load(path)
    path.write_text("2 3\na 1 2 3\nb 1 2 3 4\n")
    with pytest.raises(FormatError, match=r"line 3: expected a word and 3 numbers, found 5 fields"):
        w2v.load(path)
    path.write_text("1 3\na 1 2 3\nb 1 2 3\n")
    with pytest.raises(FormatError, match=r"more data after the 1 vectors the header declares"):
        w2v.load(path)
    path.write_text("")
    with pytest.raises(FormatError, match="empty file"):
        w2v.load(path)
    path.write_text("hello world\nthis is prose\n")
    with pytest.raises(FormatError, match="not a vectors file w2v recognises"):
        w2v.load(path)
    with pytest.raises(FormatError, match="no such file"):
        w2v.load(tmp_path / "missing.bin")


def test_corrupt_binary(kv, tmp_path):
    dim_bytes = 4 * kv.vector_size
    path = tmp_path / "bad.bin"
    path.write_bytes(b"1000000000 12\n" + b"a " + bytes(dim_bytes))   # header promises terabytes
    with pytest.raises(FormatError, match=r"truncated at offset 64: the header declares 1000000000 vectors"):
        w2v.load(path)
    path.write_bytes(b"2 12\n" + b"a " + bytes(dim_bytes) + b" " + bytes(dim_bytes))
    with pytest.raises(FormatError, match=r"offset 55: empty word at vector 2"):
        w2v.load(path)
    path.write_bytes(b"1 12\n" + b"a " + bytes(dim_bytes) + b"trailing junk")
    with pytest.raises(FormatError, match=r"more data after the 1 vectors .*offset 55"):
        w2v.load(path)
    with pytest.raises(FormatError, match="content is word2vec-binary"):
        w2v.load(path, format="word2vec-text")


def test_writes_are_atomic_and_keys_checked(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("precious")
    kv = KeyedVectors(2).set_vectors(["fine", "two words"], np.ones((2, 2), np.float32))
    with pytest.raises(FormatError, match="'two words' .* contains whitespace"):
        formats.save(kv, path, "word2vec-text")
    assert path.read_text() == "precious"
    assert os.listdir(tmp_path) == ["v.txt"]
    formats.save(kv, tmp_path / "v.w2v")      # native stores any key
    assert w2v.load(tmp_path / "v.w2v").index_to_key == ["fine", "two words"]
    with pytest.raises(FormatError, match="cannot tell the format"):
        formats.save(kv, tmp_path / "v.unknown")


def test_overwriting_keeps_the_file_mode_and_native_keeps_any_key(tmp_path):
    path = tmp_path / "v.w2v"
    kv = KeyedVectors(2).set_vectors([10, 20], np.ones((2, 2), np.float32))   # gensim allows int keys
    kv.save(path)
    os.chmod(path, 0o600)
    kv.save(path)
    assert (os.stat(path).st_mode & 0o777) == 0o600
    assert w2v.load(path).index_to_key == ["10", "20"]      # as the text formats write them


def test_gensim_compatible_methods(kv, tmp_path):
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    back = KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=True, limit=5)
    np.testing.assert_array_equal(back.vectors, kv.vectors[:5])


def test_loads_do_not_start_numba(kv, tmp_path, text_kernels):
    """numba's import and code generator cost more time and memory than a whole binary load,
    and would put a text load's peak memory above gensim's."""
    import subprocess
    import sys

    files = [tmp_path / "v.bin", tmp_path / "v.w2v"]
    formats.save(kv, files[0], "word2vec-binary")
    kv.save(files[1])
    if text_kernels == "c":
        files += [tmp_path / "v.txt", tmp_path / "v.glove"]
        formats.save(kv, files[2], "word2vec-text")
        formats.save(kv, files[3], "glove")
    code = ("import sys, w2v; print(*[len(w2v.load(f)) for f in sys.argv[1:]], "
            "sorted(m for m in ('numba', 'llvmlite', 'scipy', 'pandas', 'matplotlib') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, *map(str, files)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(len(kv))] * len(files) + ["[]"]


@pytest.mark.parametrize("text_kernels", ["numba"], indirect=True)
def test_without_the_extension_text_is_read_by_numba(kv, tmp_path, text_kernels):
    """An install without a C compiler has no w2v._textio: text files still load, the same."""
    import subprocess
    import sys

    formats.save(kv, tmp_path / "v.txt", "word2vec-text")
    code = ("import sys; sys.modules['w2v._textio'] = None\n"   # what a failed build leaves: no module
            "import numpy as np, w2v\n"
            "kv = w2v.load(sys.argv[1]); np.save(sys.argv[2], kv.vectors)\n"
            "print(len(kv), 'numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "v.txt"), str(tmp_path / "v.npy")],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(len(kv)), "True"]
    np.testing.assert_array_equal(np.load(tmp_path / "v.npy"), kv.vectors)


@pytest.mark.parametrize("text_kernels", ["numba"], indirect=True)
def test_c_extension_is_built_where_a_compiler_exists(text_kernels):
    """pip builds w2v._textio when it finds a C compiler; only where none exists may it be missing."""
    import shutil
    import sysconfig

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}) on this machine: w2v reads text with numba instead")
    assert _textio is not None, "a C compiler is here, yet w2v._textio was not built: reinstall w2v"


def _random_text(rng, size):
    """Bytes that look like vectors files and often are not: digits, signs, words, odd separators."""
    pieces = [b"0", b"1", b"7", b"12.5", b"-0.25", b"3e2", b"1E-3", b".5", b"-", b"+", b"e", b".",
              b"nan", b"w", b"\xc3\xa9", b" ", b" ", b" ", b"\t", b"\n", b"\n", b"\r\n", b"123456789012345678901"]
    return b"".join(pieces[i] for i in rng.integers(len(pieces), size=size))


@pytest.mark.parametrize("text_kernels", ["c"], indirect=True)
def test_c_and_numba_loops_agree_on_arbitrary_bytes(text_kernels):
    """Same consumed bytes, rows, numbers, fallbacks and errors, byte for byte, on messy input."""
    rng = np.random.default_rng(5)
    for trial in range(3000):
        data = np.frombuffer(_random_text(rng, int(rng.integers(0, 60))), dtype=np.uint8).copy()
        dim, allow_spaces, at_eof = int(rng.integers(1, 4)), bool(rng.integers(2)), bool(rng.integers(2))
        max_row, capacity = int(rng.integers(1, 8)), int(rng.integers(dim, 3 * dim + 1))
        answers = []
        for impl in (_textio, textio):
            out = np.full((max_row + 1, dim), -7.0, dtype=np.float32)
            slots = len(data) // (2 * dim) + 2
            words = [np.full(slots, -1, np.int64) for _ in range(2)]
            fb = [np.full(capacity, -1, np.int64) for _ in range(5)]
            result = np.zeros(7, dtype=np.int64)
            impl.parse_text_block(data, len(data), at_eof, dim, allow_spaces, out, 1, max_row + 1, 3,
                                  *words, *fb, POW10, result)
            counted = np.zeros(2, dtype=np.int64)
            impl.count_text_records(data, len(data), at_eof, counted)
            rows = int(result[1])
            joined = bytes(impl.gather_words(data, words[0], words[1], rows))
            answers.append((result, out, *words, *fb, counted, joined))
        for ours, theirs in zip(*answers):
            if isinstance(ours, bytes):
                assert ours == theirs, (trial, bytes(data))
            else:
                np.testing.assert_array_equal(ours, theirs, err_msg=f"trial {trial}: {bytes(data)!r}")


# -- gensim's load_word2vec_format / save_word2vec_format arguments, both ways ---------------------------
def _with_counts(module_kv, n=60, dim=6, seed=3):
    """gensim's or w2v's KeyedVectors with the same keys, vectors and distinct counts (not in key order)."""
    rng = np.random.default_rng(seed)
    kv = module_kv(dim)
    kv.add_vectors([f"w{i}" for i in range(n)], rng.standard_normal((n, dim)).astype(np.float32))
    for key, count in zip(kv.index_to_key, rng.permutation(np.arange(10, 10 + n)).tolist()):
        kv.set_vecattr(key, "count", count)
    return kv


def _counts(kv):
    return {k: int(kv.get_vecattr(k, "count")) for k in kv.index_to_key}


@pytest.mark.parametrize("binary", [True, False])
def test_fvocab_written_by_gensim_loads_in_w2v_and_back(tmp_path, binary):
    theirs = _with_counts(GensimKV)
    theirs.save_word2vec_format(str(tmp_path / "g.vec"), fvocab=str(tmp_path / "g.vocab"), binary=binary)
    ours = KeyedVectors.load_word2vec_format(tmp_path / "g.vec", fvocab=tmp_path / "g.vocab", binary=binary)
    assert _counts(ours) == _counts(theirs)
    assert ours.index_to_key == sorted(theirs.index_to_key, key=lambda k: -theirs.get_vecattr(k, "count"))
    np.testing.assert_array_equal(ours[ours.index_to_key], theirs[ours.index_to_key])
    # and w2v's files load in gensim with the same counts and order
    ours.save_word2vec_format(tmp_path / "o.vec", fvocab=tmp_path / "o.vocab", binary=binary)
    again = GensimKV.load_word2vec_format(str(tmp_path / "o.vec"), fvocab=str(tmp_path / "o.vocab"), binary=binary)
    assert again.index_to_key == ours.index_to_key and _counts(again) == _counts(ours)
    assert (tmp_path / "o.vocab").read_bytes() == (tmp_path / "g.vocab").read_bytes()


def test_save_word2vec_format_arguments_write_what_gensim_writes(tmp_path):
    """total_vec, prefix, append and sort_attr: the same files as gensim's (w2v's binary also ends
    each vector with a newline, as word2vec.c does; both readers skip it)."""
    ours, theirs = _with_counts(KeyedVectors), _with_counts(GensimKV)
    for kv, name in ((ours, "o"), (theirs, "g")):
        kv.set_vecattr("w5", "rank", 3)
        kv.set_vecattr("w9", "rank", 7)
        path, vocab = str(tmp_path / f"{name}.bin"), str(tmp_path / f"{name}.vocab")
        kv.save_word2vec_format(path, fvocab=vocab, binary=True, total_vec=2 * len(kv), prefix="a_")
        kv.save_word2vec_format(path, fvocab=vocab, binary=True, write_header=False, prefix="b_", append=True,
                                sort_attr="rank")
    assert (tmp_path / "o.vocab").read_bytes() == (tmp_path / "g.vocab").read_bytes()
    for load in (GensimKV.load_word2vec_format, KeyedVectors.load_word2vec_format):
        a, b = (load(str(tmp_path / f"{name}.bin"), fvocab=str(tmp_path / f"{name}.vocab"), binary=True)
                for name in "og")
        assert a.index_to_key == b.index_to_key and len(a) == 120 and _counts(a) == _counts(b)
        np.testing.assert_array_equal(a.vectors, b.vectors)
    vocab_lines = (tmp_path / "o.vocab").read_text().splitlines()
    assert vocab_lines[60:62] == ["b_w9 7", "b_w5 3"] and vocab_lines[0].startswith("a_")


def test_save_word2vec_format_text_arguments_read_the_same_in_gensim(tmp_path):
    ours, theirs = _with_counts(KeyedVectors), _with_counts(GensimKV)
    ours.save_word2vec_format(tmp_path / "o.txt", prefix="p:", write_header=False)
    theirs.save_word2vec_format(str(tmp_path / "g.txt"), prefix="p:", write_header=False)
    a = GensimKV.load_word2vec_format(str(tmp_path / "o.txt"), no_header=True)
    b = KeyedVectors.load_word2vec_format(tmp_path / "g.txt", no_header=True)
    assert a.index_to_key == b.index_to_key and a.index_to_key[0].startswith("p:")
    np.testing.assert_array_equal(a.vectors, b.vectors)


@pytest.mark.parametrize("datatype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("binary", [True, False])
def test_datatype_gives_gensims_values(tmp_path, datatype, binary):
    path = tmp_path / "v"
    _with_counts(KeyedVectors).save_word2vec_format(path, binary=binary)
    if not binary:   # decimals that are not float32 values, so a float64 read differs from a float32 one
        path.write_text("2 3\na 0.1 0.2 0.30000000000000004\nb 1e-5 3.14159265358979 -2.5\n")
    ours = KeyedVectors.load_word2vec_format(path, binary=binary, datatype=datatype)
    theirs = GensimKV.load_word2vec_format(str(path), binary=binary, datatype=datatype)
    assert ours.vectors.dtype == theirs.vectors.dtype == datatype
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    first = ours.index_to_key[0]
    assert ours.most_similar(first, topn=1)[0][0] == theirs.most_similar(first, topn=1)[0][0]
    if datatype == np.float64 and not binary:   # float64 vectors are written in full and read back exactly
        ours.save_word2vec_format(tmp_path / "wide.txt")
        np.testing.assert_array_equal(w2v.load(tmp_path / "wide.txt", datatype=np.float64).vectors, ours.vectors)


def test_incomplete_or_broken_vocabulary_file(tmp_path):
    kv = _with_counts(KeyedVectors, n=4)
    kv.save_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "v.vocab")
    lines = (tmp_path / "v.vocab").read_text().splitlines()
    (tmp_path / "v.vocab").write_text("\n".join(lines[:3]) + "\n")
    with pytest.warns(UserWarning, match="vocabulary file is incomplete: 1 words"):
        back = KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "v.vocab")
    assert back.get_vecattr(lines[3].split()[0], "count") == 0
    (tmp_path / "v.vocab").write_text("w1 12\nw2 twelve\n")
    with pytest.raises(FormatError, match=r"v\.vocab: line 2: expected 'word count'"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "v.vocab")


@pytest.mark.parametrize("binary", [True, False])
def test_a_truncated_file_is_also_an_eof_error_as_in_gensim(kv, tmp_path, binary):
    kv.save_word2vec_format(tmp_path / "v", binary=binary)
    data = (tmp_path / "v").read_bytes()
    cut = data[:len(data) // 2]
    (tmp_path / "v").write_bytes(cut[:cut.rindex(b"\n") + 1] if not binary else cut)
    for load in (GensimKV.load_word2vec_format, KeyedVectors.load_word2vec_format):
        with pytest.raises(EOFError):
            load(str(tmp_path / "v"), binary=binary)
    with pytest.raises(FormatError, match="truncated"):
        KeyedVectors.load_word2vec_format(tmp_path / "v", binary=binary)


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_a_token_longer_than_64_kib_round_trips(tmp_path, fmt):
    """Any file w2v writes, w2v reads: also a 100,000-byte token (and one before and after it)."""
    keys = ["short", "é" * 50_000, "x" * 70_000, "after"]
    vectors = np.arange(4 * 5, dtype=np.float32).reshape(4, 5) / 7
    vectors[1, 0] = 10 / 3        # its bytes hold no space or newline either way
    kv = KeyedVectors(5).set_vectors(keys, vectors)
    formats.save(kv, tmp_path / "long", fmt)
    back = w2v.load(tmp_path / "long")
    assert back.index_to_key == keys
    np.testing.assert_array_equal(back.vectors, vectors)


def test_binary_garbage_without_a_separator_is_still_an_error(tmp_path):
    rng = np.random.default_rng(0)
    body = rng.integers(0, 256, 200_000, dtype=np.uint8).tobytes().replace(b" ", b"x")
    (tmp_path / "bad.bin").write_bytes(b"3 4\n" + body)
    with pytest.raises(FormatError, match=r"bad\.bin: offset 4: no word separator within 65536 bytes and a line break"):
        w2v.load(tmp_path / "bad.bin")
