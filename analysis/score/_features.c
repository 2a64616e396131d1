/* Hashed n-gram features of normalised comment text (analysis/score/features.py).
 *
 * The input is a column of texts already normalised by polars (features.normalised): words of
 * lower-case letters and digits (and the words "?" and "!") separated by single spaces. For each
 * text, every feature is hashed (FNV-1a, 32 bits, of a one-byte family tag and the feature's
 * bytes) into one of 2**bits buckets:
 *
 *   word unigrams   tag 'w'   "word"
 *   word bigrams    tag 'b'   "word next"
 *   char n-grams    tag 'c'   every 3-, 4- and 5-byte slice of " word " (the word padded with
 *                             one space each side)
 *
 * An occurrence weighs 1/sqrt(n) where n is the number of features of its family (words and
 * bigrams together, char n-grams alone) in the text; repeated features add up. At most MAX_BYTES
 * of a text are read (the rest is ignored: features.MAX_BYTES).
 *
 *   hashed(offsets, data, bits) -> (indptr, indices, values)      a CSR matrix, for training
 *   project(offsets, data, bits, weights, k[, top]) -> scores     the features times a
 *        (2**bits x k) float32 matrix, per text k float32 sums; releases the GIL. With top > 0,
 *        also per text and output the `top` words or word pairs that add most to the sum (a
 *        word: its own feature and its char n-grams; a pair: its pair feature), as contributions
 *        and spans (start, length, in characters) in the normalised text: the evidence of a hit.
 *
 * features.py keeps the reference (`hashed_reference`), which tests compare with this code.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_BYTES 20000
#define MIN_N 3
#define MAX_N 5

static inline uint32_t fnv(uint8_t tag, const uint8_t *s, Py_ssize_t len) {
    uint32_t h = 2166136261u;
    h ^= tag;
    h *= 16777619u;
    for (Py_ssize_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 16777619u;
    }
    return h;
}

/* Bigram hash: "a b" without building the string. */
static inline uint32_t fnv_pair(const uint8_t *a, Py_ssize_t la, const uint8_t *b, Py_ssize_t lb) {
    uint32_t h = 2166136261u;
    h ^= (uint8_t)'b';
    h *= 16777619u;
    for (Py_ssize_t i = 0; i < la; i++) { h ^= a[i]; h *= 16777619u; }
    h ^= (uint8_t)' ';
    h *= 16777619u;
    for (Py_ssize_t i = 0; i < lb; i++) { h ^= b[i]; h *= 16777619u; }
    return h;
}

typedef struct {
    uint32_t *word;   /* bucket ids of word and bigram features */
    Py_ssize_t n_word, cap_word;
    uint32_t *chr;    /* bucket ids of char n-grams */
    Py_ssize_t n_chr, cap_chr;
    /* per word of the text: its start and length in characters, where its unigram is in `word` (its
       bigram with the word before, if any, follows it) and where its char n-grams end in `chr` */
    uint32_t *starts, *lens, *uni, *chr_end;
    Py_ssize_t n_words, cap_starts, cap_lens, cap_uni, cap_chr_end;
    uint8_t pad[MAX_BYTES + 2];
} Scratch;

static int push(uint32_t **arr, Py_ssize_t *n, Py_ssize_t *cap, uint32_t v) {
    if (*n == *cap) {
        Py_ssize_t cap2 = *cap ? *cap * 2 : 1024;
        uint32_t *p = realloc(*arr, (size_t)cap2 * sizeof(uint32_t));
        if (!p) return -1;
        *arr = p;
        *cap = cap2;
    }
    (*arr)[(*n)++] = v;
    return 0;
}

