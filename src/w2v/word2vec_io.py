"""word2vec text and binary, GloVe and fastText ``.vec`` files as plain arrays: keys, a matrix, counts.

The readers and writers behind :mod:`w2v.formats` (which builds :class:`~w2v.vectors.KeyedVectors`
from them) and behind ``KeyedVectors.load_word2vec_format`` / ``save_word2vec_format`` /
``intersect_word2vec_format``.  Nothing here knows about KeyedVectors, so both can use it.

Layouts
-------
``word2vec-text`` / ``fasttext-vec``
    A ``count dim`` header line, then one ``word v1 ... vdim`` line per key.
``glove``
    The same lines without the header.
``word2vec-binary``
    The ``count dim`` header line, then per key: the word's UTF-8 bytes, a space,
    ``dim`` little-endian float32 values.  word2vec.c puts a newline after each
    vector, gensim does not; both are read.
A vocabulary side file (gensim's ``fvocab``, word2vec.c's ``-save-vocab``) holds one
``word count`` line per key.

Text is read over raw byte blocks (8 MB at a time, so the peak memory is the vectors plus
one block) by compiled inner loops that find the words and numbers and parse the numbers
themselves: the small C extension ``w2v._textio`` where the install could build it, else
the numba kernels in :mod:`w2v.kernels.textio` (same results; starting numba adds about
125 MB to the process).  Numbers the fast parser cannot prove exact (more than 15
significant digits, huge exponents, ``nan``) are handed to Python's ``float``, so every
value is exactly what ``float(text)`` gives, rounded to float32.

Binary files need no number parsing, so they are read with numpy alone: a short
Python step per record finds the word's end, and one fancy-indexing copy per block
moves the raw float32 bytes into the final matrix.  Loading binary or native files
never imports numba either (whose start-up costs more time and memory than the whole
copy).
"""
import contextlib
import os
import shutil
import warnings

import numpy as np

from . import gensim_io, store
from .atomic import atomic_write
from .compression import open_file
from .errors import DecodingError, FormatError, TruncatedFileError
from .kernels import POW10

FORMATS = ("word2vec-text", "word2vec-binary", "glove", "fasttext-vec", "native")

_BLOCK = 1 << 23              # bytes read per block
_MAX_WORD = 1 << 16           # a word longer than this means the file is not what we think
_FALLBACK_CAPACITY = 1 << 16  # numbers per block handed to Python's float()

_SPACE, _TAB, _LF, _CR = 32, 9, 10, 13

_text_impl = None   # the module with the text reader's inner loops (see _text_kernels)


def _text_kernels():
    """The text reader's inner loops: the C extension where it was built, else the numba twins."""
    global _text_impl
    if _text_impl is None:
        try:
            from . import _textio as impl
        except ImportError:
            from .kernels import textio as impl
        _text_impl = impl
    return _text_impl


# ---------------------------------------------------------------------------------------------
# readable references of the kernels (used by the tests to check the kernels)
# ---------------------------------------------------------------------------------------------
def reference_parse_text(data, dim, header=True):
    """Pure-Python reading of word2vec text / GloVe bytes: (words, float32 matrix)."""
    lines = [line for line in data.decode("utf-8").split("\n") if line.strip()]
    if header:
        lines = lines[1:]
    words, rows = [], []
    for line in lines:
        fields = line.split()
        words.append(" ".join(fields[:len(fields) - dim]))
        rows.append([float(x) for x in fields[len(fields) - dim:]])
    return words, np.asarray(rows, dtype=np.float32).reshape(len(rows), dim)


