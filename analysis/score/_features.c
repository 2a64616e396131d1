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
 *   project(offsets, data, bits, weights, k) -> scores            the features times a
 *        (2**bits x k) float32 matrix, per text k float32 sums; releases the GIL. The matrix
 *        may also come with its rows padded with zeros to 16 floats (k <= 16): faster.
 *   project_words(offsets, data, bits, weights, k, top, words, skip, bar) -> the same sums, added
 *        word by word, and for each (text, output) whose sum reaches `bar` (NULL: every one) the
 *        distinct words or word pairs, at most `words`, among the `top` that add most to the
 *        sum (a word: its own feature and its char n-grams; a pair: its pair feature; function
 *        words in `skip` left out): the evidence of a hit. Releases the GIL.
 *
 * features.py keeps the references (`hashed_reference`, `top_words_reference`), which tests
 * compare with this code.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_BYTES 20000
#define MIN_N 3
#define MAX_N 5
#define MAX_TOP 16
#define WIDE 16

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
    /* per word of the text: its start and length in bytes, where its unigram is in `word` (its
       bigram with the word before, if any, follows it) and where its char n-grams end in `chr` */
    uint32_t *starts, *lens, *uni, *chr_end;
    Py_ssize_t n_words, cap_starts, cap_lens, cap_uni, cap_chr_end;
    float *shares;    /* project_words: per word, its share and its pair's share of each output */
    Py_ssize_t cap_shares;
    /* find_words: the outputs whose words are ranked, and per output its top shares and spans */
    int *outputs;
    float *best;
    uint32_t *spans;
    uint8_t pad[MAX_BYTES + 2];
} Scratch;

static int grow(void **arr, Py_ssize_t *cap, Py_ssize_t need, size_t size) {
    if (need <= *cap) return 0;
    Py_ssize_t cap2 = *cap ? *cap : 1024;
    while (cap2 < need) cap2 *= 2;
    void *p = realloc(*arr, (size_t)cap2 * size);
    if (!p) return -1;
    *arr = p;
    *cap = cap2;
    return 0;
}

#define FNV_PRIME 16777619u
#define FNV_STEP(h, byte) (((h) ^ (uint8_t)(byte)) * FNV_PRIME)

/* The buckets of one text's features into s->word and s->chr. */
static int featurise(const uint8_t *text, Py_ssize_t len, uint32_t mask, Scratch *s) {
    s->n_word = s->n_chr = s->n_words = 0;
    if (len > MAX_BYTES) {
        len = MAX_BYTES; /* at a character's first byte: no character is cut in two */
        while (len > 0 && (text[len] & 0xC0) == 0x80) len--;
    }
    /* words <= len / 2 + 1; word features <= 2 words; char n-grams <= 3 (len + 2 words) */
    Py_ssize_t most_words = len / 2 + 1;
    if (grow((void **)&s->starts, &s->cap_starts, most_words, sizeof(uint32_t)) ||
        grow((void **)&s->lens, &s->cap_lens, most_words, sizeof(uint32_t)) ||
        grow((void **)&s->uni, &s->cap_uni, most_words, sizeof(uint32_t)) ||
        grow((void **)&s->chr_end, &s->cap_chr_end, most_words, sizeof(uint32_t)))
        return -1;
    if (grow((void **)&s->word, &s->cap_word, 2 * most_words, sizeof(uint32_t))) return -1;
    if (grow((void **)&s->chr, &s->cap_chr, 3 * (len + 2 * most_words), sizeof(uint32_t))) return -1;
    const uint32_t c0 = FNV_STEP(2166136261u, 'c');
    const uint8_t *prev = NULL;
    Py_ssize_t prev_len = 0;
    Py_ssize_t i = 0;
    while (i < len) {
        while (i < len && text[i] == ' ') i++;
        Py_ssize_t start = i;
        while (i < len && text[i] != ' ') i++;
        Py_ssize_t wl = i - start;
        if (wl == 0) break;
        const uint8_t *w = text + start;
        Py_ssize_t n = s->n_words++;
        s->starts[n] = (uint32_t)start;
        s->lens[n] = (uint32_t)wl;
        s->uni[n] = (uint32_t)s->n_word;
        s->word[s->n_word++] = fnv('w', w, wl) & mask;
        if (prev) s->word[s->n_word++] = fnv_pair(prev, prev_len, w, wl) & mask;
        prev = w;
        prev_len = wl;
        /* char n-grams of " word ": all 3-grams, then all 4-grams, then all 5-grams, each
           position's three hashed in one pass (FNV-1a reads the bytes in order) */
        Py_ssize_t pl = wl + 2;
        uint8_t *p = s->pad;
        p[0] = ' ';
        memcpy(p + 1, w, (size_t)wl);
        p[pl - 1] = ' ';
        Py_ssize_t n3 = pl - 2, n4 = pl - 3, n5 = pl > 4 ? pl - 4 : 0;
        uint32_t *c3 = s->chr + s->n_chr, *c4 = c3 + n3, *c5 = c4 + n4;
        for (Py_ssize_t j = 0; j < n3; j++) {
            uint32_t h = FNV_STEP(FNV_STEP(FNV_STEP(c0, p[j]), p[j + 1]), p[j + 2]);
            c3[j] = h & mask;
            if (j < n4) {
                h = FNV_STEP(h, p[j + 3]);
                c4[j] = h & mask;
                if (j < n5) c5[j] = FNV_STEP(h, p[j + 4]) & mask;
            }
        }
        s->n_chr += n3 + n4 + n5;
        s->chr_end[n] = (uint32_t)s->n_chr;
    }
    return 0;
}

