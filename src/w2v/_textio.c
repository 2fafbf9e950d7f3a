/*
 * w2v._textio: the word2vec/GloVe text reader's inner loops, as a small C extension, and
 * the per-token work of raw text: the `words` tokenizer, tokens -> ids, phrased sentences.
 *
 * Why C here when numba is the house tool: the same loops as numba kernels
 * (w2v.kernels.textio) are as fast, but starting numba and its LLVM JIT costs a process
 * about 125 MB that a loader cannot give back; with it, loading a 400,000 x 300 text file
 * peaked above gensim's memory.  This module adds nothing to the process but itself.
 * It is optional: where it was not built (no C compiler at install time), w2v.formats
 * falls back to the numba kernels, which have the same signatures and results.
 *
 * The functions mirror w2v.kernels.textio one for one; tests hold both to the readable
 * numpy/Python reference in w2v.formats (reference_parse_text) and to Python's float().
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define SPACE 32
#define TAB 9
#define LF 10
#define CR 13

/* Exact powers of ten: a decimal with at most 15 significant digits times or divided
 * by one of these is correctly rounded (Clinger's fast path). */
static const double POW10[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static inline int is_sep(unsigned char c) { return c == SPACE || c == TAB; }

/* Parse buf[start:end] as a decimal; returns 1 and sets *value, or 0: "ask Python". */
static int parse_number(const unsigned char *buf, Py_ssize_t start, Py_ssize_t end, double *value)
{
    Py_ssize_t i = start;
    int negative = 0, seen_digit = 0, digits = 0, exp10 = 0;
    uint64_t mantissa = 0;
    if (i < end && (buf[i] == '-' || buf[i] == '+')) {
        negative = buf[i] == '-';
        i++;
    }
    /* integer and fraction digits; leading zeros are not significant digits */
    for (int in_fraction = 0; i < end; i++) {
        unsigned char c = buf[i];
        if (c == '.' && !in_fraction) {
            in_fraction = 1;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        seen_digit = 1;
        if (digits >= 18)
            return 0;
        mantissa = mantissa * 10 + (c - '0');
        if (mantissa > 0)
            digits++;
        exp10 -= in_fraction;
    }
    if (!seen_digit)
        return 0;
    if (i < end && (buf[i] == 'e' || buf[i] == 'E')) {
        int exp_negative = 0, e = 0;
        i++;
        if (i < end && (buf[i] == '-' || buf[i] == '+')) {
            exp_negative = buf[i] == '-';
            i++;
        }
        if (i >= end)
            return 0;
        while (i < end && buf[i] >= '0' && buf[i] <= '9') {
            if (e < 10000)
                e = e * 10 + (buf[i] - '0');
            i++;
        }
        exp10 += exp_negative ? -e : e;
    }
    if (i != end)
        return 0;
    if (mantissa == 0) {
        *value = negative ? -0.0 : 0.0;
        return 1;
    }
    if (digits > 15 || exp10 < -22 || exp10 > 22)
        return 0;
    double v = (double)mantissa;
    v = exp10 >= 0 ? v * POW10[exp10] : v / POW10[-exp10];
    *value = negative ? -v : v;
    return 1;
}

static Py_ssize_t count_fields(const unsigned char *buf, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t fields = 0, k = start;
    while (k < end) {
        while (k < end && is_sep(buf[k]))
            k++;
        if (k < end)
            fields++;
        while (k < end && !is_sep(buf[k]))
            k++;
    }
    return fields;
}

/* A writable, C-contiguous buffer holding at least `need` items of `itemsize` bytes. */
static int check_buffer(Py_buffer *view, const char *name, Py_ssize_t itemsize, Py_ssize_t need)
{
    if (view->len < need * itemsize) {
        PyErr_Format(PyExc_ValueError, "%s holds %zd bytes; %zd needed", name, view->len, need * itemsize);
        return 0;
    }
    return 1;
}

PyDoc_STRVAR(parse_text_block_doc,
"parse_text_block(buf, n, at_eof, dim, allow_spaces, out, row, max_row, line_no,\n"
"                 wstart, wend, fb_row, fb_col, fb_start, fb_end, fb_line, pow10, result)\n"
"\n"
"Parse complete 'word v1 .. vdim' lines of buf[:n] into out[row:] (float32, C order).\n"
"result (int64[7]) receives: bytes consumed, rows parsed, lines consumed, numbers left\n"
"for Python (fb_*), error (1: too few fields, 2: a word with spaces), error line, detail\n"
"(fields found).  pow10 is accepted for the numba kernel's signature and not used.");

static PyObject *parse_text_block(PyObject *self, PyObject *args)
{
    Py_buffer b = {0}, o = {0}, ws = {0}, we = {0}, fr = {0}, fc = {0}, fs = {0}, fe = {0}, fl = {0},
              p10 = {0}, res = {0};
    Py_ssize_t n, dim, row, max_row, line_no;
    int at_eof, allow_spaces;
    PyObject *ret = NULL;
    if (!PyArg_ParseTuple(args, "y*npnpw*nnnw*w*w*w*w*w*w*y*w*", &b, &n, &at_eof, &dim, &allow_spaces, &o,
                          &row, &max_row, &line_no, &ws, &we, &fr, &fc, &fs, &fe, &fl, &p10, &res))
        return NULL;
    if (n < 0 || n > b.len || dim < 1 || row < 0 || max_row < row) {
        PyErr_SetString(PyExc_ValueError, "parse_text_block: bad sizes");
        goto done;
    }
    Py_ssize_t capacity = fr.len / 8, wcap = ws.len / 8;
    if (!check_buffer(&o, "out", 4, max_row * dim) || !check_buffer(&we, "wend", 8, wcap) ||
        !check_buffer(&fc, "fb_col", 8, capacity) || !check_buffer(&fs, "fb_start", 8, capacity) ||
        !check_buffer(&fe, "fb_end", 8, capacity) || !check_buffer(&fl, "fb_line", 8, capacity) ||
        !check_buffer(&res, "result", 8, 7))
        goto done;
    {
        const unsigned char *buf = (const unsigned char *)b.buf;
        float *out = (float *)o.buf;
        int64_t *wstart = ws.buf, *wend = we.buf, *fb_row = fr.buf, *fb_col = fc.buf, *fb_start = fs.buf,
                *fb_end = fe.buf, *fb_line = fl.buf, *result = res.buf;
        Py_ssize_t pos = 0, r = row, lines = 0, nfb = 0, error = 0, detail = 0;
        while (r < max_row) {
            if (pos >= n)
                break;                       /* nothing left (past n: the last line had no newline) */
            const unsigned char *nl = memchr(buf + pos, LF, (size_t)(n - pos));
            Py_ssize_t e = nl ? nl - buf : n;
            if (e == n && !at_eof)
                break;                       /* incomplete line: wait for the next block */
            if (nfb + dim > capacity || r - row >= wcap)
                break;                       /* let Python resolve the pending numbers first */
            Py_ssize_t s = pos, t = e;
            while (t > s && (buf[t - 1] == CR || is_sep(buf[t - 1])))
                t--;
            while (s < t && is_sep(buf[s]))
                s++;
            if (s == t) {                    /* blank line */
                pos = e + 1;
                lines++;
                continue;
            }
            /* the last dim fields are the numbers; walk back over them */
            Py_ssize_t j = dim - 1, p = t;
            float *dest = out + r * dim;
            while (j >= 0 && p > s) {
                Py_ssize_t q = p;
                while (q > s && !is_sep(buf[q - 1]))
                    q--;
                double value;
                if (parse_number(buf, q, p, &value)) {
                    dest[j] = (float)value;
                } else {
                    fb_row[nfb] = r;
                    fb_col[nfb] = j;
                    fb_start[nfb] = q;
                    fb_end[nfb] = p;
                    fb_line[nfb] = line_no + lines;
                    nfb++;
                }
                j--;
                while (q > s && is_sep(buf[q - 1]))
                    q--;
                p = q;
            }
            if (j >= 0 || p == s) {          /* too few fields: count them for the message */
                error = 1;
                detail = count_fields(buf, s, t);
                break;
            }
            if (!allow_spaces) {
                Py_ssize_t k = s;
                while (k < p && !is_sep(buf[k]))
                    k++;
                if (k < p) {
                    error = 2;
                    detail = dim + 1 + count_fields(buf, k, p);
                    break;
                }
            }
            wstart[r - row] = s;
            wend[r - row] = p;
            r++;
            lines++;
            pos = e + 1;
        }
        if (pos > n)
            pos = n;
        result[0] = pos;
        result[1] = r - row;
        result[2] = lines;
        result[3] = nfb;
        result[4] = error;
        result[5] = line_no + lines;
        result[6] = detail;
    }
    ret = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&b); PyBuffer_Release(&o); PyBuffer_Release(&ws); PyBuffer_Release(&we);
    PyBuffer_Release(&fr); PyBuffer_Release(&fc); PyBuffer_Release(&fs); PyBuffer_Release(&fe);
    PyBuffer_Release(&fl); PyBuffer_Release(&p10); PyBuffer_Release(&res);
    return ret;
}

PyDoc_STRVAR(count_text_records_doc,
"count_text_records(buf, n, at_eof, result)\n"
"\n"
"Count the non-blank complete lines in buf[:n]; result (int64[2]) = [bytes consumed, records].");

static PyObject *count_text_records(PyObject *self, PyObject *args)
{
    Py_buffer b = {0}, res = {0};
    Py_ssize_t n;
    int at_eof;
    PyObject *ret = NULL;
    if (!PyArg_ParseTuple(args, "y*npw*", &b, &n, &at_eof, &res))
        return NULL;
    if (n < 0 || n > b.len) {
        PyErr_SetString(PyExc_ValueError, "count_text_records: bad size");
        goto done;
    }
    if (!check_buffer(&res, "result", 8, 2))
        goto done;
    {
        const unsigned char *buf = (const unsigned char *)b.buf;
        int64_t *result = res.buf;
        Py_ssize_t pos = 0, records = 0;
        int blank = 1;
        for (Py_ssize_t i = 0; i < n; i++) {
            unsigned char c = buf[i];
            if (c == LF) {
                if (!blank)
                    records++;
                blank = 1;
                pos = i + 1;
            } else if (!(c == SPACE || c == TAB || c == CR)) {
                blank = 0;
            }
        }
        if (at_eof) {
            if (!blank)
                records++;
            pos = n;
        }
        result[0] = pos;
        result[1] = records;
    }
    ret = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&b);
    PyBuffer_Release(&res);
    return ret;
}

