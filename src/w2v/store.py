"""w2v's native container: one file, a JSON header, and raw arrays that can be memory-mapped.

Layout::

    0   8 bytes  magic  b"W2VSTORE"
    8   uint32   format version
    12  uint32   reserved (0)
    16  uint64   header length N
    24  N bytes  header, UTF-8 JSON: {"kind", "meta", "arrays": {name: {dtype, shape, offset}}}
    ...          each array's raw C-order bytes at a 64-byte aligned offset

Both full models (``kind="model"``) and bare vectors (``kind="vectors"``) use it.
"""
import json
import os
import struct

import numpy as np

from .atomic import atomic_write
from .errors import FormatError

MAGIC = b"W2VSTORE"
VERSION = 1
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
    # Offsets depend on the header's length, which depends on the offsets: iterate to a fixed point.
    header_len = 0
    while True:
        offset = _aligned(_PREFIX.size + header_len)
        table = {}
        for name, a in arrays.items():
            table[name] = {"dtype": a.dtype.str, "shape": list(a.shape), "offset": offset}
            offset = _aligned(offset + a.nbytes)
        header = json.dumps({"kind": kind, "meta": meta, "arrays": table}).encode("utf-8")
        if len(header) == header_len:
            break
        header_len = len(header)
    with atomic_write(path, "wb") as out:
        out.write(_PREFIX.pack(MAGIC, VERSION, 0, len(header)))
        out.write(header)
        position = _PREFIX.size + len(header)
        for name, a in arrays.items():
            start = table[name]["offset"]
            out.write(b"\0" * (start - position))
            out.write(memoryview(a.reshape(-1)).cast("B") if a.size else b"")
            position = start + a.nbytes
        out.write(b"\0" * (_aligned(position) - position))


def load(path, mmap=None, expect_kind=None):
    """Read a native file; return (kind, meta, arrays).  ``mmap="r"`` maps arrays read-only."""
    path = os.fspath(path)
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        prefix = handle.read(_PREFIX.size)
        if len(prefix) < _PREFIX.size or prefix[:8] != MAGIC:
            raise FormatError(f"{path}: not a w2v native file (bad magic bytes at offset 0)")
        _, version, _, header_len = _PREFIX.unpack(prefix)
        if version > VERSION:
            raise FormatError(f"{path}: native format version {version} is newer than this w2v supports ({VERSION})")
        raw = handle.read(header_len)
        if len(raw) < header_len:
            raise FormatError(f"{path}: truncated header (file ends at offset {size}, header needs {_PREFIX.size + header_len})")
        try:
            header = json.loads(raw.decode("utf-8"))
        except ValueError as exc:
            raise FormatError(f"{path}: corrupt header at offset {_PREFIX.size}: {exc}") from None
        kind = header.get("kind")
        if expect_kind is not None and kind != expect_kind:
            raise FormatError(f"{path}: holds {kind!r}, expected {expect_kind!r}")
        arrays = {}
        for name, spec in header["arrays"].items():
            dtype = np.dtype(spec["dtype"])
            shape = tuple(spec["shape"])
            count = int(np.prod(shape, dtype=np.int64))
            start = spec["offset"]
            end = start + count * dtype.itemsize
            if end > size:
                raise FormatError(f"{path}: truncated: array {name!r} needs bytes {start}..{end} but the file ends at offset {size}")
            if mmap and count:
                arrays[name] = np.memmap(path, dtype=dtype, mode=mmap, offset=start, shape=shape)
            else:
                handle.seek(start)
                arrays[name] = np.fromfile(handle, dtype=dtype, count=count).reshape(shape)
    return kind, header.get("meta", {}), arrays
