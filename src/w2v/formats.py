"""Vectors files in and out: word2vec text and binary, GloVe, fastText ``.vec``, and w2v's native format.

:func:`load` finds the format from the file's content (the name does not matter),
:func:`save` writes any of them atomically.

Formats
-------
``word2vec-text`` / ``fasttext-vec``
    A ``count dim`` header line, then one ``word v1 ... vdim`` line per key.
``glove``
    The same lines without the header.
``word2vec-binary``
    The ``count dim`` header line, then per key: the word's UTF-8 bytes, a space,
    ``dim`` little-endian float32 values.  word2vec.c puts a newline after each
    vector, gensim does not; both are read.
``native``
    w2v's own container (:mod:`w2v.store`); its vectors can be memory-mapped.

Reading is done by numba kernels over raw byte blocks (8 MB at a time, so the
peak memory is the vectors plus one block): they find the words and numbers and
parse the numbers themselves.  Numbers the fast parser cannot prove exact (more
than 18 digits, huge exponents, ``nan``) are handed to Python's ``float``, so
every value is exactly what ``float(text)`` gives, rounded to float32.
"""
import bz2
import gzip
import lzma
import math
import os
import warnings

import numpy as np
from numba import njit

from . import store
from .atomic import atomic_write
from .errors import FormatError
from .vectors import KeyedVectors

FORMATS = ("word2vec-text", "word2vec-binary", "glove", "fasttext-vec", "native")

_BLOCK = 1 << 23              # bytes read per block
_MAX_WORD = 1 << 16           # a word longer than this means the file is not what we think
_FALLBACK_CAPACITY = 1 << 16  # numbers per block handed to Python's float()

_SPACE, _TAB, _LF, _CR = 32, 9, 10, 13