/* The weights are 2**bits rows of `width` floats: k (the outputs), or WIDE when k <= WIDE, the
   rows padded with zeros to one 64-byte line each (fewer lines read, and a sum of a constant
   width the compiler unrolls). Either way each output's sum is the same, in the same order. */

/* The features of the text (s, featurised) times the weights into o (k outputs): word
   features, then char n-grams, in order. */
static inline __attribute__((always_inline)) void flat_sums(const Scratch *s, const float *w, int width, float *o) {
    float ww = s->n_word ? (float)(1.0 / sqrt((double)s->n_word)) : 0.0f;
    float wc = s->n_chr ? (float)(1.0 / sqrt((double)s->n_chr)) : 0.0f;
    for (Py_ssize_t j = 0; j < s->n_word; j++) {
        const float *row = w + (Py_ssize_t)s->word[j] * width;
        for (int c = 0; c < width; c++) o[c] += ww * row[c];
    }
    for (Py_ssize_t j = 0; j < s->n_chr; j++) {
        const float *row = w + (Py_ssize_t)s->chr[j] * width;
        for (int c = 0; c < width; c++) o[c] += wc * row[c];
    }
}

static void project_flat(const Scratch *s, const float *w, int width, int k, float *o) {
    if (width == WIDE) {
        float sums[WIDE] = {0};
        flat_sums(s, w, WIDE, sums);
        memcpy(o, sums, (size_t)k * sizeof(float));
    } else {
        flat_sums(s, w, width, o);
    }
}

/* The same sums into o, added word by word: each word's share (its own feature and its char
   n-grams), then its pair's share (the pair feature with the word before), both kept in
   s->shares (per word: `width` word shares, then `width` pair shares). */
static inline __attribute__((always_inline)) void word_sums(Scratch *s, const float *w, int width, float *o) {
    float ww = s->n_word ? (float)(1.0 / sqrt((double)s->n_word)) : 0.0f;
    float wc = s->n_chr ? (float)(1.0 / sqrt((double)s->n_chr)) : 0.0f;
    for (Py_ssize_t i = 0; i < s->n_words; i++) {
        float *share = s->shares + i * 2 * width, *pair = share + width;
        float acc[width];
        const float *row = w + (Py_ssize_t)s->word[s->uni[i]] * width;
        for (int c = 0; c < width; c++) acc[c] = ww * row[c];
        Py_ssize_t from = i ? s->chr_end[i - 1] : 0;
        for (Py_ssize_t j = from; j < (Py_ssize_t)s->chr_end[i]; j++) {
            const float *chr = w + (Py_ssize_t)s->chr[j] * width;
            for (int c = 0; c < width; c++) acc[c] += wc * chr[c];
        }
        for (int c = 0; c < width; c++) {
            share[c] = acc[c];
            o[c] += acc[c];
        }
        if (i) {
            const float *prow = w + (Py_ssize_t)s->word[s->uni[i] + 1] * width;
            for (int c = 0; c < width; c++) pair[c] = ww * prow[c];
            for (int c = 0; c < width; c++) o[c] += pair[c];
        }
    }
}

static int project_by_word(Scratch *s, const float *w, int width, int k, float *o) {
    if (grow((void **)&s->shares, &s->cap_shares, s->n_words * 2 * width, sizeof(float))) return -1;
    if (width == WIDE) {
        float sums[WIDE] = {0};
        word_sums(s, w, WIDE, sums);
        memcpy(o, sums, (size_t)k * sizeof(float));
    } else {
        word_sums(s, w, width, o);
    }
    return 0;
}