PyDoc_STRVAR(gather_words_doc,
"gather_words(buf, wstart, wend, count) -> bytes\n"
"\n"
"The words buf[wstart[i]:wend[i]] joined by newlines, for one decode call in Python.");

static PyObject *gather_words(PyObject *self, PyObject *args)
{
    Py_buffer b = {0}, ws = {0}, we = {0};
    Py_ssize_t count;
    PyObject *ret = NULL;
    if (!PyArg_ParseTuple(args, "y*y*y*n", &b, &ws, &we, &count))
        return NULL;
    if (count < 0 || ws.len < count * 8 || we.len < count * 8) {
        PyErr_SetString(PyExc_ValueError, "gather_words: bad count");
        goto done;
    }
    {
        const unsigned char *buf = (const unsigned char *)b.buf;
        const int64_t *wstart = ws.buf, *wend = we.buf;
        Py_ssize_t total = 0;
        for (Py_ssize_t i = 0; i < count; i++) {
            if (wstart[i] < 0 || wend[i] < wstart[i] || wend[i] > b.len) {
                PyErr_SetString(PyExc_ValueError, "gather_words: word outside the buffer");
                goto done;
            }
            total += wend[i] - wstart[i] + (i > 0);
        }
        ret = PyBytes_FromStringAndSize(NULL, total);
        if (!ret)
            goto done;
        char *dest = PyBytes_AS_STRING(ret);
        for (Py_ssize_t i = 0; i < count; i++) {
            if (i)
                *dest++ = LF;
            memcpy(dest, buf + wstart[i], (size_t)(wend[i] - wstart[i]));
            dest += wend[i] - wstart[i];
        }
    }
done:
    PyBuffer_Release(&b);
    PyBuffer_Release(&ws);
    PyBuffer_Release(&we);
    return ret;
}

