"""Opening files that may be gzip, bz2 or xz compressed, told by their first bytes (not their names)."""
import bz2
import gzip
import lzma

# lzma.open reads both .xz and the older .lzma ("alone") format, whose header nearly always
# starts with the properties byte 0x5D and a little-endian dictionary size under 2^24.
_OPENERS = ((b"\x1f\x8b", gzip.open), (b"BZh", bz2.open), (b"\xfd7zXZ\x00", lzma.open), (b"\x5d\x00\x00", lzma.open))

#: What reading a damaged compressed file can raise, besides OSError (gzip's BadGzipFile is one).
READ_ERRORS = (OSError, EOFError, lzma.LZMAError)


def open_file(path, text=False, encoding="utf-8"):
    """Open ``path`` for reading, undoing any compression.  Returns (file, compressed).

    Binary mode gives an unbuffered file for plain files (callers read large blocks).
    """
    with open(path, "rb") as probe:
        start = probe.read(6)
    for magic, opener in _OPENERS:
        if start.startswith(magic):
            return (opener(path, "rt", encoding=encoding) if text else opener(path, "rb")), True
    return (open(path, "r", encoding=encoding) if text else open(path, "rb", buffering=0)), False
