/*
 * w2v._textio: the word2vec/GloVe text reader's inner loops, as a small C extension.
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

static PyMethodDef methods[] = {
    {"parse_text_block", parse_text_block, METH_VARARGS, parse_text_block_doc},
    {"count_text_records", count_text_records, METH_VARARGS, count_text_records_doc},
    {"gather_words", gather_words, METH_VARARGS, gather_words_doc},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "w2v._textio",
    "Inner loops of the word2vec/GloVe text reader (see w2v.kernels.textio for the numba twins).",
    -1, methods};

PyMODINIT_FUNC PyInit__textio(void) { return PyModule_Create(&module); }