/* ------------------------------------------------------------------------------------------
 * Raw text and phrases: the `words` tokenizer, tokens -> ids, phrased sentences back to lists.
 * The readable references are the regular expression in w2v.tokenize and the Python paths in
 * w2v.phrases (tests hold these to them); these only save the interpreter's work per token.
 * ------------------------------------------------------------------------------------------ */

#define CLS_WORD 1      /* str.isalnum(), "_" or a combining mark: what the pattern's [\w<marks>] holds */
#define CLS_MARK 2      /* Unicode category M */
#define CLS_SPACE 4     /* str.isspace() */
#define CLS_DECIMAL 8   /* the pattern's \d: Unicode category Nd */
#define N_CODE_POINTS 0x110000

PyDoc_STRVAR(word_classes_doc,
"word_classes(mark_ranges) -> bytes\n"
"\n"
"One byte of class bits per code point (1 word, 2 mark, 4 space, 8 decimal digit), from the\n"
"interpreter's own Unicode database (the predicates re and str use) and mark_ranges (int32\n"
"pairs: first and last code point of each run of category M, from unicodedata).");

static PyObject *word_classes(PyObject *self, PyObject *args)
{
    Py_buffer r = {0};
    if (!PyArg_ParseTuple(args, "y*", &r))
        return NULL;
    PyObject *ret = PyBytes_FromStringAndSize(NULL, N_CODE_POINTS);
    if (ret) {
        unsigned char *cls = (unsigned char *)PyBytes_AS_STRING(ret);
        for (Py_UCS4 c = 0; c < N_CODE_POINTS; c++) {
            unsigned char k = 0;
            if (c == '_' || Py_UNICODE_ISALNUM(c))
                k |= CLS_WORD;
            if (Py_UNICODE_ISSPACE(c))
                k |= CLS_SPACE;
            if (Py_UNICODE_ISDECIMAL(c))
                k |= CLS_DECIMAL;
            cls[c] = k;
        }
        const int32_t *ranges = r.buf;
        for (Py_ssize_t i = 0; i + 1 < r.len / 4; i += 2)
            for (int32_t c = ranges[i]; c <= ranges[i + 1] && c < N_CODE_POINTS; c++)
                if (c >= 0)
                    cls[c] |= CLS_MARK | CLS_WORD;
    }
    PyBuffer_Release(&r);
    return ret;
}

/* A growing int64 array. */
typedef struct { int64_t *data; Py_ssize_t size, cap; } Int64s;

static int int64s_push(Int64s *a, int64_t v)
{
    if (a->size == a->cap) {
        Py_ssize_t cap = a->cap ? 2 * a->cap : 1024;
        int64_t *data = PyMem_Realloc(a->data, (size_t)cap * sizeof(int64_t));
        if (!data) {
            PyErr_NoMemory();
            return -1;
        }
        a->data = data;
        a->cap = cap;
    }
    a->data[a->size++] = v;
    return 0;
}

static PyObject *int64s_bytearray(Int64s *a)
{
    return PyByteArray_FromStringAndSize((const char *)a->data, a->size * (Py_ssize_t)sizeof(int64_t));
}

static inline int is_joiner(Py_UCS4 c) { return c == '\'' || c == 0x2019 || c == '-'; }
static inline int is_digit_joiner(Py_UCS4 c) { return c == '.' || c == ',' || c == ':' || c == '/'; }

/* Tokens of text[lo:hi] appended to `tokens`; with split_lines a newline closes a sentence
 * (its token count pushed to `lengths`).  Returns the tokens of the open sentence, or -1. */