/* The buckets of one text's features into s->word and s->chr. */
static int featurise(const uint8_t *text, Py_ssize_t len, uint32_t mask, Scratch *s) {
    s->n_word = s->n_chr = 0;
    Py_ssize_t n_starts = 0, n_lens = 0, n_uni = 0, n_chr_end = 0;
    if (len > MAX_BYTES) {
        len = MAX_BYTES; /* at a character's first byte: no character is cut in two */
        while (len > 0 && (text[len] & 0xC0) == 0x80) len--;
    }
    const uint8_t *prev = NULL;
    Py_ssize_t prev_len = 0;
    Py_ssize_t i = 0, ci = 0; /* ci: characters (code points) before byte i */
    while (i < len) {
        while (i < len && text[i] == ' ') { i++; ci++; }
        Py_ssize_t start = i, cstart = ci;
        while (i < len && text[i] != ' ') {
            if ((text[i] & 0xC0) != 0x80) ci++;
            i++;
        }
        Py_ssize_t wl = i - start;
        if (wl == 0) break;
        const uint8_t *w = text + start;
        if (push(&s->starts, &n_starts, &s->cap_starts, (uint32_t)cstart)) return -1;
        if (push(&s->lens, &n_lens, &s->cap_lens, (uint32_t)(ci - cstart))) return -1;
        if (push(&s->uni, &n_uni, &s->cap_uni, (uint32_t)s->n_word)) return -1;
        if (push(&s->word, &s->n_word, &s->cap_word, fnv('w', w, wl) & mask)) return -1;
        if (prev && push(&s->word, &s->n_word, &s->cap_word, fnv_pair(prev, prev_len, w, wl) & mask)) return -1;
        prev = w;
        prev_len = wl;
        /* char n-grams of " word " */
        Py_ssize_t pl = wl + 2;
        s->pad[0] = ' ';
        memcpy(s->pad + 1, w, (size_t)wl);
        s->pad[pl - 1] = ' ';
        for (Py_ssize_t n = MIN_N; n <= MAX_N; n++) {
            for (Py_ssize_t j = 0; j + n <= pl; j++) {
                if (push(&s->chr, &s->n_chr, &s->cap_chr, fnv('c', s->pad + j, n) & mask)) return -1;
            }
        }
        if (push(&s->chr_end, &n_chr_end, &s->cap_chr_end, (uint32_t)s->n_chr)) return -1;
    }
    s->n_words = n_starts;
    return 0;
}

/* Keep the `top` largest positive contributions, largest first (a stable insertion). */
static void keep_top(float *best, int32_t *span, int top, float value, uint32_t start, uint32_t length) {
    if (!(value > 0.0f) || value <= best[top - 1]) return;
    int at = top - 1;
    while (at > 0 && value > best[at - 1]) {
        best[at] = best[at - 1];
        span[2 * at] = span[2 * (at - 1)];
        span[2 * at + 1] = span[2 * (at - 1) + 1];
        at--;
    }
    best[at] = value;
    span[2 * at] = (int32_t)start;
    span[2 * at + 1] = (int32_t)length;
}

/* The features of the text (s, featurised) times the weights into o (k outputs), word by word,
   keeping per output the `top` words and word pairs that add most to it: a word's share is its
   own feature and its char n-grams, a pair's its pair feature. acc: 2k floats of scratch. */
static void project_words(const Scratch *s, const float *w, int k, float ww, float wc, int top, float *o,
                          float *best, int32_t *span, float *acc, const uint8_t *skip) {
    float *pair = acc + k;
    for (Py_ssize_t i = 0; i < s->n_words; i++) {
        const float *row = w + (Py_ssize_t)s->word[s->uni[i]] * k;
        for (int c = 0; c < k; c++) acc[c] = ww * row[c];
        Py_ssize_t from = i ? s->chr_end[i - 1] : 0;
        for (Py_ssize_t j = from; j < (Py_ssize_t)s->chr_end[i]; j++) {
            const float *chr = w + (Py_ssize_t)s->chr[j] * k;
            for (int c = 0; c < k; c++) acc[c] += wc * chr[c];
        }
        if (i) {
            const float *prow = w + (Py_ssize_t)s->word[s->uni[i] + 1] * k;
            for (int c = 0; c < k; c++) pair[c] = ww * prow[c];
        }
        /* a skipped word (a function word, by its unigram's bucket) is no evidence; a pair is
           when one of its words is not skipped */
        int skip_word = skip && skip[s->word[s->uni[i]]];
        int skip_pair = i && skip_word && skip && skip[s->word[s->uni[i - 1]]];
        for (int c = 0; c < k; c++) {
            float *b = best + (Py_ssize_t)c * top;
            int32_t *sp = span + (Py_ssize_t)c * top * 2;
            o[c] += acc[c];
            if (!skip_word) keep_top(b, sp, top, acc[c], s->starts[i], s->lens[i]);
            if (i) {
                o[c] += pair[c];
                if (!skip_pair)
                    keep_top(b, sp, top, pair[c], s->starts[i - 1], s->starts[i] + s->lens[i] - s->starts[i - 1]);
            }
        }
    }
}

static void scratch_free(Scratch *s) {
    free(s->word);
    free(s->chr);
    free(s->starts);
    free(s->lens);
    free(s->uni);
    free(s->chr_end);
    free(s);
}