def reference_parse_binary(data):
    """Pure-Python reading of word2vec binary bytes: (words, float32 matrix)."""
    newline = data.index(b"\n")
    count, dim = (int(x) for x in data[:newline].split())
    pos = newline + 1
    words, rows = [], []
    for _ in range(count):
        while data[pos:pos + 1] == b"\n":
            pos += 1
        space = data.index(b" ", pos)
        words.append(data[pos:space].decode("utf-8"))
        rows.append(np.frombuffer(data, dtype="<f4", count=dim, offset=space + 1))
        pos = space + 1 + 4 * dim
    return words, np.asarray(rows, dtype=np.float32).reshape(count, dim)


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------
def _read_start(path, size=1 << 20):
    handle, compressed = open_file(path)
    with handle:
        return handle.read(size), compressed


def _parse_header(line):
    fields = line.split()
    if len(fields) == 2 and all(f.isdigit() for f in fields):
        return int(fields[0]), int(fields[1])
    return None


def _is_float(token):
    try:
        float(token)
        return True
    except ValueError:
        return False


def detect_format(path):
    """The format of ``path`` judged from its content: one of 'native', 'word2vec-binary',
    'word2vec-text', 'glove', or 'gensim' (a gensim save() pickle).  Raises FormatError when it is none of them."""
    path = os.fspath(path)
    if store.is_native(path):
        return "native"
    if gensim_io.is_gensim_pickle(path):
        return "gensim"
    start, _ = _read_start(path)
    if not start.strip():
        raise FormatError(f"{path}: empty file, no vectors")
    newline = start.find(b"\n")
    first = start if newline < 0 else start[:newline]
    header = _parse_header(first)
    if header is not None:
        _, dim = header
        body = start[newline + 1:] if newline >= 0 else b""
        body = body.lstrip(b"\n")
        end = body.find(b"\n")
        record = (body if end < 0 else body[:end]).split()
        # A text record is a word and dim numbers; raw float32 bytes almost never read as that.
        if len(record) == dim + 1 and all(_is_float(f) for f in record[1:]):
            return "word2vec-text"
        return "word2vec-text" if not body else "word2vec-binary"
    fields = first.split()
    if len(fields) >= 2:
        try:
            float(fields[-1])
            return "glove"
        except ValueError:
            pass
    raise FormatError(
        f"{path}: not a vectors file w2v recognises: line 1 is neither a 'count dim' header "
        f"nor 'word number ...' (formats: {', '.join(FORMATS)})")


class _Blocks:
    """Reads a file in blocks into one reusable buffer; keeps unconsumed bytes at the front."""

    def __init__(self, handle, size, start_offset=0):
        self.handle = handle
        # A bytearray underneath, so that Python's fast bytes.find works on the same memory.
        self.raw = bytearray(size)
        self.buf = np.frombuffer(self.raw, dtype=np.uint8)
        self.fill = 0
        self.offset = start_offset    # file offset of buf[0]
        self.eof = False

    def more(self):
        """Read until the buffer is full or the file ends."""
        view = memoryview(self.buf)
        while self.fill < len(self.buf) and not self.eof:
            got = self.handle.readinto(view[self.fill:])
            if not got:
                self.eof = True
            else:
                self.fill += got

    def consume(self, nbytes):
        rest = self.fill - nbytes
        if rest:
            self.buf[:rest] = self.buf[nbytes:self.fill]
        self.fill = rest
        self.offset += nbytes

    def grow(self):
        raw = bytearray(2 * len(self.raw))
        buf = np.frombuffer(raw, dtype=np.uint8)
        buf[:self.fill] = self.buf[:self.fill]
        self.raw, self.buf = raw, buf


def _decode_words(path, buf, wstart, wend, count, encoding, errors, where):
    """Decode a block's words with one bytes.decode call (falls back per word to locate errors)."""
    if count == 0:
        return []
    joined = bytes(_text_kernels().gather_words(buf, wstart, wend, count))
    try:
        words = joined.decode(encoding, errors).split("\n")
        if len(words) == count:
            return words
    except UnicodeDecodeError:
        pass
    return _decode_word_list(path, [buf[wstart[i]:wend[i]].tobytes() for i in range(count)],
                             encoding, errors, where)