static Py_ssize_t tokenize_span(PyObject *text, Py_ssize_t lo, Py_ssize_t hi, const unsigned char *cls, int keep,
                                int split_lines, PyObject *tokens, Int64s *lengths)
{
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t i = lo, open = 0;
#define AT(j) PyUnicode_READ(kind, data, (j))
    while (i < hi) {
        Py_UCS4 c = AT(i);
        unsigned char k = cls[c];
        Py_ssize_t start = i;
        if (k & CLS_WORD) {
            /* word = W+ ((['’-] | (?<=\d)[.,:/](?=\d)) W+)* : greedy runs, no backtracking needed */
            for (;;) {
                i++;
                while (i < hi && (cls[AT(i)] & CLS_WORD))
                    i++;
                if (i + 1 < hi) {
                    Py_UCS4 sep = AT(i);
                    unsigned char next = cls[AT(i + 1)];
                    if ((next & CLS_WORD) &&
                        (is_joiner(sep) || (is_digit_joiner(sep) && (next & CLS_DECIMAL) && (cls[AT(i - 1)] & CLS_DECIMAL)))) {
                        i++;
                        continue;
                    }
                }
                break;
            }
        } else if (c == LF && split_lines) {
            if (int64s_push(lengths, open) < 0)
                return -1;
            open = 0;
            i++;
            continue;
        } else if (keep && !(k & CLS_SPACE)) {
            /* any other visible character, with the marks that follow it */
            i++;
            while (i < hi && (cls[AT(i)] & CLS_MARK))
                i++;
        } else {
            i++;
            continue;
        }
        PyObject *token = PyUnicode_Substring(text, start, i);
        if (!token || PyList_Append(tokens, token) < 0) {
            Py_XDECREF(token);
            return -1;
        }
        Py_DECREF(token);
        open++;
    }
#undef AT
    return open;
}

PyDoc_STRVAR(tokenize_words_doc,
"tokenize_words(text, classes, keep_punctuation) -> (tokens, lengths)\n"
"\n"
"The `words` tokenizer (w2v.tokenize's pattern) over a str cut at newlines, as str.split('\\n')\n"
"without a trailing empty line, or over a list of str (one sentence each).  tokens is one flat\n"
"list; lengths (a bytearray of int64) holds the tokens of each sentence.  classes comes from\n"
"word_classes().");

static PyObject *tokenize_words(PyObject *self, PyObject *args)
{
    PyObject *text, *ret = NULL, *tokens = NULL, *lens = NULL;
    Py_buffer c = {0};
    int keep;
    Int64s lengths = {0};
    if (!PyArg_ParseTuple(args, "Oy*p", &text, &c, &keep))
        return NULL;
    if (c.len < N_CODE_POINTS) {
        PyErr_SetString(PyExc_ValueError, "tokenize_words: classes must hold one byte per code point");
        goto done;
    }
    const unsigned char *cls = c.buf;
    tokens = PyList_New(0);
    if (!tokens)
        goto done;
    if (PyUnicode_Check(text)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        Py_ssize_t open = tokenize_span(text, 0, n, cls, keep, 1, tokens, &lengths);
        if (open < 0)
            goto done;
        if (n > 0 && PyUnicode_READ_CHAR(text, n - 1) != LF && int64s_push(&lengths, open) < 0)
            goto done;
    } else if (PyList_Check(text)) {
        for (Py_ssize_t p = 0; p < PyList_GET_SIZE(text); p++) {
            PyObject *piece = PyList_GET_ITEM(text, p);
            if (!PyUnicode_Check(piece)) {
                PyErr_SetString(PyExc_TypeError, "tokenize_words: the pieces must be str");
                goto done;
            }
            Py_INCREF(piece);
            Py_ssize_t open = tokenize_span(piece, 0, PyUnicode_GET_LENGTH(piece), cls, keep, 0, tokens, &lengths);
            Py_DECREF(piece);
            if (open < 0 || int64s_push(&lengths, open) < 0)
                goto done;
        }
    } else {
        PyErr_SetString(PyExc_TypeError, "tokenize_words: text must be a str or a list of str");
        goto done;
    }
    lens = int64s_bytearray(&lengths);
    if (lens)
        ret = PyTuple_Pack(2, tokens, lens);
done:
    Py_XDECREF(tokens);
    Py_XDECREF(lens);
    PyMem_Free(lengths.data);
    PyBuffer_Release(&c);
    return ret;
}

/* The items and size of a sentence that is an exact list or tuple; 0 for anything else. */
static int sentence_items(PyObject *sentence, PyObject ***items, Py_ssize_t *size)
{
    if (PyList_CheckExact(sentence)) {
        *items = ((PyListObject *)sentence)->ob_item;
        *size = PyList_GET_SIZE(sentence);
        return 1;
    }
    if (PyTuple_CheckExact(sentence)) {
        *items = ((PyTupleObject *)sentence)->ob_item;
        *size = PyTuple_GET_SIZE(sentence);
        return 1;
    }
    return 0;
}

/* Tokens -> ids without a dict lookup per token.  A TokenTable maps the words of a vocabulary
 * (a list of str, id = position) to their ids: an open-addressing table keyed on a string's
 * kind, length and bytes, hashed with a multiply-xor over 8-byte words.  A fresh str's own
 * hash is SipHash, computed on its first dict lookup; and a dict probe then reads the stored
 * key and an int object, two more cache misses.  A slot here holds the id and the first 8
 * bytes, so a short word is matched from the slot alone.  Two exact str are equal exactly
 * when their kinds, lengths and bytes are (CPython keeps every str in its narrowest kind, and
 * its own comparison tests the same three), so the table finds what {word: id} would. */
typedef struct {
    uint64_t hash;
    PyObject *key;          /* a strong reference; NULL: an empty slot */
    int32_t id;
    uint32_t shape;         /* byte length * 4 + kind */
    uint64_t head;          /* the first 8 bytes, zero-padded */
} TokenSlot;

typedef struct {
    PyObject_HEAD
    TokenSlot *slots;
    Py_ssize_t cap, used;   /* cap: a power of two; used <= cap / 2 */
} TokenTable;

/* a random seed per process (from os.urandom), so that text cannot be made to collide */
static uint64_t hash_seed;

