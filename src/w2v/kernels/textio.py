"""Numba kernels for the text formats: parse word2vec/GloVe text blocks, format float32 as text.

Used by :mod:`w2v.formats` to write text and binary files, and to read text where the C
extension ``w2v._textio`` (the same parser) was not built; it imports this module only
then, so that loading a file never starts numba otherwise.  The powers of ten the
kernels take are :data:`w2v.kernels.POW10`.  The readable references are ``reference_parse_text`` / ``reference_parse_binary`` in
:mod:`w2v.formats`; the tests hold the kernels to them and to Python's ``float``.
"""
import math

import numpy as np
from numba import njit

_SPACE, _TAB, _LF, _CR = 32, 9, 10, 13


@njit(nogil=True, cache=True)
def is_sep(c):
    return c == _SPACE or c == _TAB


@njit(nogil=True, cache=True)
def parse_number(buf, start, end, pow10):
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
    in_fraction = False   # integer and fraction digits; leading zeros are not significant
    while i < end:
        c = buf[i]
        i += 1
        if c == 46 and not in_fraction:  # '.'
            in_fraction = True
            continue
        if not 48 <= c <= 57:
            i -= 1
            break
        seen_digit = True
        if digits >= 18:
            return 0.0, False
        mantissa = mantissa * 10 + (c - 48)
        if mantissa > 0:
            digits += 1
        if in_fraction:
            exp10 -= 1
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
def count_fields(buf, start, end):
    """How many separator-delimited fields buf[start:end] holds (for error messages)."""
    fields = 0
    k = start
    while k < end:
        while k < end and is_sep(buf[k]):
            k += 1
        if k < end:
            fields += 1
        while k < end and not is_sep(buf[k]):
            k += 1
    return fields


@njit(nogil=True, cache=True)
def parse_text_block(buf, n, at_eof, dim, allow_spaces, out, row, max_row, line_no,
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
        if pos >= n:
            break                      # nothing left (past n: the last line had no newline)
        e = pos
        while e < n and buf[e] != _LF:
            e += 1
        if e == n and not at_eof:
            break                      # incomplete line: wait for the next block
        if nfb + dim > capacity:
            break                      # let Python resolve the pending numbers first
        # trim the line
        s = pos
        t = e
        while t > s and (buf[t - 1] == _CR or is_sep(buf[t - 1])):
            t -= 1
        while s < t and is_sep(buf[s]):
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
            while q > s and not is_sep(buf[q - 1]):
                q -= 1
            fb_start_tok = q
            # parse now; on failure queue for Python
            value, ok = parse_number(buf, fb_start_tok, p, pow10)
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
            while q > s and is_sep(buf[q - 1]):
                q -= 1
            p = q
        if j >= 0 or p == s:
            # too few fields: count them for the message
            error = 1
            detail = count_fields(buf, s, t)
            break
        if not allow_spaces:
            k = s
            while k < p and not is_sep(buf[k]):
                k += 1
            if k < p:
                error = 2
                detail = dim + 1 + count_fields(buf, k, p)
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
def count_text_records(buf, n, at_eof, result):
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
def gather_words(buf, wstart, wend, count):
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
def format_float32(value, out, pos, pow10):
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
def format_text_rows(vectors, blob, offsets, row0, row1, out, pow10):
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
            pos = format_float32(np.float64(vectors[r, j]), out, pos, pow10)
        out[pos] = _LF
        pos += 1
    return pos


@njit(nogil=True, cache=True)
def format_binary_rows(vector_bytes, blob, offsets, row0, row1, out):
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
def first_bad_key(blob, offsets):
    """Index of the first key that is empty or contains whitespace, or -1."""
    for r in range(offsets.shape[0] - 1):
        if offsets[r + 1] == offsets[r]:
            return r
        for j in range(offsets[r], offsets[r + 1]):
            c = blob[j]
            if c == _SPACE or c == _TAB or c == _LF or c == _CR:
                return r
    return -1
