"""The native file contract: checksums, header validation before allocation, old files, fuzzing."""
import json
import random
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from w2v import formats, store
from w2v.cli import main
from w2v.errors import FormatError
from w2v.model import Word2Vec
from w2v.vectors import KeyedVectors

DATA = Path(__file__).parent / "data"


def _small(tmp_path):
    rng = np.random.default_rng(1)
    arrays = {"vectors": rng.standard_normal((6, 4)).astype(np.float32),
              "counts": np.arange(6, dtype=np.int64), "empty": np.zeros(0, np.float32)}
    path = tmp_path / "small.w2v"
    store.save(path, "vectors", {"vector_size": 4}, arrays)
    return path, arrays


def _rewrite_header(path, edit):
    """Apply ``edit`` to the JSON header and write the file back with a correct header checksum."""
    data = path.read_bytes()
    _, version, _, n = struct.unpack("<8sIIQ", data[:24])
    header = json.loads(data[24:24 + n])
    edit(header)
    raw = json.dumps(header, separators=(",", ":")).encode()
    assert len(raw) <= n
    raw = raw.ljust(n)  # same length: the arrays stay where they are
    path.write_bytes(struct.pack("<8sIIQ", b"W2VSTORE", version, zlib.crc32(raw), len(raw)) + raw + data[24 + n:])


def test_round_trip_with_checksums(tmp_path):
    path, arrays = _small(tmp_path)
    kind, meta, loaded = store.load(path)
    assert kind == "vectors" and meta == {"vector_size": 4}
    for name, a in arrays.items():
        np.testing.assert_array_equal(loaded[name], a)
    info = store.verify(path)
    assert info["checksums"] and info["version"] == store.VERSION == 2


@pytest.mark.parametrize("mmap", [None, "r"])
def test_flipped_array_byte_is_an_error_naming_the_array(tmp_path, mmap):
    path, _ = _small(tmp_path)
    _, _, arrays = store.load(path)
    data = bytearray(path.read_bytes())
    header_len = struct.unpack("<Q", data[16:24])[0]
    offset = json.loads(data[24:24 + header_len])["arrays"]["vectors"]["offset"]
    data[offset + 5] ^= 0x10
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match=r"small\.w2v.*'vectors'.*checksum"):
        store.load(path, mmap=mmap)
    with pytest.raises(FormatError, match="checksum"):
        store.verify(path)


def test_big_mapped_arrays_are_checked_only_with_verify(tmp_path, monkeypatch):
    path, _ = _small(tmp_path)
    data = bytearray(path.read_bytes())
    header_len = struct.unpack("<Q", data[16:24])[0]
    offset = json.loads(data[24:24 + header_len])["arrays"]["vectors"]["offset"]
    data[offset] ^= 1
    path.write_bytes(bytes(data))
    monkeypatch.setattr(store, "MMAP_VERIFY_BYTES", 8)  # "vectors" (96 bytes) now counts as big
    store.load(path, mmap="r")  # the stated cost: a big mapped array is not read
    with pytest.raises(FormatError, match="checksum"):
        store.load(path, mmap="r", verify=True)
    with pytest.raises(FormatError, match="checksum"):
        formats.load(path, mmap="r", verify=True)


def test_edited_header_is_an_error(tmp_path):
    path, _ = _small(tmp_path)
    data = bytearray(path.read_bytes())
    data[30] = ord(" ") if data[30] != ord(" ") else ord("x")  # inside the JSON, checksum not updated
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="corrupt header"):
        store.load(path)


@pytest.mark.parametrize("edit, message", [
    (lambda h: h["arrays"]["vectors"].update(shape=[10 ** 6, 10 ** 6]), "truncated: array 'vectors' needs bytes"),
    (lambda h: h["arrays"]["vectors"].update(shape=[-1, 4]), "shape"),
    (lambda h: h["arrays"]["vectors"].update(dtype="|O"), "not a plain number type"),
    (lambda h: h["arrays"]["vectors"].update(dtype="nonsense"), "dtype"),
    (lambda h: h["arrays"]["vectors"].update(offset=3), "offset"),
    (lambda h: h["arrays"]["vectors"].pop("crc32"), "no checksum"),
    (lambda h: h.update(arrays=[]), "no table of arrays"),
])
def test_header_fields_are_validated_before_allocating(tmp_path, edit, message):
    path, _ = _small(tmp_path)
    _rewrite_header(path, edit)
    with pytest.raises(FormatError, match=message):
        store.load(path)