#define HASH_K1 0x9E3779B97F4A7C15ULL
#define HASH_K2 0xC2B2AE3D27D4EB4FULL
#define MAX_TOKEN_BYTES ((size_t)1 << 29)
#if PY_VERSION_HEX < 0x030C0000
#define STR_READY(s) PyUnicode_READY(s)   /* a legacy str made by the old C API gets its kind */
#else
#define STR_READY(s) 0
#endif

static inline uint64_t load64(const unsigned char *p) { uint64_t w; memcpy(&w, p, 8); return w; }
static inline uint64_t load32(const unsigned char *p) { uint32_t w; memcpy(&w, p, 4); return w; }

static inline uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * HASH_K2;
    return h ^ (h >> 29);
}

/* hash, shape and head of an exact str; 0 when it is too long for a shape (never in text).
 * Fixed-size loads only (the last 8 bytes overlap the words before), so no memcpy call. */
static inline int token_key(PyObject *s, uint64_t *hash, uint32_t *shape, uint64_t *head)
{
    const unsigned char *p = PyUnicode_DATA(s);
    int kind = PyUnicode_KIND(s);
    size_t n = (size_t)PyUnicode_GET_LENGTH(s) * (size_t)kind;
    if (n >= MAX_TOKEN_BYTES)
        return 0;
    uint64_t h = (((uint64_t)n * 4 + (uint64_t)kind) * HASH_K1) ^ hash_seed, first;
    if (n >= 8) {
        first = load64(p);
        h = mix(h, first);
        for (size_t i = 8; i + 8 < n; i += 8)
            h = mix(h, load64(p + i));
        if (n > 8)
            h = mix(h, load64(p + n - 8));
    } else if (n >= 4) {
        first = load32(p) | load32(p + n - 4) << (8 * (n - 4));
        h = mix(h, first);
    } else if (n > 0) {
        first = (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) | (uint64_t)p[n - 1] << (8 * (n - 1));
        h = mix(h, first);
    } else {
        first = 0;
    }
    *hash = h ^ (h >> 32);
    *shape = (uint32_t)(n * 4 + (size_t)kind);
    *head = first;
    return 1;
}

/* The slot holding s, or the empty slot where it would go. */
static inline TokenSlot *token_probe(TokenTable *t, PyObject *s, uint64_t hash, uint32_t shape, uint64_t head)
{
    size_t mask = (size_t)t->cap - 1, i = (size_t)hash & mask;
    for (;; i = (i + 1) & mask) {
        TokenSlot *slot = &t->slots[i];
        if (!slot->key)
            return slot;
        if (slot->hash == hash && slot->shape == shape && slot->head == head &&
            (shape / 4 <= 8 || slot->key == s ||
             memcmp(PyUnicode_DATA(slot->key), PyUnicode_DATA(s), shape / 4) == 0))
            return slot;
    }
}

static int token_table_grow(TokenTable *t)
{
    Py_ssize_t cap = t->cap ? 2 * t->cap : 1 << 10;
    TokenSlot *slots = PyMem_Calloc((size_t)cap, sizeof(TokenSlot));
    if (!slots) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < t->cap; i++) {
        TokenSlot *old = &t->slots[i];
        if (old->key) {
            size_t mask = (size_t)cap - 1, j = (size_t)old->hash & mask;
            while (slots[j].key)
                j = (j + 1) & mask;
            slots[j] = *old;
        }
    }
    PyMem_Free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

/* Add the exact str s as id `id` (the slot from token_probe may move when the table grows). */
static int token_table_add(TokenTable *t, PyObject *s, uint64_t hash, uint32_t shape, uint64_t head, int32_t id)
{
    if (2 * (t->used + 1) > t->cap && token_table_grow(t) < 0)
        return -1;
    TokenSlot *slot = token_probe(t, s, hash, shape, head);
    slot->hash = hash;
    slot->key = Py_NewRef(s);
    slot->id = id;
    slot->shape = shape;
    slot->head = head;
    t->used++;
    return 0;
}

static void token_table_dealloc(TokenTable *t)
{
    for (Py_ssize_t i = 0; i < t->cap; i++)
        Py_XDECREF(t->slots[i].key);
    PyMem_Free(t->slots);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static PyObject *token_table_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *words;
    static char *names[] = {"words", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!:TokenTable", names, &PyList_Type, &words))
        return NULL;
    TokenTable *t = (TokenTable *)type->tp_alloc(type, 0);
    if (!t || token_table_grow(t) < 0)
        goto fail;
    Py_ssize_t n = PyList_GET_SIZE(words);
    if (n > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "TokenTable: more words than int32 ids");
        goto fail;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
        PyObject *word = PyList_GET_ITEM(words, i);
        uint64_t hash, head;
        uint32_t shape;
        if (!PyUnicode_CheckExact(word) || STR_READY(word) < 0 || !token_key(word, &hash, &shape, &head)) {
            PyErr_Format(PyExc_TypeError, "TokenTable: word %zd is not a str (or is over 512 MB)", i);
            goto fail;
        }
        if (token_probe(t, word, hash, shape, head)->key) {
            PyErr_Format(PyExc_ValueError, "TokenTable: word %zd is there twice", i);
            goto fail;
        }
        if (token_table_add(t, word, hash, shape, head, (int32_t)i) < 0)
            goto fail;
    }
    return (PyObject *)t;
fail:
    Py_XDECREF(t);
    return NULL;
}

static Py_ssize_t token_table_length(TokenTable *t) { return t->used; }

PyDoc_STRVAR(token_hash_doc,
"_token_hash(s) -> int\n"
"\n"
"The table's hash of an exact str (for the tests, which build strings that collide).");