def _load_text(path, fmt, limit, encoding, errors):
    start, compressed = _read_start(path)
    newline = start.find(b"\n")
    header = _parse_header(start if newline < 0 else start[:newline])
    has_header = fmt in ("word2vec-text", "fasttext-vec")
    if has_header and header is None:
        raise FormatError(f"{path}: line 1: expected a 'count dim' header, found {start[:max(newline, 0)][:60]!r}")
    if has_header:
        declared, dim = header
        first_line = 2
    else:
        first = (start if newline < 0 else start[:newline]).split()
        dim = len(first) - 1
        if dim < 1:
            raise FormatError(f"{path}: line 1: expected a word and its numbers, found {start[:60]!r}")
        declared = _count_records(path)
        first_line = 1
    if dim < 1:
        raise FormatError(f"{path}: line 1: the header declares {dim} dimensions")
    target = declared if limit is None else min(declared, int(limit))
    count = target
    if has_header and not compressed:
        # A line needs at least two bytes per number; a header promising more cannot be true,
        # and trusting it would allocate memory for vectors that are not there.
        count = min(count, os.path.getsize(path) // (2 * dim + 1) + 1)
    textio = _text_kernels()
    out = np.empty((count, dim), dtype=np.float32)
    keys = []
    handle, _ = open_file(path)
    with handle:
        if has_header:
            handle.readline()
        blocks = _Blocks(handle, _BLOCK, start_offset=newline + 1 if has_header else 0)
        capacity = max(_FALLBACK_CAPACITY, 2 * dim + 2)
        fb = [np.empty(capacity, dtype=np.int64) for _ in range(5)]
        result = np.zeros(7, dtype=np.int64)
        row, line_no = 0, first_line
        while row < count:
            blocks.more()
            n = blocks.fill
            slots = n // (2 * dim) + 2
            wstart = np.empty(slots, dtype=np.int64)
            wend = np.empty(slots, dtype=np.int64)
            textio.parse_text_block(blocks.buf, n, blocks.eof, dim, not has_header, out, row, count, line_no,
                                    wstart, wend, *fb, POW10, result)
            consumed, rows, lines, nfb, error, error_line, detail = (int(x) for x in result)
            if nfb:  # numbers on the broken line (if any) are not reported: the line's shape is
                _resolve_fallbacks(path, blocks.buf, out, fb, nfb, error_line if error else None)
            keys += _decode_words(path, blocks.buf, wstart, wend, rows, encoding, errors,
                                  lambda i, base=line_no: f"line {base + i}")
            row += rows
            line_no += lines
            if error:
                if error == 2:
                    raise FormatError(f"{path}: line {error_line}: expected a word and {dim} numbers, "
                                      f"found {detail} fields (the header says {dim} dimensions)")
                raise FormatError(f"{path}: line {error_line}: expected a word and {dim} numbers, found {detail} fields")
            blocks.consume(consumed)
            if row < target and (row == count or (blocks.eof and (consumed == 0 or blocks.fill == 0))):
                what = "header declares" if has_header else "file has"
                raise TruncatedFileError(f"{path}: truncated at line {line_no}: the {what} {declared} vectors "
                                  f"but only {row} are complete")
            if consumed == 0 and not blocks.eof and blocks.fill == len(blocks.buf):
                blocks.grow()
        if has_header and limit is None:
            _check_rest_blank(path, blocks, f"line {line_no}", declared)
    return keys, out[:row]


def _resolve_fallbacks(path, buf, out, fb, nfb, before_line=None):
    fb_row, fb_col, fb_start, fb_end, fb_line = fb
    for i in range(nfb):
        if before_line is not None and fb_line[i] >= before_line:
            continue
        token = buf[fb_start[i]:fb_end[i]].tobytes()
        try:
            out[fb_row[i], fb_col[i]] = float(token)
        except ValueError:
            raise FormatError(f"{path}: line {fb_line[i]}: {token.decode('utf-8', 'replace')!r} is not a number") from None


def _count_records(path):
    """Number of non-blank lines (a header-less text file's vector count)."""
    count_text_records = _text_kernels().count_text_records
    handle, _ = open_file(path)
    total = 0
    result = np.zeros(2, dtype=np.int64)
    with handle:
        blocks = _Blocks(handle, _BLOCK)
        while True:
            blocks.more()
            count_text_records(blocks.buf, blocks.fill, blocks.eof, result)
            total += int(result[1])
            if blocks.eof:
                return total
            if result[0] == 0:
                blocks.grow()
            blocks.consume(int(result[0]))


def _check_rest_blank(path, blocks, where, declared):
    """After the declared vectors only whitespace may follow (else the header is wrong)."""
    while True:
        tail = blocks.buf[:blocks.fill]
        nonblank = np.flatnonzero(~np.isin(tail, (_SPACE, _TAB, _LF, _CR)))
        if len(nonblank):
            raise FormatError(f"{path}: more data after the {declared} vectors the header declares "
                              f"({where}, offset {blocks.offset + int(nonblank[0])}); is the header's count wrong?")
        if blocks.eof:
            return
        blocks.consume(blocks.fill)
        blocks.more()


def _split_binary_block(raw, fill, dim_bytes, max_rows):
    """Find the complete 'word<space><dim_bytes>' records at the start of raw[:fill].

    Returns (bytes consumed, word bytes, offset of each vector, error, error offset);
    error 1: a long word with a newline or tab in it (not a word: the file is corrupt),
    error 2: an empty word.  One ``find`` per record: the vector bytes themselves are
    never looked at.  A word longer than ``_MAX_WORD`` bytes is read too (w2v writes any
    key without whitespace), but it must hold no newline or tab, as word2vec.c's words
    never do: that tells a corrupt file from a long word without reading the whole file.
    """
    words, starts = [], []
    find = raw.find
    pos = 0
    while len(starts) < max_rows:
        p = pos
        while p < fill and raw[p] == _LF:   # word2vec.c ends each vector with a newline
            p += 1
        limit = min(fill, p + _MAX_WORD)
        q = find(b" ", p, limit)
        if q < 0 and limit - p >= _MAX_WORD:   # a long word, or not a word at all
            q = find(b" ", limit, fill)
            end = fill if q < 0 else q
            bad = min((i for i in (find(b"\n", p, end), find(b"\t", p, end)) if i >= 0), default=-1)
            if bad >= 0:
                return pos, words, starts, 1, p
        if q < 0:
            break
        if q == p:
            return pos, words, starts, 2, p
        if q + 1 + dim_bytes > fill:
            break
        words.append(raw[p:q])
        starts.append(q + 1)
        pos = q + 1 + dim_bytes
    return pos, words, starts, 0, 0


def _decode_word_list(path, words, encoding, errors, where):
    """Decode a block's words (bytes) with one decode call; per word only to locate an error."""
    if not words:
        return []
    try:
        decoded = b"\n".join(words).decode(encoding, errors).split("\n")
        if len(decoded) == len(words):
            return decoded
    except UnicodeDecodeError:
        pass
    decoded = []
    for i, raw in enumerate(words):
        raw = bytes(raw)
        try:
            decoded.append(raw.decode(encoding, errors))
        except UnicodeDecodeError as exc:
            raise DecodingError(f"{path}: {where(i)}: word {raw!r} is not valid {encoding} ({exc.reason}); "
                                f"load with unicode_errors='replace' or 'ignore' to read it anyway",
                                exc.encoding, exc.object, exc.start, exc.end, exc.reason) from None
    return decoded


def _load_binary(path, limit, encoding, errors):
    handle, compressed = open_file(path)
    with handle:
        header_line = handle.readline(1 << 10)
        header = _parse_header(header_line)
        if header is None:
            raise FormatError(f"{path}: offset 0: expected a 'count dim' header line, found {header_line[:60]!r}")
        declared, dim = header
        if dim < 1:
            raise FormatError(f"{path}: offset 0: the header declares {dim} dimensions")
        target = declared if limit is None else min(declared, int(limit))
        count = target
        dim_bytes = 4 * dim
        if not compressed:
            # Never allocate for vectors the file cannot hold (a corrupt header would ask for terabytes).
            count = min(count, os.path.getsize(path) // (dim_bytes + 2) + 1)
        out = np.empty((count, dim), dtype="<f4")
        out_bytes = out.view(np.uint8).reshape(count, dim_bytes)
        blocks = _Blocks(handle, max(_BLOCK, 4 * (dim_bytes + _MAX_WORD)), start_offset=len(header_line))
        keys = []
        row = 0
        while row < count:
            blocks.more()
            consumed, words, starts, error, where = _split_binary_block(blocks.raw, blocks.fill, dim_bytes,
                                                                        count - row)
            base = blocks.offset
            if starts:
                # Row i of this view is the dim_bytes starting at byte i: one fancy-indexing
                # copy moves all of the block's vectors (no per-row Python work, no parsing).
                windows = np.lib.stride_tricks.as_strided(
                    blocks.buf, shape=(blocks.fill - dim_bytes + 1, dim_bytes), strides=(1, 1), writeable=False)
                out_bytes[row:row + len(starts)] = windows[np.asarray(starts, dtype=np.intp)]
                del windows
            keys += _decode_word_list(path, words, encoding, errors,
                                      lambda i: f"offset {base + starts[i] - 1 - len(words[i])}")
            row += len(starts)
            if error == 1:
                raise FormatError(f"{path}: offset {base + where}: no word separator within {_MAX_WORD} bytes and "
                                  f"a line break before it (vector {row + 1}); the file is corrupt or not "
                                  "word2vec binary")
            if error == 2:
                raise FormatError(f"{path}: offset {base + where}: empty word at vector {row + 1}; the file is corrupt")
            blocks.consume(consumed)
            if row < target and (row == count or blocks.eof):
                raise TruncatedFileError(f"{path}: truncated at offset {blocks.offset}: the header declares "
                                         f"{declared} vectors of {dim} dimensions but only {row} are complete")
            if consumed == 0 and blocks.fill == len(blocks.buf):
                blocks.grow()   # a record longer than the buffer (a word of more than _MAX_WORD bytes)
        if limit is None:
            _check_rest_blank(path, blocks, f"vector {row}", declared)
    if out.dtype != np.float32:
        out = out.astype(np.float32)
    return keys, out


def _drop_duplicates(path, keys, vectors):
    """Keep the first vector of a repeated word (as gensim does), and say so."""
    first = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    if len(first) == len(keys):
        return keys, vectors
    keep = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    repeated = len(keys) - len(first)
    warnings.warn(f"{path}: {repeated} repeated words; kept the first vector of each", stacklevel=4)
    return list(first), vectors[keep]


def read_vocab(path, unicode_errors="strict"):
    """A vocabulary side file (``word count`` per line, gensim's ``fvocab``) as {word: count}.

    Blank lines are skipped; any other line that is not a word and a whole number is a
    FormatError naming the file and line.  A repeated word keeps its last count (as gensim).
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FormatError(f"{path}: no such file (the vocabulary file, fvocab)")
    counts = {}
    handle, _ = open_file(path)
    with handle:
        for line_no, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8", unicode_errors)
            except UnicodeDecodeError as exc:
                raise DecodingError(f"{path}: line {line_no}: not valid utf-8 ({exc.reason}); load with "
                                    "unicode_errors='replace' or 'ignore' to read it anyway",
                                    exc.encoding, exc.object, exc.start, exc.end, exc.reason) from None
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or not fields[1].lstrip("-").isdigit():
                raise FormatError(f"{path}: line {line_no}: expected 'word count', found {line.strip()[:60]!r}")
            counts[fields[0]] = int(fields[1])
    return counts


def _counts_from_vocab(path, fvocab, keys, counts):
    """Each key's count from the vocabulary file; keys missing from it get 0, with gensim's warning."""
    found = np.fromiter((counts.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
    missing = np.flatnonzero(found < 0)
    if len(missing):
        shown = ", ".join(repr(keys[i]) for i in missing[:5]) + (", ..." if len(missing) > 5 else "")
        warnings.warn(f"{fvocab}: vocabulary file is incomplete: {len(missing)} words of {path} are missing "
                      f"({shown}); their count is 0", stacklevel=4)
        found[missing] = 0
    return found


def _wide_text_values(path, fmt, count, dim, encoding, errors, datatype):
    """The numbers of a text file parsed at float64 and cast to ``datatype`` (gensim's
    ``datatype(x)``), for datatypes wider or narrower than float32.  Called after the fast
    reader has checked the file's shape, so every line is a word and ``dim`` numbers."""
    out = np.empty((count, dim), dtype=datatype)
    handle, _ = open_file(path)
    row = 0
    with handle:
        if fmt != "glove":
            handle.readline()
        for raw in handle:
            if row == count:
                break
            fields = raw.split()
            if not fields:
                continue
            out[row] = np.array(fields[len(fields) - dim:], dtype=np.float64).astype(datatype)
            row += 1
    return out


def read(path, format=None, limit=None, encoding="utf-8", unicode_errors="strict", datatype=np.float32,
         fvocab=None):
    """Read a word2vec text or binary, GloVe or fastText ``.vec`` file.

    ``format`` (one of word2vec-text, word2vec-binary, glove, fasttext-vec) is checked against
    the content, which decides when it is None.  Returns (format, keys, vectors, counts):
    ``vectors`` of ``datatype`` (float16, float32 or float64; text is parsed at float64 for the
    others, as gensim's ``datatype(x)``), ``counts`` from the vocabulary file ``fvocab`` when
    given, else gensim's stand-ins n, n-1, ..., 1.  A repeated word keeps its first vector,
    with a warning.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FormatError(f"{path}: no such file")
    if os.path.isdir(path):
        raise FormatError(f"{path}: is a directory, not a vectors file")
    if limit is not None and int(limit) < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    datatype = np.dtype(datatype)
    if datatype.kind != "f":
        raise ValueError(f"datatype must be a float type (float16, float32, float64), got {datatype}")
    vocab = None if fvocab is None else read_vocab(fvocab, unicode_errors)
    detected = detect_format(path)
    if format == "fasttext-vec":
        format = "word2vec-text"
    if format is not None and format != detected:
        raise FormatError(f"{path}: asked to read {format}, but the content is {detected}")
    if detected not in ("word2vec-text", "word2vec-binary", "glove"):
        raise FormatError(f"{path}: a {detected} file, not word2vec text or binary; load it with w2v.load()")
    if detected == "word2vec-binary":
        keys, vectors = _load_binary(path, limit, encoding, unicode_errors)
        if datatype != np.float32:
            vectors = vectors.astype(datatype)
    else:
        keys, vectors = _load_text(path, detected, limit, encoding, unicode_errors)
        if datatype != np.float32:
            vectors = _wide_text_values(path, detected, len(keys), vectors.shape[1], encoding, unicode_errors,
                                        datatype)
    if len(set(keys)) != len(keys):
        keys, vectors = _drop_duplicates(path, keys, vectors)
    if vocab is None:
        counts = np.arange(len(keys), 0, -1, dtype=np.int64)
    else:
        counts = _counts_from_vocab(path, fvocab, keys, vocab)
    return detected, keys, vectors, counts


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------
def _encoded_keys(keys, fmt):
    blob, offsets = store.encode_strings([str(k) for k in keys])
    from .kernels.textio import first_bad_key

    bad = first_bad_key(blob, offsets)
    if bad >= 0:
        raise FormatError(f"key {keys[bad]!r} (index {bad}) is empty or contains whitespace; "
                          f"{fmt} cannot store it (use the native format)")
    return blob, offsets


@contextlib.contextmanager
def _output(path, append):
    """An atomic write of ``path``; with ``append`` the new file starts as a copy of the old one."""
    with atomic_write(path, "wb") as out:
        if append and os.path.exists(path):
            with open(path, "rb") as old:
                shutil.copyfileobj(old, out, _BLOCK)
        yield out


def write(path, keys, vectors, format="word2vec-text", total_vec=None, prefix="", append=False, header=None):
    """Write ``keys`` and their ``vectors`` rows in order as ``format`` (word2vec-text,
    word2vec-binary, glove, fasttext-vec), atomically.

    ``total_vec`` is the count the header declares (default: the number of keys);
    ``prefix`` goes before every word; ``append`` adds to the end of an existing file
    (gensim's arguments); ``header=False`` leaves the ``count dim`` line out (default: only
    GloVe has none; binary records appended to a file need none).  Text holds each value as
    the shortest decimal that reads back as the same float32 (float64 vectors: the same
    float64), so text round trips are exact.  Binary is float32, as word2vec.c and gensim
    write it.
    """
    if format not in FORMATS or format == "native":
        raise FormatError(f"unknown format {format!r}; choose one of {', '.join(f for f in FORMATS if f != 'native')}")
    from .kernels import textio

    keys = [f"{prefix}{k}" for k in keys] if prefix else list(keys)
    wide = np.asarray(vectors).dtype == np.float64 and format != "word2vec-binary"
    vectors = np.ascontiguousarray(vectors, dtype=np.float32) if not wide else np.asarray(vectors)
    n, dim = vectors.shape
    if len(keys) != n:
        raise ValueError(f"{len(keys)} keys but {n} vectors")
    blob, offsets = _encoded_keys(keys, format)
    rows_per_block = max(1, _BLOCK // (dim * 24 + 64))
    with _output(path, append) as out:
        if (format != "glove") if header is None else header:
            out.write(f"{n if total_vec is None else int(total_vec)} {dim}\n".encode("ascii"))
        if format == "word2vec-binary":
            vector_bytes = vectors.astype("<f4", copy=False).view(np.uint8).reshape(n, 4 * dim)
            for r0 in range(0, n, rows_per_block):
                r1 = min(n, r0 + rows_per_block)
                buf = np.empty(int(offsets[r1] - offsets[r0]) + (r1 - r0) * (4 * dim + 2), dtype=np.uint8)
                size = textio.format_binary_rows(vector_bytes, blob, offsets, r0, r1, buf)
                out.write(memoryview(buf[:size]))
        elif wide:   # float64: Python's repr is the shortest decimal that reads back as the same float64
            for key, row in zip(keys, vectors.tolist()):
                out.write(f"{key} {' '.join(map(repr, row))}\n".encode("utf-8"))
        else:
            for r0 in range(0, n, rows_per_block):
                r1 = min(n, r0 + rows_per_block)
                buf = np.empty(int(offsets[r1] - offsets[r0]) + (r1 - r0) * (dim * 24 + 2), dtype=np.uint8)
                size = textio.format_text_rows(vectors, blob, offsets, r0, r1, buf, POW10)
                out.write(memoryview(buf[:size]))


def write_vocab(path, keys, counts, prefix="", append=False):
    """The vocabulary side file: one ``word count`` line per key, in order (atomically)."""
    with _output(path, append) as out:
        for start in range(0, len(keys), 65536):
            chunk = zip(keys[start:start + 65536], np.asarray(counts[start:start + 65536]).tolist())
            out.write("".join(f"{prefix}{k} {c}\n" for k, c in chunk).encode("utf-8"))
