"""Errors a user can cause and fix.

The CLI prints an :class:`W2VError` as one line and exits non-zero; anything else
is a bug and keeps its traceback.
"""


class W2VError(Exception):
    """Bad input or a bad request: the message says what is wrong and where."""


class CorpusError(W2VError, ValueError):
    """The training text cannot be read (missing file, bad encoding, empty corpus)."""


class EmptyVocabularyError(CorpusError, RuntimeError):
    """The corpus leaves no vocabulary: no words were read, or none is kept (``min_count``,
    ``trim_rule``).  Also a :class:`RuntimeError`, what gensim raises when it then cannot train."""


class FormatError(W2VError, ValueError):
    """A vectors or model file is corrupt, truncated, or not in the expected format."""


class TruncatedFileError(FormatError, EOFError):
    """A vectors file ends before the vectors its header declares.

    Also an :class:`EOFError`, the class gensim's ``load_word2vec_format`` raises for a cut
    file, so code written for gensim catches it.
    """


class DecodingError(FormatError, UnicodeDecodeError):
    """Text in a file is not in the expected encoding.

    Also a :class:`UnicodeDecodeError` (what gensim raises in the same case), with its
    ``encoding``, ``object``, ``start``, ``end`` and ``reason``; the message names the file
    and where.
    """

    def __init__(self, message, encoding, obj, start, end, reason):
        UnicodeDecodeError.__init__(self, encoding, obj, start, end, reason)
        self.message = message

    def __str__(self):
        return self.message

    def __reduce__(self):
        return type(self), (self.message, self.encoding, self.object, self.start, self.end, self.reason)


class DecompressionError(CorpusError, FormatError):
    """A gzip, bzip2 or xz file is corrupt or cut short.

    Raised by every reader (corpora, vectors files, item logs, session files), so it is a
    :class:`CorpusError` and a :class:`FormatError` at once.  ``path`` names the file,
    ``compressed_offset`` and ``offset`` the byte positions in the compressed file and in
    the decompressed data where reading failed.
    """

    def __init__(self, path, problem, compressed_offset=None, offset=None):
        self.path = path
        self.problem = problem
        self.compressed_offset = compressed_offset
        self.offset = offset
        where = []
        if offset is not None:
            where.append(f"decompressed byte {offset:,}")
        if compressed_offset is not None:
            where.append(f"compressed byte {compressed_offset:,}")
        super().__init__(f"{path}: {problem}" + (f" (reading stopped at {', '.join(where)})" if where else ""))


class TruncatedCompressedFileError(DecompressionError, EOFError):
    """A gzip, bzip2 or xz file cut short (a corrupt body stays a plain :class:`DecompressionError`).

    Also an :class:`EOFError`, what Python's decompressors, and so gensim, raise in that case."""


class NotAModelError(FormatError, AttributeError):
    """A file holds something other than a full model (vectors only) where ``Word2Vec.load``
    wants one.  Also an :class:`AttributeError`, what gensim's ``Word2Vec.load`` raises then."""


class MissingExtraError(W2VError, ImportError):
    """An optional dependency is not installed; the message says which extra installs it.
    Also an ImportError, what gensim raises in the same case."""


class SaveError(W2VError, OSError):
    """A file cannot be written (no such folder, not a regular file, disk full, read-only,
    permission denied).  The message names the path the user gave; an old file there is intact."""