static PyObject *token_hash(PyObject *self, PyObject *s)
{
    uint64_t hash, head;
    uint32_t shape;
    if (!PyUnicode_CheckExact(s) || STR_READY(s) < 0 || !token_key(s, &hash, &shape, &head)) {
        PyErr_SetString(PyExc_TypeError, "_token_hash: a str of at most 512 MB");
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(hash);
}

static PySequenceMethods token_table_as_sequence = {.sq_length = (lenfunc)token_table_length};

PyDoc_STRVAR(token_table_doc,
"TokenTable(words)\n"
"\n"
"The words (a list of distinct str) and their ids (positions in the list), for\n"
"encode_sentences.  len() is the number of words held.");

static PyTypeObject TokenTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "w2v._textio.TokenTable",
    .tp_basicsize = sizeof(TokenTable),
    .tp_dealloc = (destructor)token_table_dealloc,
    .tp_as_sequence = &token_table_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = token_table_doc,
    .tp_new = token_table_new,
};

PyDoc_STRVAR(encode_sentences_doc,
"encode_sentences(batch, table, words, unknown) -> (ids, lengths) or None\n"
"\n"
"The tokens of a list of sentences as ids (a bytearray of int32) and the sentences' lengths\n"
"(a bytearray of int64), looked up in `table`, a TokenTable of the list `words`.  A word not in\n"
"it: with `words` a list, it gets the next id, len(words), and is appended to both (the caller\n"
"keeps any dict of the words up to date); with words=None it gets the id `unknown`.  None when\n"
"the batch is not exact lists or tuples of exact str (the caller's Python path then handles it,\n"
"with its error messages): `words` is then as it was, but a table given `words` may hold words\n"
"met before the odd token: make a new one.");

static PyObject *encode_sentences(PyObject *self, PyObject *args)
{
    PyObject *batch, *words, *ids = NULL, *lens = NULL, *ret = NULL;
    TokenTable *table;
    long long unknown;
    if (!PyArg_ParseTuple(args, "O!O!OL", &PyList_Type, &batch, &TokenTableType, &table, &words, &unknown))
        return NULL;
    if (words != Py_None && !PyList_Check(words)) {
        PyErr_SetString(PyExc_TypeError, "encode_sentences: words must be a list or None");
        return NULL;
    }
    if (words != Py_None && PyList_GET_SIZE(words) != table->used) {
        PyErr_SetString(PyExc_ValueError, "encode_sentences: the table does not hold these words");
        return NULL;
    }
    if (unknown < INT32_MIN || unknown > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "encode_sentences: unknown does not fit in int32");
        return NULL;
    }
    /* the sentences' types and sizes first; each token's type as it is read (one pass over them) */
    Py_ssize_t n = PyList_GET_SIZE(batch), total = 0, before = words == Py_None ? 0 : PyList_GET_SIZE(words);
    for (Py_ssize_t s = 0; s < n; s++) {
        PyObject **items;
        Py_ssize_t size;
        if (!sentence_items(PyList_GET_ITEM(batch, s), &items, &size))
            Py_RETURN_NONE;
        total += size;
    }
    ids = PyByteArray_FromStringAndSize(NULL, total * 4);
    lens = PyByteArray_FromStringAndSize(NULL, n * 8);
    if (!ids || !lens)
        goto done;
    int32_t *out = (int32_t *)PyByteArray_AS_STRING(ids);
    int64_t *lengths = (int64_t *)PyByteArray_AS_STRING(lens);
    Py_ssize_t k = 0;
    /* no Python code runs below: the batch and its sentences stay as they are */
    for (Py_ssize_t s = 0; s < n; s++) {
        PyObject **items = NULL;
        Py_ssize_t size = 0;
        sentence_items(PyList_GET_ITEM(batch, s), &items, &size);
        lengths[s] = size;
        for (Py_ssize_t j = 0; j < size; j++) {
            PyObject *token = items[j];
            uint64_t hash = 0, head = 0;
            uint32_t shape = 0;
            if (!PyUnicode_CheckExact(token) || STR_READY(token) < 0 || !token_key(token, &hash, &shape, &head)) {
                if (PyErr_Occurred())
                    goto done;
                /* not a plain str: undo, and leave the batch to the Python path */
                if (words != Py_None && PyList_SetSlice(words, before, PyList_GET_SIZE(words), NULL) < 0)
                    goto done;
                ret = Py_NewRef(Py_None);
                goto done;
            }
            TokenSlot *slot = token_probe(table, token, hash, shape, head);
            if (slot->key) {
                out[k++] = slot->id;
            } else if (words == Py_None) {
                out[k++] = (int32_t)unknown;
            } else {
                Py_ssize_t id = PyList_GET_SIZE(words);
                if (id >= INT32_MAX) {
                    PyErr_SetString(PyExc_OverflowError, "encode_sentences: more words than int32 ids");
                    goto done;
                }
                if (PyList_Append(words, token) < 0)
                    goto done;
                if (token_table_add(table, token, hash, shape, head, (int32_t)id) < 0) {
                    /* keep words and table in step */
                    PyList_SetSlice(words, id, id + 1, NULL);
                    goto done;
                }
                out[k++] = (int32_t)id;
            }
        }
    }
    ret = PyTuple_Pack(2, ids, lens);
done:
    Py_XDECREF(ids);
    Py_XDECREF(lens);
    return ret;
}