def test_huge_header_length_is_an_error_at_once(tmp_path):
    path, _ = _small(tmp_path)
    data = bytearray(path.read_bytes())
    data[16:24] = struct.pack("<Q", 10 ** 15)
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="header length"):
        store.load(path)


def test_version_1_files_from_main_still_load():
    """Files written by the code before checksums (tests/data/v1-*.w2v were made by it)."""
    kv = KeyedVectors.load(DATA / "v1-vectors.w2v")
    rng = np.random.default_rng(5)
    assert kv.index_to_key == ["alpha", "beta", "gamma", "δέλτα", "epsilon"]
    np.testing.assert_array_equal(kv.vectors, rng.standard_normal((5, 4)).astype(np.float32))
    model = Word2Vec.load(DATA / "v1-model.w2v")
    assert model.wv.index_to_key == ["c", "d", "a", "b", "e"]
    np.testing.assert_allclose(model.wv.vectors[:2, :2], [[-0.00667202565819025, 0.002931725000962615],
                                                          [-0.06267675757408142, -0.047051288187503815]])
    assert store.verify(DATA / "v1-vectors.w2v")["checksums"] is False


def _fuzz_file(tmp_path):
    kv = KeyedVectors(3).set_vectors(["a", "bb", "ccc", "dddd"], np.arange(12, dtype=np.float32).reshape(4, 3))
    path = tmp_path / "fuzz.w2v"
    kv.save(path)
    return path, kv


def _same(kv, other):
    return other.index_to_key == kv.index_to_key and np.array_equal(other.vectors, kv.vectors) and \
        [other.get_vecattr(k, "count") for k in kv.index_to_key] == [kv.get_vecattr(k, "count") for k in kv.index_to_key]


@pytest.mark.parametrize("mmap", [None, "r"])
def test_fuzz_flipped_bytes_are_errors_or_harmless(tmp_path, mmap):
    path, kv = _fuzz_file(tmp_path)
    original = path.read_bytes()
    rng = random.Random(7)
    target = tmp_path / "damaged.w2v"
    outcomes = {"error": 0, "same": 0}
    for trial in range(300):
        data = bytearray(original)
        for _ in range(rng.choice((1, 1, 2, 5))):
            data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
        target.write_bytes(bytes(data))
        try:
            loaded = formats.load(target, mmap=mmap)
        except FormatError as exc:
            assert str(target) in str(exc)
            outcomes["error"] += 1
            continue
        assert _same(kv, loaded), f"trial {trial}: different data loaded silently"
        outcomes["same"] += 1
    assert outcomes["error"] > 100


def test_fuzz_truncation_at_every_offset_is_an_error(tmp_path):
    path, kv = _fuzz_file(tmp_path)
    original = path.read_bytes()
    target = tmp_path / "cut.w2v"
    last_data = max(spec["offset"] + 1 for spec in json.loads(original[24:24 + struct.unpack("<Q", original[16:24])[0]])["arrays"].values())
    for cut in range(0, len(original)):
        target.write_bytes(original[:cut])
        try:
            loaded = formats.load(target)
        except FormatError as exc:
            assert str(target) in str(exc)
            continue
        assert cut >= last_data and _same(kv, loaded), f"cut at {cut}: loaded without an error"


def test_cli_verify(tmp_path, capsys):
    path, _ = _small(tmp_path)
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert str(path) in out and "ok" in out
    data = bytearray(path.read_bytes())
    data[-70] ^= 1  # in the last array's bytes or its padding
    data[200] ^= 1
    path.write_bytes(bytes(data))
    assert main(["verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("w2v: error: ") and str(path) in err and len(err.strip().splitlines()) == 1
