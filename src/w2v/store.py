"""w2v's native container: one file, a JSON header, and raw arrays that can be memory-mapped.

Layout (version 2)::

    0   8 bytes  magic  b"W2VSTORE"
    8   uint32   format version
    12  uint32   CRC-32 of the N header bytes (version 1 wrote 0 and had no checksums)
    16  uint64   header length N
    24  N bytes  header, UTF-8 JSON: {"kind", "meta", "arrays": {name: {dtype, shape, offset, crc32}}}
    ...          each array's raw C-order bytes at a 64-byte aligned offset

Both full models (``kind="model"``) and bare vectors (``kind="vectors"``) use it.

Checks on reading: the header's length, checksum and every field are validated before
anything is allocated (an array must be a plain numeric type and lie inside the file), so
a damaged or edited file is a :class:`FormatError` naming it.  A full load also checks
every array's CRC-32 (about 1-3 GB/s).  A memory-mapped load checks the header, the
extents and the arrays under :data:`MMAP_VERIFY_BYTES`; bigger arrays are left unread
(reading them would defeat the mapping) unless ``verify=True`` (CLI: ``w2v verify FILE``).
Version 1 files (no checksums) still load, with the header and extent checks only.
"""
import json
import os
import struct
import zlib

import numpy as np

from .atomic import atomic_write
from .errors import FormatError

MAGIC = b"W2VSTORE"
VERSION = 2
#: arrays at most this big are checksummed even when memory-mapped (reading them is cheap)
MMAP_VERIFY_BYTES = 64 << 20
_DTYPE_KINDS = "biufc"   # bool, signed, unsigned, float, complex: nothing that holds objects
_PREFIX = struct.Struct("<8sIIQ")
_ALIGN = 64