/* Keep the `top` largest positive shares, largest first (a stable insertion: the earlier on a
   tie), with their byte spans; best[top - 1] is never negative, so a share above it is positive. */
static inline void keep_top(float *best, uint32_t *span, int top, float value, uint32_t start, uint32_t length) {
    if (!(value > best[top - 1])) return;
    int at = top - 1;
    while (at > 0 && value > best[at - 1]) {
        best[at] = best[at - 1];
        span[2 * at] = span[2 * (at - 1)];
        span[2 * at + 1] = span[2 * (at - 1) + 1];
        at--;
    }
    best[at] = value;
    span[2 * at] = start;
    span[2 * at + 1] = length;
}

/* The words found, as Arrow buffers: per (row, output) kept, its row, its output and where its
   words start in the list of words; per word, where its bytes start in `data`. */
typedef struct {
    int64_t *rows;
    int32_t *outputs;
    int64_t *lists;   /* n_pairs + 1 offsets into the words */
    Py_ssize_t n_pairs, cap_rows, cap_outputs, cap_lists;
    int64_t *strings; /* n_strings + 1 offsets into data */
    Py_ssize_t n_strings, cap_strings;
    uint8_t *data;
    Py_ssize_t n_data, cap_data;
} Found;


/* Per output c of the text (s, by word) whose sum o[c] reaches bar[c] (every output without a
   bar): the distinct words or pairs, at most `words`, among the `top` largest positive shares,
   ranked in one pass over the words for all those outputs. */
static int find_words(Scratch *s, const uint8_t *text, Py_ssize_t r, int width, int k, int top, int words,
                      const float *o, const float *bar, const uint8_t *skip, Found *f) {
    int n = 0;
    for (int c = 0; c < k; c++)
        if (!bar || o[c] >= bar[c]) s->outputs[n++] = c;
    if (!n) return 0;
    memset(s->best, 0, (size_t)n * MAX_TOP * sizeof(float));
    int prev_skipped = 0;
    for (Py_ssize_t i = 0; i < s->n_words; i++) {
        const float *share = s->shares + i * 2 * width, *pair = share + width;
        /* a skipped word (a function word, by its unigram's bucket) is no evidence; a pair is
           when one of its words is not skipped */
        int skipped = skip && skip[s->word[s->uni[i]]];
        if (!skipped)
            for (int j = 0; j < n; j++)
                keep_top(s->best + j * MAX_TOP, s->spans + j * 2 * MAX_TOP, top, share[s->outputs[j]], s->starts[i],
                         s->lens[i]);
        if (i && !(skipped && prev_skipped)) {
            uint32_t start = s->starts[i - 1], length = s->starts[i] + s->lens[i] - s->starts[i - 1];
            for (int j = 0; j < n; j++)
                keep_top(s->best + j * MAX_TOP, s->spans + j * 2 * MAX_TOP, top, pair[s->outputs[j]], start, length);
        }
        prev_skipped = skipped;
    }
    for (int j = 0; j < n; j++) {
        const float *best = s->best + j * MAX_TOP;
        const uint32_t *span = s->spans + j * 2 * MAX_TOP;
        if (!(best[0] > 0.0f)) continue;
        Py_ssize_t first = f->n_strings;
        for (int a = 0; a < top && best[a] > 0.0f && f->n_strings - first < words; a++) {
            const uint8_t *piece = text + span[2 * a];
            uint32_t length = span[2 * a + 1];
            int seen = 0;
            for (Py_ssize_t b = first; b < f->n_strings && !seen; b++)
                seen = f->strings[b + 1] - f->strings[b] == length && !memcmp(f->data + f->strings[b], piece, length);
            if (seen) continue;
            if (grow((void **)&f->data, &f->cap_data, f->n_data + length, 1)) return -1;
            if (grow((void **)&f->strings, &f->cap_strings, f->n_strings + 2, sizeof(int64_t))) return -1;
            memcpy(f->data + f->n_data, piece, length);
            f->n_data += length;
            f->strings[++f->n_strings] = f->n_data;
        }
        Py_ssize_t p = f->n_pairs++;
        if (grow((void **)&f->rows, &f->cap_rows, p + 1, sizeof(int64_t)) ||
            grow((void **)&f->outputs, &f->cap_outputs, p + 1, sizeof(int32_t)) ||
            grow((void **)&f->lists, &f->cap_lists, p + 2, sizeof(int64_t)))
            return -1;
        f->rows[p] = r;
        f->outputs[p] = s->outputs[j];
        f->lists[p + 1] = f->n_strings;
    }
    return 0;
}