static int get_buffers(PyObject *o_off, PyObject *o_data, Py_buffer *v_off, Py_buffer *v_data, Py_ssize_t *rows) {
    if (PyObject_GetBuffer(o_off, v_off, PyBUF_SIMPLE) < 0) return -1;
    if (PyObject_GetBuffer(o_data, v_data, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(v_off);
        return -1;
    }
    if (v_off->len < 8 || v_off->len % 8) {
        PyErr_SetString(PyExc_ValueError, "offsets: int64 values, one more than the rows");
        goto fail;
    }
    *rows = v_off->len / 8 - 1;
    const int64_t *off = (const int64_t *)v_off->buf;
    for (Py_ssize_t r = 0; r < *rows; r++) {
        if (off[r] < 0 || off[r] > off[r + 1] || off[r + 1] > v_data->len) {
            PyErr_Format(PyExc_ValueError, "offsets: row %zd is out of the data's range", r);
            goto fail;
        }
    }
    return 0;
fail:
    PyBuffer_Release(v_off);
    PyBuffer_Release(v_data);
    return -1;
}

static int check_bits(int bits) {
    if (bits < 4 || bits > 24) {
        PyErr_SetString(PyExc_ValueError, "bits must be between 4 and 24");
        return -1;
    }
    return 0;
}

static PyObject *hashed(PyObject *self, PyObject *args) {
    PyObject *o_off, *o_data;
    int bits;
    if (!PyArg_ParseTuple(args, "OOi", &o_off, &o_data, &bits)) return NULL;
    if (check_bits(bits)) return NULL;
    Py_buffer v_off, v_data;
    Py_ssize_t rows;
    if (get_buffers(o_off, o_data, &v_off, &v_data, &rows)) return NULL;
    const int64_t *off = (const int64_t *)v_off.buf;
    const uint8_t *data = (const uint8_t *)v_data.buf;
    uint32_t mask = (1u << bits) - 1;
    Scratch *s = calloc(1, sizeof(Scratch));
    int64_t *indptr = malloc((size_t)(rows + 1) * sizeof(int64_t));
    Py_ssize_t cap = 1024, nnz = 0;
    int32_t *indices = malloc((size_t)cap * sizeof(int32_t));
    float *values = malloc((size_t)cap * sizeof(float));
    PyObject *result = NULL;
    if (!s || !indptr || !indices || !values) { PyErr_NoMemory(); goto done; }
    indptr[0] = 0;
    for (Py_ssize_t r = 0; r < rows; r++) {
        if (featurise(data + off[r], off[r + 1] - off[r], mask, s)) { PyErr_NoMemory(); goto done; }
        Py_ssize_t need = nnz + s->n_word + s->n_chr;
        if (need > cap) {
            while (cap < need) cap *= 2;
            int32_t *i2 = realloc(indices, (size_t)cap * sizeof(int32_t));
            if (!i2) { PyErr_NoMemory(); goto done; }
            indices = i2;
            float *v2 = realloc(values, (size_t)cap * sizeof(float));
            if (!v2) { PyErr_NoMemory(); goto done; }
            values = v2;
        }
        float ww = s->n_word ? (float)(1.0 / sqrt((double)s->n_word)) : 0.0f;
        float wc = s->n_chr ? (float)(1.0 / sqrt((double)s->n_chr)) : 0.0f;
        for (Py_ssize_t j = 0; j < s->n_word; j++) { indices[nnz] = (int32_t)s->word[j]; values[nnz++] = ww; }
        for (Py_ssize_t j = 0; j < s->n_chr; j++) { indices[nnz] = (int32_t)s->chr[j]; values[nnz++] = wc; }
        indptr[r + 1] = nnz;
    }
    result = Py_BuildValue(
        "(y#y#y#)", (const char *)indptr, (Py_ssize_t)((rows + 1) * sizeof(int64_t)), (const char *)indices,
        (Py_ssize_t)(nnz * sizeof(int32_t)), (const char *)values, (Py_ssize_t)(nnz * sizeof(float)));
done:
    if (s) scratch_free(s);
    free(indptr);
    free(indices);
    free(values);
    PyBuffer_Release(&v_off);
    PyBuffer_Release(&v_data);
    return result;
}

static PyObject *project(PyObject *self, PyObject *args) {
    PyObject *o_off, *o_data, *o_w, *o_skip = Py_None;
    int bits, k, top = 0;
    if (!PyArg_ParseTuple(args, "OOiOi|iO", &o_off, &o_data, &bits, &o_w, &k, &top, &o_skip)) return NULL;
    if (top < 0 || top > 16) {
        PyErr_SetString(PyExc_ValueError, "top must be between 0 and 16");
        return NULL;
    }
    if (check_bits(bits)) return NULL;
    if (k < 1 || k > 4096) {
        PyErr_SetString(PyExc_ValueError, "k must be between 1 and 4096");
        return NULL;
    }
    Py_buffer v_off, v_data, v_w, v_skip = {0};
    Py_ssize_t rows;
    if (get_buffers(o_off, o_data, &v_off, &v_data, &rows)) return NULL;
    if (PyObject_GetBuffer(o_w, &v_w, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&v_off);
        PyBuffer_Release(&v_data);
        return NULL;
    }
    if (o_skip != Py_None && PyObject_GetBuffer(o_skip, &v_skip, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&v_off);
        PyBuffer_Release(&v_data);
        PyBuffer_Release(&v_w);
        return NULL;
    }
    PyObject *result = NULL;
    Scratch *s = NULL;
    float *out = NULL, *best = NULL, *acc = NULL;
    int32_t *span = NULL;
    Py_ssize_t dim = (Py_ssize_t)1 << bits;
    if (v_w.len != dim * k * (Py_ssize_t)sizeof(float)) {
        PyErr_SetString(PyExc_ValueError, "weights: 2**bits x k float32 values, row-major");
        goto done;
    }
    if (v_skip.buf && v_skip.len != dim) {
        PyErr_SetString(PyExc_ValueError, "skip: one byte per bucket (2**bits)");
        goto done;
    }
    const uint8_t *skip = (const uint8_t *)v_skip.buf;
    s = calloc(1, sizeof(Scratch));
    out = calloc((size_t)(rows ? rows : 1) * (size_t)k, sizeof(float));
    if (top) {
        best = calloc((size_t)(rows ? rows : 1) * (size_t)k * (size_t)top, sizeof(float));
        span = calloc((size_t)(rows ? rows : 1) * (size_t)k * (size_t)top * 2, sizeof(int32_t));
        acc = calloc((size_t)k * 2, sizeof(float));
    }
    if (!s || !out || (top && (!best || !span || !acc))) { PyErr_NoMemory(); goto done; }
    const int64_t *off = (const int64_t *)v_off.buf;
    const uint8_t *data = (const uint8_t *)v_data.buf;
    const float *w = (const float *)v_w.buf;
    uint32_t mask = (uint32_t)dim - 1;
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < rows && !failed; r++) {
        if (featurise(data + off[r], off[r + 1] - off[r], mask, s)) { failed = 1; break; }
        float *o = out + r * k;
        float ww = s->n_word ? (float)(1.0 / sqrt((double)s->n_word)) : 0.0f;
        float wc = s->n_chr ? (float)(1.0 / sqrt((double)s->n_chr)) : 0.0f;
        if (top) {
            project_words(s, w, k, ww, wc, top, o, best + r * k * top, span + r * k * top * 2, acc, skip);
            continue;
        }
        for (Py_ssize_t j = 0; j < s->n_word; j++) {
            const float *row = w + (Py_ssize_t)s->word[j] * k;
            for (int c = 0; c < k; c++) o[c] += ww * row[c];
        }
        for (Py_ssize_t j = 0; j < s->n_chr; j++) {
            const float *row = w + (Py_ssize_t)s->chr[j] * k;
            for (int c = 0; c < k; c++) o[c] += wc * row[c];
        }
    }
    Py_END_ALLOW_THREADS
    if (failed) { PyErr_NoMemory(); goto done; }
    if (top) {
        result = Py_BuildValue(
            "(y#y#y#)", (const char *)out, (Py_ssize_t)(rows * k * (Py_ssize_t)sizeof(float)), (const char *)best,
            (Py_ssize_t)(rows * k * top * (Py_ssize_t)sizeof(float)), (const char *)span,
            (Py_ssize_t)(rows * k * top * 2 * (Py_ssize_t)sizeof(int32_t)));
    } else {
        result = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)(rows * k * (Py_ssize_t)sizeof(float)));
    }
done:
    if (s) scratch_free(s);
    free(out);
    free(best);
    free(span);
    free(acc);
    PyBuffer_Release(&v_off);
    PyBuffer_Release(&v_data);
    PyBuffer_Release(&v_w);
    if (v_skip.buf) PyBuffer_Release(&v_skip);
    return result;
}

static PyMethodDef methods[] = {
    {"hashed", hashed, METH_VARARGS, "hashed(offsets, data, bits) -> (indptr, indices, values) bytes of a CSR matrix"},
    {"project", project, METH_VARARGS,
     "project(offsets, data, bits, weights, k[, top[, skip]]) -> float32 bytes, rows x k; with top > 0, also "
     "the top word contributions (float32 rows x k x top) and their character spans (int32 rows x k x top x 2), "
     "leaving out the words whose unigram bucket is set in skip (one byte per bucket)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_features", "Hashed n-gram features.", -1, methods};

PyMODINIT_FUNC PyInit__features(void) {
    PyObject *m = PyModule_Create(&module);
    if (m) {
        PyModule_AddIntConstant(m, "MAX_BYTES", MAX_BYTES);
    }
    return m;
}
