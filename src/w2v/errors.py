"""Errors a user can cause and fix.

The CLI prints an :class:`W2VError` as one line and exits non-zero; anything else
is a bug and keeps its traceback.
"""


class W2VError(Exception):
    """Bad input or a bad request: the message says what is wrong and where."""


class CorpusError(W2VError, ValueError):
    """The training text cannot be read (missing file, bad encoding, empty corpus)."""


class FormatError(W2VError, ValueError):
    """A vectors or model file is corrupt, truncated, or not in the expected format."""