static void scratch_free(Scratch *s) {
    free(s->word);
    free(s->chr);
    free(s->starts);
    free(s->lens);
    free(s->uni);
    free(s->chr_end);
    free(s->shares);
    free(s->outputs);
    free(s->best);
    free(s->spans);
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

/* The weights (2**bits x k float32) and, when given, skip (one byte per bucket) and bar (rows
   x k float32) of project and project_words. */
typedef struct {
    Py_buffer off, data, w, skip, bar;
    Py_ssize_t rows;
    int width; /* of a row of weights: k, or WIDE */
} Args;

static void args_release(Args *a) {
    PyBuffer_Release(&a->off);
    PyBuffer_Release(&a->data);
    if (a->w.buf) PyBuffer_Release(&a->w);
    if (a->skip.buf) PyBuffer_Release(&a->skip);
    if (a->bar.buf) PyBuffer_Release(&a->bar);
}

static int args_get(Args *a, PyObject *o_off, PyObject *o_data, int bits, PyObject *o_w, int k, PyObject *o_skip,
                    PyObject *o_bar) {
    memset(a, 0, sizeof(Args));
    if (check_bits(bits)) return -1;
    if (k < 1 || k > 4096) {
        PyErr_SetString(PyExc_ValueError, "k must be between 1 and 4096");
        return -1;
    }
    if (get_buffers(o_off, o_data, &a->off, &a->data, &a->rows)) return -1;
    Py_ssize_t dim = (Py_ssize_t)1 << bits;
    if (PyObject_GetBuffer(o_w, &a->w, PyBUF_SIMPLE) < 0) goto fail;
    if (a->w.len == dim * k * (Py_ssize_t)sizeof(float)) {
        a->width = k;
    } else if (k <= WIDE && a->w.len == dim * WIDE * (Py_ssize_t)sizeof(float)) {
        a->width = WIDE;
    } else {
        PyErr_SetString(PyExc_ValueError, "weights: 2**bits x k float32 values, row-major (or 2**bits x 16 when k <= 16)");
        goto fail;
    }
    if (o_skip != Py_None) {
        if (PyObject_GetBuffer(o_skip, &a->skip, PyBUF_SIMPLE) < 0) goto fail;
        if (a->skip.len != dim) {
            PyErr_SetString(PyExc_ValueError, "skip: one byte per bucket (2**bits)");
            goto fail;
        }
    }
    if (o_bar != Py_None) {
        if (PyObject_GetBuffer(o_bar, &a->bar, PyBUF_SIMPLE) < 0) goto fail;
        if (a->bar.len != a->rows * k * (Py_ssize_t)sizeof(float)) {
            PyErr_SetString(PyExc_ValueError, "bar: rows x k float32 values, row-major");
            goto fail;
        }
    }
    return 0;
fail:
    args_release(a);
    return -1;
}

static PyObject *project(PyObject *self, PyObject *args) {
    PyObject *o_off, *o_data, *o_w;
    int bits, k;
    if (!PyArg_ParseTuple(args, "OOiOi", &o_off, &o_data, &bits, &o_w, &k)) return NULL;
    Args a;
    if (args_get(&a, o_off, o_data, bits, o_w, k, Py_None, Py_None)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t rows = a.rows;
    Scratch *s = calloc(1, sizeof(Scratch));
    float *out = calloc((size_t)(rows ? rows : 1) * (size_t)k, sizeof(float));
    if (!s || !out) { PyErr_NoMemory(); goto done; }
    const int64_t *off = (const int64_t *)a.off.buf;
    const uint8_t *data = (const uint8_t *)a.data.buf;
    const float *w = (const float *)a.w.buf;
    uint32_t mask = ((uint32_t)1 << bits) - 1;
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < rows; r++) {
        if (featurise(data + off[r], off[r + 1] - off[r], mask, s)) { failed = 1; break; }
        project_flat(s, w, a.width, k, out + r * k);
    }
    Py_END_ALLOW_THREADS
    if (failed) { PyErr_NoMemory(); goto done; }
    result = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)(rows * k * (Py_ssize_t)sizeof(float)));
done:
    if (s) scratch_free(s);
    free(out);
    args_release(&a);
    return result;
}