PyDoc_STRVAR(build_sentences_doc,
"build_sentences(batch, refs, out_lengths, phrases, first, stop, pos_in, pos_out) -> list of lists\n"
"\n"
"Sentences batch[first:stop] rebuilt after phrase joining: sentence s has out_lengths[s] tokens;\n"
"refs (int64, all sentences one after the other) holds, per token, its position among the\n"
"batch's tokens (counted across sentences) when it is kept, or -1 - i for phrases[i].  pos_in\n"
"and pos_out are the positions of sentence `first` among the tokens and the refs.  The kept\n"
"tokens are the batch's own str objects.  (Callers take a few hundred sentences at a time, so\n"
"that the new lists die young and do not wake the garbage collector's full collections.)");

static PyObject *build_sentences(PyObject *self, PyObject *args)
{
    PyObject *batch, *phrases, *result = NULL;
    Py_buffer r = {0}, ol = {0};
    Py_ssize_t first, stop, pos_in, pos_out;
    if (!PyArg_ParseTuple(args, "O!y*y*O!nnnn", &PyList_Type, &batch, &r, &ol, &PyList_Type, &phrases, &first,
                          &stop, &pos_in, &pos_out))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(batch), n_refs = r.len / 8, n_phrases = PyList_GET_SIZE(phrases);
    if (ol.len < n * 8 || first < 0 || stop > n || stop < first || pos_out < 0) {
        PyErr_SetString(PyExc_ValueError, "build_sentences: bad sizes");
        goto done;
    }
    const int64_t *refs = r.buf, *out_lengths = ol.buf;
    result = PyList_New(stop - first);
    if (!result)
        goto done;
    for (Py_ssize_t s = first; s < stop; s++) {
        PyObject **items;
        Py_ssize_t size, m = out_lengths[s];
        if (!sentence_items(PyList_GET_ITEM(batch, s), &items, &size) || m < 0 || m > size || pos_out + m > n_refs) {
            PyErr_SetString(PyExc_ValueError, "build_sentences: the batch does not match the joined ids");
            goto fail;
        }
        PyObject *sentence = PyList_New(m);
        if (!sentence)
            goto fail;
        for (Py_ssize_t j = 0; j < m; j++) {
            PyObject *item;
            if (m == size) {
                item = items[j];
            } else {
                int64_t ref = refs[pos_out + j];
                if (ref >= 0 && ref - pos_in < size && ref >= pos_in) {
                    item = items[ref - pos_in];
                } else if (ref < 0 && -1 - ref < n_phrases) {
                    item = PyList_GET_ITEM(phrases, -1 - ref);
                } else {
                    Py_DECREF(sentence);
                    PyErr_SetString(PyExc_ValueError, "build_sentences: a reference outside its sentence");
                    goto fail;
                }
            }
            Py_INCREF(item);
            PyList_SET_ITEM(sentence, j, item);
        }
        PyList_SET_ITEM(result, s - first, sentence);
        pos_in += size;
        pos_out += m;
    }
    goto done;
fail:
    Py_CLEAR(result);
done:
    PyBuffer_Release(&r);
    PyBuffer_Release(&ol);
    return result;
}

/* ---- int8 similarity scan: the explorer's shared neighbour search (w2v.serve.search) ---- */

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define W2V_VNNI 1
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void int8_scan_vnni(const int8_t *codes, Py_ssize_t d, Py_ssize_t row0, Py_ssize_t row1,
                           const uint8_t *q, Py_ssize_t qstride, Py_ssize_t nq, const int32_t *rowsum,
                           const double *qscale, const int64_t *slots, float *out, Py_ssize_t n)
{
    Py_ssize_t full = d - d % 64;
    __mmask64 tail = d % 64 ? (__mmask64)((~0ULL) >> (64 - d % 64)) : 0;
    for (Py_ssize_t i = row0; i < row1; i++) {
        const int8_t *row = codes + i * d;
        for (Py_ssize_t b = 0; b < nq; b += 4) {
            __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
            __m512i a2 = _mm512_setzero_si512(), a3 = _mm512_setzero_si512();
            const uint8_t *q0 = q + b * qstride, *q1 = q0 + qstride, *q2 = q1 + qstride, *q3 = q2 + qstride;
            Py_ssize_t j = 0;
            for (; j < full; j += 64) {
                __m512i x = _mm512_loadu_si512((const void *)(row + j));
                a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512((const void *)(q0 + j)), x);
                a1 = _mm512_dpbusd_epi32(a1, _mm512_loadu_si512((const void *)(q1 + j)), x);
                a2 = _mm512_dpbusd_epi32(a2, _mm512_loadu_si512((const void *)(q2 + j)), x);
                a3 = _mm512_dpbusd_epi32(a3, _mm512_loadu_si512((const void *)(q3 + j)), x);
            }
            if (tail) {   /* codes past the row read as 0: the padded query bytes then add nothing */
                __m512i x = _mm512_maskz_loadu_epi8(tail, (const void *)(row + j));
                a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512((const void *)(q0 + j)), x);
                a1 = _mm512_dpbusd_epi32(a1, _mm512_loadu_si512((const void *)(q1 + j)), x);
                a2 = _mm512_dpbusd_epi32(a2, _mm512_loadu_si512((const void *)(q2 + j)), x);
                a3 = _mm512_dpbusd_epi32(a3, _mm512_loadu_si512((const void *)(q3 + j)), x);
            }
            /* the queries are stored as qi + 128 (unsigned): take 128 × the row's sum back */
            int64_t base = 128 * (int64_t)rowsum[i];
            out[slots[b] * n + i] = (float)(qscale[b] * (double)((int64_t)_mm512_reduce_add_epi32(a0) - base));
            out[slots[b + 1] * n + i] = (float)(qscale[b + 1] * (double)((int64_t)_mm512_reduce_add_epi32(a1) - base));
            out[slots[b + 2] * n + i] = (float)(qscale[b + 2] * (double)((int64_t)_mm512_reduce_add_epi32(a2) - base));
            out[slots[b + 3] * n + i] = (float)(qscale[b + 3] * (double)((int64_t)_mm512_reduce_add_epi32(a3) - base));
        }
    }
}
#endif