# Exact powers of ten in float64: a decimal with at most 15 significant digits times or
# divided by one of these is correctly rounded (Clinger's fast path).
_POW10 = np.array([10.0 ** i for i in range(23)], dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# numba kernels
# ---------------------------------------------------------------------------------------------
@njit(nogil=True, cache=True)
def _is_sep(c):
    return c == _SPACE or c == _TAB


@njit(nogil=True, cache=True)
def _parse_number(buf, start, end, pow10):
    """Parse buf[start:end] as a decimal float.  Returns (value, ok); ok=False means 'ask Python'."""
    i = start
    negative = False
    if i < end and (buf[i] == 45 or buf[i] == 43):  # '-' '+'
        negative = buf[i] == 45
        i += 1
    mantissa = 0
    digits = 0          # significant digits kept in mantissa
    exp10 = 0
    seen_digit = False
    while i < end and 48 <= buf[i] <= 57:
        seen_digit = True
        if digits < 18:
            mantissa = mantissa * 10 + (buf[i] - 48)
            if mantissa > 0:
                digits += 1
        else:
            return 0.0, False
        i += 1
    if i < end and buf[i] == 46:  # '.'
        i += 1
        while i < end and 48 <= buf[i] <= 57:
            seen_digit = True
            if digits < 18:
                mantissa = mantissa * 10 + (buf[i] - 48)
                if mantissa > 0:
                    digits += 1
                exp10 -= 1
            else:
                return 0.0, False
            i += 1
    if not seen_digit:
        return 0.0, False
    if i < end and (buf[i] == 101 or buf[i] == 69):  # 'e' 'E'
        i += 1
        exp_negative = False
        if i < end and (buf[i] == 45 or buf[i] == 43):
            exp_negative = buf[i] == 45
            i += 1
        if i >= end:
            return 0.0, False
        e = 0
        while i < end and 48 <= buf[i] <= 57:
            if e < 10000:
                e = e * 10 + (buf[i] - 48)
            i += 1
        exp10 += -e if exp_negative else e
    if i != end:
        return 0.0, False
    if mantissa == 0:
        return -0.0 if negative else 0.0, True
    if digits > 15 or exp10 < -22 or exp10 > 22:
        return 0.0, False
    value = float(mantissa)
    if exp10 >= 0:
        value = value * pow10[exp10]
    else:
        value = value / pow10[-exp10]
    return -value if negative else value, True


@njit(nogil=True, cache=True)
def _parse_text_block(buf, n, at_eof, dim, allow_spaces, out, row, max_row, line_no,
                      wstart, wend, fb_row, fb_col, fb_start, fb_end, fb_line, pow10, result):
    """Parse complete 'word v1 .. vdim' lines of buf[:n] into out[row:].

    result receives: [bytes consumed, rows parsed, lines consumed, fallbacks, error, error line, error detail]
    error 1: a line does not hold a word and dim numbers (detail: fields found);
    error 2: a word contains spaces where the format forbids them (detail: fields found).
    """
    pos = 0
    r = row
    lines = 0
    nfb = 0
    error = 0
    detail = 0
    capacity = fb_row.shape[0]
    while r < max_row:
        e = pos
        while e < n and buf[e] != _LF:
            e += 1
        if e == n and not at_eof:
            break                      # incomplete line: wait for the next block
        if e == n and pos == n:
            break                      # nothing left
        if nfb + dim > capacity:
            break                      # let Python resolve the pending numbers first
        # trim the line
        s = pos
        t = e
        while t > s and (buf[t - 1] == _CR or _is_sep(buf[t - 1])):
            t -= 1
        while s < t and _is_sep(buf[s]):
            s += 1
        if s == t:                     # blank line
            pos = e + 1
            lines += 1
            continue
        # the last dim fields are the numbers; walk back over them
        j = dim - 1
        p = t
        while j >= 0 and p > s:
            q = p
            while q > s and not _is_sep(buf[q - 1]):
                q -= 1
            fb_start_tok = q
            # parse now; on failure queue for Python
            value, ok = _parse_number(buf, fb_start_tok, p, pow10)
            if ok:
                out[r, j] = value
            else:
                fb_row[nfb] = r
                fb_col[nfb] = j
                fb_start[nfb] = fb_start_tok
                fb_end[nfb] = p
                fb_line[nfb] = line_no + lines
                nfb += 1
            j -= 1
            while q > s and _is_sep(buf[q - 1]):
                q -= 1
            p = q
        if j >= 0 or p == s:
            # too few fields: count them for the message
            fields = 0
            k = s
            while k < t:
                while k < t and _is_sep(buf[k]):
                    k += 1
                if k < t:
                    fields += 1
                while k < t and not _is_sep(buf[k]):
                    k += 1
            error = 1
            detail = fields
            break
        if not allow_spaces:
            k = s
            while k < p and not _is_sep(buf[k]):
                k += 1
            if k < p:
                fields = dim + 1
                while k < p:
                    while k < p and _is_sep(buf[k]):
                        k += 1
                    if k < p:
                        fields += 1
                    while k < p and not _is_sep(buf[k]):
                        k += 1
                error = 2
                detail = fields
                break
        wstart[r - row] = s
        wend[r - row] = p
        r += 1
        lines += 1
        pos = e + 1
    if pos > n:
        pos = n
    result[0] = pos
    result[1] = r - row
    result[2] = lines
    result[3] = nfb
    result[4] = error
    result[5] = line_no + lines
    result[6] = detail


@njit(nogil=True, cache=True)
def _count_text_records(buf, n, at_eof, result):
    """Count non-blank complete lines in buf[:n]; result = [bytes consumed, records]."""
    pos = 0
    records = 0
    blank = True
    for i in range(n):
        c = buf[i]
        if c == _LF:
            if not blank:
                records += 1
            blank = True
            pos = i + 1
        elif not (c == _SPACE or c == _TAB or c == _CR):
            blank = False
    if at_eof:
        if not blank:
            records += 1
        pos = n
    result[0] = pos
    result[1] = records


@njit(nogil=True, cache=True)
def _parse_binary_block(buf, n, dim_bytes, out, row, max_row, wstart, wend, max_word, result):
    """Parse complete 'word<space><dim float32>' records of buf[:n] into the byte rows of out.

    result: [bytes consumed, rows parsed, error, error position]
    error 1: no space within max_word bytes; error 2: empty word.
    """
    pos = 0
    r = row
    error = 0
    where = 0
    while r < max_row:
        p = pos
        while p < n and buf[p] == _LF:   # word2vec.c ends each vector with a newline
            p += 1
        q = p
        limit = min(n, p + max_word)
        while q < limit and buf[q] != _SPACE:
            q += 1
        if q == limit:
            if q - p >= max_word:
                error = 1
                where = p
            break
        if q == p:
            error = 2
            where = p
            break
        if q + 1 + dim_bytes > n:
            break
        wstart[r - row] = p
        wend[r - row] = q
        src = q + 1
        for k in range(dim_bytes):
            out[r, k] = buf[src + k]
        pos = q + 1 + dim_bytes
        r += 1
    result[0] = pos
    result[1] = r - row
    result[2] = error
    result[3] = where


@njit(nogil=True, cache=True)
def _gather_words(buf, wstart, wend, count):
    """The words buf[wstart[i]:wend[i]] joined by newlines (decoded by Python in one call)."""
    total = 0
    for i in range(count):
        total += wend[i] - wstart[i] + 1
    joined = np.empty(max(total - 1, 0), dtype=np.uint8)
    k = 0
    for i in range(count):
        if i:
            joined[k] = _LF
            k += 1
        for j in range(wstart[i], wend[i]):
            joined[k] = buf[j]
            k += 1
    return joined


@njit(nogil=True, cache=True)
def _format_float32(value, out, pos, pow10):
    """Write the shortest decimal (≤ 9 significant digits) that reads back as the same float32.

    Shortness is checked with exact float64 arithmetic, which needs the power of ten to be
    exact (|exponent| ≤ 22); for values beyond about 1e-12..1e22 nine digits are written,
    which always read back exactly.
    """
    if value != value:
        out[pos] = 110; out[pos + 1] = 97; out[pos + 2] = 110  # nan
        return pos + 3
    if value < 0 or (value == 0 and math.copysign(1.0, value) < 0):
        out[pos] = 45
        pos += 1
        value = -value
    if value == np.inf:
        out[pos] = 105; out[pos + 1] = 110; out[pos + 2] = 102  # inf
        return pos + 3
    if value == 0:
        out[pos] = 48
        return pos + 1
    target = np.float32(value)
    e = int(math.floor(math.log10(value)))
    if 10.0 ** e > value:
        e -= 1
    elif 10.0 ** (e + 1) <= value:
        e += 1
    digits = 0
    ndigits = 9
    for p in range(1, 10):
        k = e - p + 1
        exact = -22 <= k <= 22
        if not exact and p < 9:
            continue
        if k >= 0:
            scaled = value / (pow10[k] if k <= 22 else 10.0 ** k)
        else:
            scaled = value * (pow10[-k] if -k <= 22 else 10.0 ** (-k))
        d = int(round(scaled))
        if k >= 0:
            back = d * (pow10[k] if k <= 22 else 10.0 ** k)
        else:
            back = d / (pow10[-k] if -k <= 22 else 10.0 ** (-k))
        if np.float32(back) == target or p == 9:
            digits = d
            ndigits = p
            break
    if digits >= 10 ** ndigits:    # rounding carried into a new leading digit
        e += 1
        digits //= 10
    while ndigits > 1 and digits % 10 == 0:
        digits //= 10
        ndigits -= 1
    text = np.empty(ndigits, dtype=np.uint8)
    for i in range(ndigits - 1, -1, -1):
        text[i] = 48 + digits % 10
        digits //= 10
    if -5 <= e < 9:
        if e >= 0:
            for i in range(e + 1):
                out[pos] = text[i] if i < ndigits else 48
                pos += 1
            if ndigits > e + 1:
                out[pos] = 46
                pos += 1
                for i in range(e + 1, ndigits):
                    out[pos] = text[i]
                    pos += 1
        else:
            out[pos] = 48
            out[pos + 1] = 46
            pos += 2
            for i in range(-e - 1):
                out[pos] = 48
                pos += 1
            for i in range(ndigits):
                out[pos] = text[i]
                pos += 1
    else:
        out[pos] = text[0]
        pos += 1
        if ndigits > 1:
            out[pos] = 46
            pos += 1
            for i in range(1, ndigits):
                out[pos] = text[i]
                pos += 1
        out[pos] = 101
        pos += 1
        if e < 0:
            out[pos] = 45
            e = -e
        else:
            out[pos] = 43
        pos += 1
        if e >= 100:
            out[pos] = 48 + e // 100
            pos += 1
        out[pos] = 48 + (e // 10) % 10
        out[pos + 1] = 48 + e % 10
        pos += 2
    return pos


@njit(nogil=True, cache=True)
def _format_text_rows(vectors, blob, offsets, row0, row1, out, pow10):
    """'word v1 ... vdim\\n' for rows row0..row1 into out; returns bytes written."""
    pos = 0
    dim = vectors.shape[1]
    for r in range(row0, row1):
        for j in range(offsets[r], offsets[r + 1]):
            out[pos] = blob[j]
            pos += 1
        for j in range(dim):
            out[pos] = _SPACE
            pos += 1
            pos = _format_float32(np.float64(vectors[r, j]), out, pos, pow10)
        out[pos] = _LF
        pos += 1
    return pos


@njit(nogil=True, cache=True)
def _format_binary_rows(vector_bytes, blob, offsets, row0, row1, out):
    """'word<space><raw float32>\\n' (word2vec.c's layout) for rows row0..row1; returns bytes written."""
    pos = 0
    width = vector_bytes.shape[1]
    for r in range(row0, row1):
        for j in range(offsets[r], offsets[r + 1]):
            out[pos] = blob[j]
            pos += 1
        out[pos] = _SPACE
        pos += 1
        out[pos:pos + width] = vector_bytes[r]
        pos += width
        out[pos] = _LF
        pos += 1
    return pos


@njit(nogil=True, cache=True)
def _first_bad_key(blob, offsets):
    """Index of the first key that is empty or contains whitespace, or -1."""
    for r in range(offsets.shape[0] - 1):
        if offsets[r + 1] == offsets[r]:
            return r
        for j in range(offsets[r], offsets[r + 1]):
            c = blob[j]
            if c == _SPACE or c == _TAB or c == _LF or c == _CR:
                return r
    return -1


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
def _open(path):
    """Open ``path`` for binary reading, decompressing gzip/bz2/xz found by their magic bytes."""
    with open(path, "rb") as probe:
        magic = probe.read(6)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb"), True
    if magic[:3] == b"BZh":
        return bz2.open(path, "rb"), True
    if magic[:6] == b"\xfd7zXZ\x00":
        return lzma.open(path, "rb"), True
    return open(path, "rb", buffering=0), False


def _read_start(path, size=1 << 20):
    handle, compressed = _open(path)
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
    'word2vec-text', 'glove'.  Raises FormatError when it is none of them."""
    path = os.fspath(path)
    if store.is_native(path):
        return "native"
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
        self.buf = np.empty(size, dtype=np.uint8)
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
        bigger = np.empty(2 * len(self.buf), dtype=np.uint8)
        bigger[:self.fill] = self.buf[:self.fill]
        self.buf = bigger


def _decode_words(path, buf, wstart, wend, count, encoding, errors, where):
    """Decode a block's words with one bytes.decode call (falls back per word to locate errors)."""
    if count == 0:
        return []
    joined = _gather_words(buf, wstart, wend, count).tobytes()
    try:
        words = joined.decode(encoding, errors).split("\n")
        if len(words) == count:
            return words
    except UnicodeDecodeError:
        pass
    words = []
    for i in range(count):
        raw = buf[wstart[i]:wend[i]].tobytes()
        try:
            words.append(raw.decode(encoding, errors))
        except UnicodeDecodeError as exc:
            raise FormatError(f"{path}: {where(i)}: word {raw!r} is not valid {encoding} ({exc.reason}); "
                              f"load with unicode_errors='replace' or 'ignore' to read it anyway") from None
    return words


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
    out = np.empty((count, dim), dtype=np.float32)
    keys = []
    handle, _ = _open(path)
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
            _parse_text_block(blocks.buf, n, blocks.eof, dim, not has_header, out, row, count, line_no,
                              wstart, wend, *fb, _POW10, result)
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
                raise FormatError(f"{path}: truncated at line {line_no}: the {what} {declared} vectors "
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
    handle, _ = _open(path)
    total = 0
    result = np.zeros(2, dtype=np.int64)
    with handle:
        blocks = _Blocks(handle, _BLOCK)
        while True:
            blocks.more()
            _count_text_records(blocks.buf, blocks.fill, blocks.eof, result)
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


def _load_binary(path, limit, encoding, errors):
    handle, compressed = _open(path)
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
        result = np.zeros(4, dtype=np.int64)
        keys = []
        row = 0
        while row < count:
            blocks.more()
            slots = blocks.fill // (dim_bytes + 2) + 2
            wstart = np.empty(slots, dtype=np.int64)
            wend = np.empty(slots, dtype=np.int64)
            _parse_binary_block(blocks.buf, blocks.fill, dim_bytes, out_bytes, row, count, wstart, wend,
                                _MAX_WORD, result)
            consumed, rows, error, where = (int(x) for x in result)
            base = blocks.offset
            keys += _decode_words(path, blocks.buf, wstart, wend, rows, encoding, errors,
                                  lambda i: f"offset {base + int(wstart[i])}")
            row += rows
            if error == 1:
                raise FormatError(f"{path}: offset {base + where}: no word separator within {_MAX_WORD} bytes "
                                  f"(vector {row + 1}); the file is corrupt or not word2vec binary")
            if error == 2:
                raise FormatError(f"{path}: offset {base + where}: empty word at vector {row + 1}; the file is corrupt")
            blocks.consume(consumed)
            if row < target and (row == count or blocks.eof):
                raise FormatError(f"{path}: truncated at offset {blocks.offset}: the header declares {declared} "
                                  f"vectors of {dim} dimensions but only {row} are complete")
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


def _load_native(path, limit, mmap):
    kind, meta, arrays = store.load(path, mmap=mmap)
    needed = ("vectors", "keys.blob", "keys.offsets")
    if not all(name in arrays for name in needed):
        raise FormatError(f"{path}: a native {kind!r} file without word vectors")
    vectors = arrays["vectors"]
    offsets = arrays["keys.offsets"]
    counts = arrays.get("counts")
    n = len(vectors) if limit is None else min(len(vectors), int(limit))
    keys = store.decode_strings(arrays["keys.blob"], np.asarray(offsets[:n + 1]))
    kv = KeyedVectors(vectors.shape[1])
    return kv.set_vectors(keys, vectors[:n], None if counts is None else counts[:n])


def load(path, format=None, limit=None, mmap=None, unicode_errors="strict", binary=None, encoding="utf-8"):
    """Load vectors from any supported file; the format is found from the file's content.

    Parameters
    ----------
    path : str or Path
        A word2vec text or binary file, GloVe text, fastText ``.vec``, or a w2v native
        file (vectors, model or items); gzip, bz2 and xz compression is undone.
    format : str, optional
        Insist on a format (one of :data:`FORMATS`); the content is still checked.
    limit : int, optional
        Read only the first ``limit`` vectors.
    mmap : {None, "r"}
        Memory-map the vectors instead of reading them (native files only).
    unicode_errors : str
        How to treat words that are not valid UTF-8: "strict" (error), "replace", "ignore".
    binary : bool, optional
        gensim's switch: True means word2vec binary, False a text format.

    Returns
    -------
    KeyedVectors
        Files without counts (all but native) get gensim's stand-in counts
        ``n, n-1, ..., 1`` so the file order reads as frequency order.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FormatError(f"{path}: no such file")
    if os.path.isdir(path):
        raise FormatError(f"{path}: is a directory, not a vectors file")
    if format is not None and format not in FORMATS:
        raise FormatError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    if limit is not None and int(limit) < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    detected = detect_format(path)
    if binary is not None:
        wanted = "word2vec-binary" if binary else ("glove" if detected == "glove" else "word2vec-text")
        if format is None:
            format = wanted
    if format == "fasttext-vec":
        format = "word2vec-text"
    if format is not None and format != detected:
        raise FormatError(f"{path}: asked to read {format}, but the content is {detected}")
    if detected == "native":
        return _load_native(path, limit, mmap)
    if mmap:
        raise FormatError(f"{path}: only w2v's native format can be memory-mapped; this file is {detected} "
                          f"(convert it once with `w2v convert {path} vectors.w2v --to native`)")
    if detected == "word2vec-binary":
        keys, vectors = _load_binary(path, limit, encoding, unicode_errors)
    else:
        keys, vectors = _load_text(path, detected, limit, encoding, unicode_errors)
    kv = KeyedVectors(vectors.shape[1])
    try:
        return kv.set_vectors(keys, vectors, np.arange(len(keys), 0, -1, dtype=np.int64))
    except ValueError:  # repeated words
        keys, vectors = _drop_duplicates(path, keys, vectors)
        return kv.set_vectors(keys, vectors, np.arange(len(keys), 0, -1, dtype=np.int64))


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------
_SUFFIXES = {".bin": "word2vec-binary", ".txt": "word2vec-text", ".vec": "fasttext-vec",
             ".w2v": "native", ".kv": "native"}


def _encoded_keys(kv, fmt):
    blob, offsets = store.encode_strings([str(k) for k in kv.index_to_key])
    bad = _first_bad_key(blob, offsets)
    if bad >= 0:
        raise FormatError(f"key {kv.index_to_key[bad]!r} (index {bad}) is empty or contains whitespace; "
                          f"{fmt} cannot store it (use the native format)")
    return blob, offsets


def save(kv, path, format=None):
    """Write ``kv`` to ``path`` atomically as ``format`` (default: from the file name's suffix).

    Formats: word2vec-text, word2vec-binary, glove, fasttext-vec, native.  Text formats
    write each value as the shortest decimal that reads back as the same float32,
    so text round trips are exact.
    """
    path = os.fspath(path)
    if format is None:
        format = _SUFFIXES.get(os.path.splitext(path)[1].lower())
        if format is None:
            raise FormatError(f"{path}: cannot tell the format from the name; choose one of {', '.join(FORMATS)}")
    if format not in FORMATS:
        raise FormatError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    if format == "native":
        kv.save(path)
        return
    vectors = np.ascontiguousarray(kv.vectors, dtype=np.float32)
    n, dim = vectors.shape
    blob, offsets = _encoded_keys(kv, format)
    rows_per_block = max(1, _BLOCK // (dim * 24 + 64))
    with atomic_write(path, "wb") as out:
        if format != "glove":
            out.write(f"{n} {dim}\n".encode("ascii"))
        if format == "word2vec-binary":
            vector_bytes = vectors.astype("<f4", copy=False).view(np.uint8).reshape(n, 4 * dim)
            for r0 in range(0, n, rows_per_block):
                r1 = min(n, r0 + rows_per_block)
                buf = np.empty(int(offsets[r1] - offsets[r0]) + (r1 - r0) * (4 * dim + 2), dtype=np.uint8)
                size = _format_binary_rows(vector_bytes, blob, offsets, r0, r1, buf)
                out.write(memoryview(buf[:size]))
        else:
            for r0 in range(0, n, rows_per_block):
                r1 = min(n, r0 + rows_per_block)
                buf = np.empty(int(offsets[r1] - offsets[r0]) + (r1 - r0) * (dim * 24 + 2), dtype=np.uint8)
                size = _format_text_rows(vectors, blob, offsets, r0, r1, buf, _POW10)
                out.write(memoryview(buf[:size]))