static PyObject *project_words(PyObject *self, PyObject *args) {
    PyObject *o_off, *o_data, *o_w, *o_skip, *o_bar;
    int bits, k, top, words;
    if (!PyArg_ParseTuple(args, "OOiOiiiOO", &o_off, &o_data, &bits, &o_w, &k, &top, &words, &o_skip, &o_bar))
        return NULL;
    if (top < 1 || top > MAX_TOP || words < 1 || words > top) {
        PyErr_SetString(PyExc_ValueError, "top must be between 1 and 16, words between 1 and top");
        return NULL;
    }
    Args a;
    if (args_get(&a, o_off, o_data, bits, o_w, k, o_skip, o_bar)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t rows = a.rows;
    Scratch *s = calloc(1, sizeof(Scratch));
    float *out = calloc((size_t)(rows ? rows : 1) * (size_t)k, sizeof(float));
    Found f = {0};
    if (s) {
        s->outputs = malloc((size_t)k * sizeof(int));
        s->best = malloc((size_t)k * MAX_TOP * sizeof(float));
        s->spans = malloc((size_t)k * 2 * MAX_TOP * sizeof(uint32_t));
    }
    /* every buffer allocated, even when nothing is found: Py_BuildValue makes NULL a None */
    if (!s || !out || !s->outputs || !s->best || !s->spans || grow((void **)&f.rows, &f.cap_rows, 1, sizeof(int64_t)) ||
        grow((void **)&f.outputs, &f.cap_outputs, 1, sizeof(int32_t)) ||
        grow((void **)&f.lists, &f.cap_lists, 1, sizeof(int64_t)) ||
        grow((void **)&f.strings, &f.cap_strings, 1, sizeof(int64_t)) || grow((void **)&f.data, &f.cap_data, 1, 1)) {
        PyErr_NoMemory();
        goto done;
    }
    f.lists[0] = f.strings[0] = 0;
    const int64_t *off = (const int64_t *)a.off.buf;
    const uint8_t *data = (const uint8_t *)a.data.buf;
    const float *w = (const float *)a.w.buf, *bar = (const float *)a.bar.buf;
    const uint8_t *skip = (const uint8_t *)a.skip.buf;
    uint32_t mask = ((uint32_t)1 << bits) - 1;
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < rows; r++) {
        const uint8_t *text = data + off[r];
        float *o = out + r * k;
        if (featurise(text, off[r + 1] - off[r], mask, s) || project_by_word(s, w, a.width, k, o) ||
            find_words(s, text, r, a.width, k, top, words, o, bar ? bar + r * k : NULL, skip, &f)) {
            failed = 1;
            break;
        }
    }
    Py_END_ALLOW_THREADS
    if (failed) { PyErr_NoMemory(); goto done; }
    result = Py_BuildValue(
        "(y#y#y#y#y#y#)", (const char *)out, (Py_ssize_t)(rows * k * (Py_ssize_t)sizeof(float)), (const char *)f.rows,
        (Py_ssize_t)(f.n_pairs * (Py_ssize_t)sizeof(int64_t)), (const char *)f.outputs,
        (Py_ssize_t)(f.n_pairs * (Py_ssize_t)sizeof(int32_t)), (const char *)f.lists,
        (Py_ssize_t)((f.n_pairs + 1) * (Py_ssize_t)sizeof(int64_t)), (const char *)f.strings,
        (Py_ssize_t)((f.n_strings + 1) * (Py_ssize_t)sizeof(int64_t)), (const char *)f.data, f.n_data);
done:
    if (s) scratch_free(s);
    free(out);
    free(f.rows);
    free(f.outputs);
    free(f.lists);
    free(f.strings);
    free(f.data);
    args_release(&a);
    return result;
}

static PyMethodDef methods[] = {
    {"hashed", hashed, METH_VARARGS, "hashed(offsets, data, bits) -> (indptr, indices, values) bytes of a CSR matrix"},
    {"project", project, METH_VARARGS, "project(offsets, data, bits, weights, k) -> float32 bytes, rows x k"},
    {"project_words", project_words, METH_VARARGS,
     "project_words(offsets, data, bits, weights, k, top, words, skip, bar) -> (sums, rows, outputs, lists, "
     "strings, data): the sums (float32 rows x k, added word by word) and, per (row, output) whose sum reaches "
     "bar (float32 rows x k, or None: every one) and has a positive word, its row (int64), output (int32) and "
     "distinct top words (int64 list offsets into the words; int64 string offsets into the UTF-8 data)"},
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