PyDoc_STRVAR(int8_scan_available_doc,
"int8_scan_available() -> bool\n\nWhether int8_scan runs on this processor (AVX-512 VNNI).");

static PyObject *int8_scan_available(PyObject *self, PyObject *noargs)
{
#ifdef W2V_VNNI
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vnni"))
        Py_RETURN_TRUE;
#endif
    Py_RETURN_FALSE;
}

PyDoc_STRVAR(int8_scan_doc,
"int8_scan(row0, row1, codes, d, queries, qstride, nq, rowsum, qscale, slots, out, n)\n"
"\n"
"out[slots[b], i] = qscale[b] * sum_j codes[i, j] * (queries[b, j] - 128) for rows [row0, row1):\n"
"codes int8 (n x d), queries uint8 (nq x qstride, qstride >= d rounded up to 64, padded with\n"
"anything), rowsum int32 (sum of each code row), qscale float64, slots int64, out float32 (rows of\n"
"n).  The integer products are exact; each result is rounded once.  nq a multiple of 4.  Runs\n"
"without the GIL.  Only where int8_scan_available().");

static PyObject *int8_scan(PyObject *self, PyObject *args)
{
    Py_ssize_t row0, row1, d, qstride, nq, n;
    Py_buffer codes = {0}, queries = {0}, rowsum = {0}, qscale = {0}, slots = {0}, out = {0};
    PyObject *ret = NULL;
    if (!PyArg_ParseTuple(args, "nny*ny*nny*y*y*w*n", &row0, &row1, &codes, &d, &queries, &qstride, &nq,
                          &rowsum, &qscale, &slots, &out, &n))
        return NULL;
#ifdef W2V_VNNI
    if (d <= 0 || n <= 0 || row0 < 0 || row1 > n || row0 > row1 || nq % 4 || qstride < d + (64 - d % 64) % 64 ||
        codes.len < n * d || queries.len < nq * qstride || rowsum.len < n * 4 || qscale.len < nq * 8 ||
        slots.len < nq * 8) {
        PyErr_SetString(PyExc_ValueError, "int8_scan: bad sizes");
        goto done;
    }
    const int64_t *sl = slots.buf;
    for (Py_ssize_t b = 0; b < nq; b++)
        if (sl[b] < 0 || (sl[b] + 1) * n * 4 > out.len) {
            PyErr_SetString(PyExc_ValueError, "int8_scan: a slot outside out");
            goto done;
        }
    Py_BEGIN_ALLOW_THREADS
    int8_scan_vnni(codes.buf, d, row0, row1, queries.buf, qstride, nq, rowsum.buf, qscale.buf, sl, out.buf, n);
    Py_END_ALLOW_THREADS
    ret = Py_None;
    Py_INCREF(ret);
#else
    PyErr_SetString(PyExc_RuntimeError, "int8_scan: not built for this processor");
#endif
done:
    PyBuffer_Release(&codes);
    PyBuffer_Release(&queries);
    PyBuffer_Release(&rowsum);
    PyBuffer_Release(&qscale);
    PyBuffer_Release(&slots);
    PyBuffer_Release(&out);
    return ret;
}

static PyMethodDef methods[] = {
    {"int8_scan_available", int8_scan_available, METH_NOARGS, int8_scan_available_doc},
    {"int8_scan", int8_scan, METH_VARARGS, int8_scan_doc},
    {"word_classes", word_classes, METH_VARARGS, word_classes_doc},
    {"tokenize_words", tokenize_words, METH_VARARGS, tokenize_words_doc},
    {"encode_sentences", encode_sentences, METH_VARARGS, encode_sentences_doc},
    {"build_sentences", build_sentences, METH_VARARGS, build_sentences_doc},
    {"_token_hash", token_hash, METH_O, token_hash_doc},

    {"parse_text_block", parse_text_block, METH_VARARGS, parse_text_block_doc},
    {"count_text_records", count_text_records, METH_VARARGS, count_text_records_doc},
    {"gather_words", gather_words, METH_VARARGS, gather_words_doc},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "w2v._textio",
    "Inner loops of the word2vec/GloVe text reader (see w2v.kernels.textio for the numba twins), "
    "of the `words` tokenizer and of phrase joining (see w2v.tokenize and w2v.phrases).",
    -1, methods};

PyMODINIT_FUNC PyInit__textio(void)
{
    if (PyType_Ready(&TokenTableType) < 0)
        return NULL;
    PyObject *os = PyImport_ImportModule("os");
    PyObject *seed = os ? PyObject_CallMethod(os, "urandom", "i", 8) : NULL;
    Py_XDECREF(os);
    if (!seed)
        return NULL;
    if (PyBytes_Check(seed) && PyBytes_GET_SIZE(seed) == 8)
        memcpy(&hash_seed, PyBytes_AS_STRING(seed), 8);
    Py_DECREF(seed);
    PyObject *m = PyModule_Create(&module);
    if (m && (PyModule_AddObjectRef(m, "TokenTable", (PyObject *)&TokenTableType) < 0 ||
              PyModule_AddObject(m, "_HASH_SEED", PyLong_FromUnsignedLongLong(hash_seed)) < 0))
        Py_CLEAR(m);
    return m;
}
