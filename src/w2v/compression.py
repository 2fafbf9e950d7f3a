"""Opening files that may be gzip, bz2 or xz compressed, told by their first bytes (not their names).

Every reader of w2v (corpora, vectors files, item logs, session files) opens its input
here, so damage to a compressed file is handled once: a corrupt body or a file cut short
raises :class:`~w2v.errors.DecompressionError` naming the file and the compressed and
decompressed byte offsets where reading failed.  That class is both a ``CorpusError``
and a ``FormatError``, so each reader's callers see the error class they already catch;
for a file cut short it is :class:`~w2v.errors.TruncatedCompressedFileError`, also an
``EOFError`` as Python's decompressors (and so gensim) raise.
"""
import bz2
import gzip
import io
import lzma
import zlib

from .errors import DecompressionError, TruncatedCompressedFileError

# lzma.open reads both .xz and the older .lzma ("alone") format, whose header nearly always
# starts with the properties byte 0x5D and a little-endian dictionary size under 2^24.
_CODECS = ((b"\x1f\x8b", "gzip", gzip.GzipFile), (b"BZh", "bzip2", bz2.BZ2File),
           (b"\xfd7zXZ\x00", "xz", lzma.LZMAFile), (b"\x5d\x00\x00", "lzma", lzma.LZMAFile))

#: What reading a damaged compressed file can raise inside the codecs (gzip's BadGzipFile is an
#: OSError); files opened by :func:`open_file` turn these into DecompressionError.
READ_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)


class _Checked(io.BufferedIOBase):
    """A decompressing binary file whose read errors name the file and the offsets."""

    def __init__(self, path, codec, raw, inner):
        super().__init__()
        self.name = path
        self.codec = codec
        self.fileobj = raw      # the compressed file: its tell() is the compressed offset
        self._inner = inner
        self._delivered = 0
        #: the DecompressionError last raised, for callers whose library swallows it (pandas)
        self.failure = None

    def _fail(self, exc):
        if isinstance(exc, EOFError) or "end-of-stream" in str(exc):
            error, what = TruncatedCompressedFileError, "the compressed data is cut short"
        else:
            error, what = DecompressionError, f"corrupt {self.codec} data ({exc})"
        try:
            compressed = self.fileobj.tell()
        except (OSError, ValueError):
            compressed = None
        self.failure = error(self.name, what, compressed, self._delivered)
        return self.failure

    def _guard(self, method, *args):
        try:
            out = method(*args)
        except READ_ERRORS as exc:
            raise self._fail(exc) from None
        self._delivered += out if isinstance(out, int) else len(out)
        return out

    def readable(self):
        return True

    def read(self, size=-1):
        return self._guard(self._inner.read, size)

    def read1(self, size=-1):
        return self._guard(self._inner.read1, size)

    def readinto(self, buffer):
        return self._guard(self._inner.readinto, buffer)

    def readline(self, size=-1):
        return self._guard(self._inner.readline, size)

    def peek(self, size=0):
        try:
            return self._inner.peek(size)
        except READ_ERRORS as exc:
            raise self._fail(exc) from None

    def tell(self):
        return self._delivered

    def close(self):
        if not self.closed:
            try:
                self._inner.close()
            finally:
                self.fileobj.close()
                super().close()


def failure_of(handle):
    """The DecompressionError reading ``handle`` (from :func:`open_file`) raised, if any.

    For libraries that catch what a file's read() raises and report their own error."""
    return getattr(getattr(handle, "buffer", handle), "failure", None)


def codec_of(start):
    """The name of the compression the first bytes ``start`` show, or None."""
    for magic, name, _ in _CODECS:
        if start.startswith(magic):
            return name
    return None


def open_file(path, text=False, encoding="utf-8"):
    """Open ``path`` for reading, undoing any compression.  Returns (file, compressed).

    Binary mode gives an unbuffered file for plain files (callers read large blocks).
    """
    with open(path, "rb") as probe:
        start = probe.read(6)
    for magic, codec, opener in _CODECS:
        if start.startswith(magic):
            raw = open(path, "rb")
            try:
                handle = _Checked(path, codec, raw, opener(raw, "rb") if opener is not gzip.GzipFile
                                  else opener(fileobj=raw, mode="rb"))
            except BaseException:
                raw.close()
                raise
            return (io.TextIOWrapper(handle, encoding=encoding) if text else handle), True
    return (open(path, "r", encoding=encoding) if text else open(path, "rb", buffering=0)), False