def _aligned(n):
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def is_native(path):
    """True when ``path`` starts with the native magic bytes."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def encode_strings(strings):
    """Pack a list of str into (blob uint8, offsets int64) arrays."""
    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return blob, offsets


def decode_strings(blob, offsets):
    """Inverse of :func:`encode_strings`."""
    data = bytes(np.asarray(blob))
    offsets = np.asarray(offsets).tolist()
    return [data[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]


def save(path, kind, meta, arrays):
    """Write ``arrays`` (name → ndarray) and JSON-able ``meta`` to ``path`` atomically."""
    arrays = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    crcs = {name: _crc(a) for name, a in arrays.items()}
    # Offsets depend on the header's length, which depends on the offsets: iterate to a fixed point.
    header_len = 0
    while True:
        offset = _aligned(_PREFIX.size + header_len)
        table = {}
        for name, a in arrays.items():
            table[name] = {"dtype": a.dtype.str, "shape": list(a.shape), "offset": offset, "crc32": crcs[name]}
            offset = _aligned(offset + a.nbytes)
        header = json.dumps({"kind": kind, "meta": meta, "arrays": table}).encode("utf-8")
        if len(header) == header_len:
            break
        header_len = len(header)
    with atomic_write(path, "wb") as out:
        out.write(_PREFIX.pack(MAGIC, VERSION, zlib.crc32(header), len(header)))
        out.write(header)
        position = _PREFIX.size + len(header)
        for name, a in arrays.items():
            start = table[name]["offset"]
            out.write(b"\0" * (start - position))
            out.write(memoryview(a.reshape(-1)).cast("B") if a.size else b"")
            position = start + a.nbytes
        out.write(b"\0" * (_aligned(position) - position))


def _crc(a):
    return zlib.crc32(memoryview(a.reshape(-1)).cast("B")) if a.size else 0


def _is_count(x):
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _read_header(path, handle, size):
    """(version, header dict) of an open native file, every field checked; FormatError otherwise."""
    prefix = handle.read(_PREFIX.size)
    if len(prefix) < _PREFIX.size or prefix[:8] != MAGIC:
        raise FormatError(f"{path}: not a w2v native file (bad magic bytes at offset 0)")
    _, version, header_crc, header_len = _PREFIX.unpack(prefix)
    if version > VERSION:
        raise FormatError(f"{path}: native format version {version} is newer than this w2v supports ({VERSION})")
    if version < 1 or (version == 1 and header_crc != 0):
        raise FormatError(f"{path}: corrupt: bad format version field at offset 8")
    if header_len > size - _PREFIX.size:
        raise FormatError(f"{path}: truncated or corrupt: the header length at offset 16 says {header_len} bytes "
                          f"but the file ends at offset {size}")
    raw = handle.read(header_len)
    if version >= 2 and zlib.crc32(raw) != header_crc:
        raise FormatError(f"{path}: corrupt header (checksum mismatch in bytes {_PREFIX.size}..{_PREFIX.size + header_len})")
    try:
        header = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise FormatError(f"{path}: corrupt header at offset {_PREFIX.size}: {exc}") from None

    def bad(what):
        return FormatError(f"{path}: corrupt header: {what}")

    if not isinstance(header, dict) or not isinstance(header.get("arrays"), dict):
        raise bad("no table of arrays")
    if not isinstance(header.get("kind"), str) or not isinstance(header.get("meta", {}), dict):
        raise bad("bad 'kind' or 'meta'")
    data_start = _PREFIX.size + header_len
    for name, spec in header["arrays"].items():
        if not isinstance(spec, dict):
            raise bad(f"array {name!r} has no description")
        try:
            dtype = np.dtype(spec.get("dtype"))
        except (TypeError, ValueError):
            raise bad(f"array {name!r} has dtype {spec.get('dtype')!r}") from None
        shape, offset = spec.get("shape"), spec.get("offset")
        if dtype.kind not in _DTYPE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
            raise bad(f"array {name!r} has dtype {spec.get('dtype')!r}, not a plain number type")
        if not isinstance(shape, list) or not all(map(_is_count, shape)):
            raise bad(f"array {name!r} has shape {shape!r}")
        if not _is_count(offset) or offset < data_start:
            raise bad(f"array {name!r} has offset {offset!r}")
        if version >= 2 and not (_is_count(spec.get("crc32")) and spec["crc32"] < 1 << 32):
            raise bad(f"array {name!r} has no checksum")
        count = 1
        for n in shape:  # Python ints: a header declaring 10^12 values cannot overflow this
            count *= n
        end = offset + count * dtype.itemsize
        if end > size:
            raise FormatError(f"{path}: truncated: array {name!r} needs bytes {offset}..{end} "
                              f"but the file ends at offset {size}")
        spec["_dtype"], spec["_count"], spec["_end"] = dtype, count, end
    return version, header


def _check(path, name, spec, array):
    if "crc32" in spec and _crc(array) != spec["crc32"]:
        raise FormatError(f"{path}: corrupt: array {name!r} (bytes {spec['offset']}..{spec['_end']}) "
                          "fails its checksum")


def load(path, mmap=None, expect_kind=None, verify=None):
    """Read a native file; return (kind, meta, arrays).  ``mmap="r"`` maps arrays read-only.

    ``verify`` — check every array's checksum: the default (None) does for full loads and,
    for memory-mapped ones, for arrays of at most :data:`MMAP_VERIFY_BYTES`; True checks all
    (reading every byte of a mapped file once); False skips the array checksums (the header
    is always checked).  A failed check is a :class:`FormatError` naming the file.
    """
    path = os.fspath(path)
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        _, header = _read_header(path, handle, size)
        kind = header["kind"]
        if expect_kind is not None and kind != expect_kind:
            raise FormatError(f"{path}: holds {kind!r}, expected {expect_kind!r}")
        arrays = {}
        for name, spec in header["arrays"].items():
            dtype, count, start = spec["_dtype"], spec["_count"], spec["offset"]
            shape = tuple(spec["shape"])
            if mmap and count:
                array = np.memmap(path, dtype=dtype, mode=mmap, offset=start, shape=shape)
                if verify or (verify is None and array.nbytes <= MMAP_VERIFY_BYTES):
                    _check(path, name, spec, array)
            else:
                handle.seek(start)
                array = np.fromfile(handle, dtype=dtype, count=count).reshape(shape)
                if len(array.reshape(-1)) < count:  # the file shrank while being read
                    raise FormatError(f"{path}: truncated: array {name!r} ends early")
                if verify is not False:
                    _check(path, name, spec, array)
            arrays[name] = array
    return kind, header.get("meta", {}), arrays


def verify(path):
    """Check every byte of a native file that w2v reads; returns a dict describing it.

    Raises :class:`FormatError` naming the file and the damaged part."""
    path = os.fspath(path)
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        version, header = _read_header(path, handle, size)
        for name, spec in header["arrays"].items():
            if spec["_count"]:
                array = np.memmap(path, dtype=spec["_dtype"], mode="r", offset=spec["offset"],
                                  shape=(spec["_count"],))
                _check(path, name, spec, array)
                del array
    return {"version": version, "kind": header["kind"], "arrays": len(header["arrays"]), "bytes": size,
            "checksums": version >= 2}
