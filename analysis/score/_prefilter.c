/*
 * analysis.score._prefilter: which texts could match which expression, from required literals.
 *
 * analysis/score/literals.py derives, for each cue expression ("pattern"), requirements that
 * every text it matches meets: each requirement is a set of ASCII literals, one of which occurs
 * in the text (case-insensitively or not), optionally with a word boundary certain before or
 * after it (a literal holds ASCII letters, digits and LITERAL_PUNCTUATION); an expression may
 * have several such lists (entries), one per alternative. This module finds, in one pass over
 * each text's UTF-8 bytes, every literal that occurs (an Aho-Corasick automaton over ASCII whose
 * symbols fold case; a literal with its exact case is checked when found; a non-ASCII character
 * ends every literal), and reports for each expression ("output") the texts that meet all the
 * requirements of one of its entries: the only texts the expression needs to run on.
 *
 * A boundary side rejects an occurrence glued to an ASCII letter, digit or "_" (those are word
 * characters for every regex engine); a non-ASCII neighbour is accepted (it might not be one).
 * Texts with a "bypass" character (one that case-insensitive matching relates to an ASCII
 * letter, such as KELVIN SIGN) are reported for every pattern.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define N_CODEPOINTS 0x110000
#define LEFT 1u
#define RIGHT 2u
/* punctuation a literal may hold besides letters and digits ("U.N.", a quotation mark): the
 * automaton has a symbol for each; it has no case */
#define LITERAL_PUNCTUATION ".\""
#define CASED 4u /* matched with its exact case: the automaton folds case, the scan checks it */

typedef struct {
    int32_t *next;     /* n_states * alpha transitions (complete: failure links folded in), each
                          the target's row offset (state * alpha), or ~state when the target
                          reports a literal: the scan's chain of loads needs no multiplication */
    int32_t *own;      /* state -> first output (index into out_lit), -1 if none */
    int32_t *dict;     /* state -> nearest proper suffix state with outputs, 0 if none */
    int32_t *report;   /* state -> itself if it has outputs, else dict */
    int32_t *out_lit;  /* output node -> literal */
    int32_t *out_next; /* output node -> next output node of the same state, -1 */
    int32_t n_states;
    int32_t alpha;     /* symbols: 0 for any character no literal has, then letters, digits and
                          LITERAL_PUNCTUATION */
    uint8_t sym[128];  /* ASCII character -> symbol */
} Automaton;

typedef struct {
    PyObject_HEAD
    Automaton ac; /* every literal; its symbols fold case, CASED literals are checked when found */
    int32_t n_lit;
    int32_t *lit_len;
    uint8_t *lit_flags;
    char *lit_chars;      /* every literal's text, one after the other (for CASED ones) */
    int32_t *lit_char_off;
    int32_t *lit_req_off; /* literal -> its requirements in lit_reqs */
    int32_t *lit_reqs;
    int32_t n_req;
    int32_t n_pat;        /* entries: each an output and the requirements it needs together */
    int32_t *pat_req_off; /* entry -> its requirements in pat_reqs */
    int32_t *pat_reqs;
    int32_t *pat_out; /* entry -> output */
    int32_t n_out;
    uint8_t *out_filtered; /* output -> has an entry (else it is the caller's to run everywhere) */
    int32_t *trig_off; /* requirement -> entries it triggers (their first requirement) */
    int32_t *trig_pats;
    uint8_t *bypass; /* bitmap over code points */
} Prefilter;

static void automaton_free(Automaton *a)
{
    PyMem_Free(a->next);
    PyMem_Free(a->own);
    PyMem_Free(a->dict);
    PyMem_Free(a->report);
    PyMem_Free(a->out_lit);
    PyMem_Free(a->out_next);
    memset(a, 0, sizeof(*a));
}

/* Build the automaton of the given literals (ASCII letters, digits and LITERAL_PUNCTUATION); its
 * symbols do not tell the cases apart. */
static int automaton_build(Automaton *a, PyObject *const *texts, const int32_t *ids, Py_ssize_t n)
{
    memset(a->sym, 0, sizeof(a->sym));
    int32_t alpha = 1;
    for (int c = 'a'; c <= 'z'; c++)
        a->sym[c] = (uint8_t)alpha++;
    for (int c = 'A'; c <= 'Z'; c++)
        a->sym[c] = a->sym[c + 32];
    for (int c = '0'; c <= '9'; c++)
        a->sym[c] = (uint8_t)alpha++;
    for (const char *c = LITERAL_PUNCTUATION; *c; c++)
        a->sym[(unsigned char)*c] = (uint8_t)alpha++;
    a->alpha = alpha;
    Py_ssize_t total = 1;
    for (Py_ssize_t i = 0; i < n; i++)
        total += PyUnicode_GET_LENGTH(texts[i]);
    if (total > INT32_MAX / alpha) { /* transitions hold state * alpha in an int32 */
        PyErr_SetString(PyExc_ValueError, "too many literal characters for one prefilter");
        return -1;
    }
    a->next = PyMem_Malloc((size_t)total * (size_t)alpha * sizeof(int32_t));
    a->own = PyMem_Malloc((size_t)total * sizeof(int32_t));
    a->dict = PyMem_Malloc((size_t)total * sizeof(int32_t));
    a->out_lit = PyMem_Malloc((size_t)(n + 1) * sizeof(int32_t));
    a->out_next = PyMem_Malloc((size_t)(n + 1) * sizeof(int32_t));
    int32_t *fail = PyMem_Malloc((size_t)total * sizeof(int32_t));
    int32_t *queue = PyMem_Malloc((size_t)total * sizeof(int32_t));
    if (!a->next || !a->own || !a->dict || !a->out_lit || !a->out_next || !fail || !queue) {
        PyMem_Free(fail);
        PyMem_Free(queue);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < total * alpha; k++)
        a->next[k] = -1;
    a->own[0] = -1;
    a->n_states = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = texts[i];
        int kind = PyUnicode_KIND(t);
        const void *data = PyUnicode_DATA(t);
        int32_t s = 0;
        for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(t); j++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, j);
            int32_t *slot = &a->next[(size_t)s * (size_t)alpha + a->sym[c]];
            if (*slot < 0) {
                *slot = a->n_states;
                a->own[a->n_states] = -1;
                a->n_states++;
            }
            s = *slot;
        }
        a->out_lit[i] = ids[i];
        a->out_next[i] = a->own[s];
        a->own[s] = (int32_t)i;
    }
    /* breadth first: failure links, complete transitions, dictionary links */
    Py_ssize_t head = 0, tail = 0;
    fail[0] = 0;
    a->dict[0] = 0;
    for (int c = 0; c < alpha; c++) {
        int32_t v = a->next[c];
        if (v < 0) {
            a->next[c] = 0;
        }
        else {
            fail[v] = 0;
            a->dict[v] = 0;
            queue[tail++] = v;
        }
    }
    while (head < tail) {
        int32_t u = queue[head++];
        for (int c = 0; c < alpha; c++) {
            int32_t *slot = &a->next[(size_t)u * (size_t)alpha + c];
            int32_t via = a->next[(size_t)fail[u] * (size_t)alpha + c];
            if (*slot < 0) {
                *slot = via;
            }
            else {
                int32_t v = *slot;
                fail[v] = via;
                a->dict[v] = a->own[via] >= 0 ? via : a->dict[via];
                queue[tail++] = v;
            }
        }
    }
    PyMem_Free(fail);
    PyMem_Free(queue);
    a->report = PyMem_Malloc((size_t)a->n_states * sizeof(int32_t));
    if (!a->report) {
        PyErr_NoMemory();
        return -1;
    }
    for (int32_t v = 0; v < a->n_states; v++)
        a->report[v] = a->own[v] >= 0 ? v : a->dict[v];
    /* transitions as row offsets; into a state that reports something as ~state (negative):
     * the scan looks at `report` only then (the root, offset 0, never reports) */
    for (Py_ssize_t k = 0; k < (Py_ssize_t)a->n_states * alpha; k++) {
        int32_t v = a->next[k];
        a->next[k] = a->report[v] ? ~v : v * alpha;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */

static void Prefilter_dealloc(Prefilter *p)
{
    automaton_free(&p->ac);
    PyMem_Free(p->lit_len);
    PyMem_Free(p->lit_flags);
    PyMem_Free(p->lit_chars);
    PyMem_Free(p->lit_char_off);
    PyMem_Free(p->lit_req_off);
    PyMem_Free(p->lit_reqs);
    PyMem_Free(p->pat_req_off);
    PyMem_Free(p->pat_reqs);
    PyMem_Free(p->pat_out);
    PyMem_Free(p->out_filtered);
    PyMem_Free(p->trig_off);
    PyMem_Free(p->trig_pats);
    PyMem_Free(p->bypass);
    Py_TYPE(p)->tp_free((PyObject *)p);
}

/* Read a sequence of sequences of ints into CSR form (offsets n+1, values). */
static int read_csr(PyObject *obj, const char *what, int32_t limit, int32_t **off, int32_t **vals,
                    int32_t *n_out)
{
    PyObject *seq = PySequence_Fast(obj, what);
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t k = PySequence_Size(PySequence_Fast_GET_ITEM(seq, i));
        if (k < 0) {
            Py_DECREF(seq);
            return -1;
        }
        total += k;
    }
    *off = PyMem_Malloc((size_t)(n + 1) * sizeof(int32_t));
    *vals = PyMem_Malloc((size_t)(total + 1) * sizeof(int32_t));
    if (!*off || !*vals) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t pos = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        (*off)[i] = (int32_t)pos;
        PyObject *inner = PySequence_Fast(PySequence_Fast_GET_ITEM(seq, i), what);
        if (!inner) {
            Py_DECREF(seq);
            return -1;
        }
        for (Py_ssize_t j = 0; j < PySequence_Fast_GET_SIZE(inner); j++) {
            long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(inner, j));
            if (v == -1 && PyErr_Occurred()) {
                Py_DECREF(inner);
                Py_DECREF(seq);
                return -1;
            }
            if (v < 0 || v >= limit) {
                PyErr_Format(PyExc_ValueError, "%s: %ld is out of range", what, v);
                Py_DECREF(inner);
                Py_DECREF(seq);
                return -1;
            }
            (*vals)[pos++] = (int32_t)v;
        }
        Py_DECREF(inner);
    }
    (*off)[n] = (int32_t)pos;
    *n_out = (int32_t)n;
    Py_DECREF(seq);
    return 0;
}

static PyObject *Prefilter_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"literals", "n_requirements", "entries", "outputs", "n_outputs", "bypass", NULL};
    PyObject *literals, *patterns, *outputs, *bypass;
    int n_req, n_out;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OiOOiU:Prefilter", kwlist, &literals, &n_req,
                                     &patterns, &outputs, &n_out, &bypass))
        return NULL;
    if (n_out < 0) {
        PyErr_SetString(PyExc_ValueError, "n_outputs must be >= 0");
        return NULL;
    }
    if (n_req < 0) {
        PyErr_SetString(PyExc_ValueError, "n_requirements must be >= 0");
        return NULL;
    }
    Prefilter *p = (Prefilter *)type->tp_alloc(type, 0);
    if (!p)
        return NULL;
    PyObject *seq = NULL;
    PyObject **texts = NULL;
    int32_t *ids = NULL;
    PyObject *req_lists = NULL;
    p->n_req = n_req;

    /* literals: (text, case_insensitive, flags, [requirement ids]) */
    seq = PySequence_Fast(literals, "literals must be a sequence");
    if (!seq)
        goto fail;
    Py_ssize_t n_lit = PySequence_Fast_GET_SIZE(seq);
    p->n_lit = (int32_t)n_lit;
    p->lit_len = PyMem_Malloc((size_t)(n_lit + 1) * sizeof(int32_t));
    p->lit_flags = PyMem_Malloc((size_t)(n_lit + 1));
    p->lit_char_off = PyMem_Calloc((size_t)(n_lit + 1), sizeof(int32_t));
    if (!p->lit_char_off) {
        PyErr_NoMemory();
        goto fail;
    }
    texts = PyMem_Malloc((size_t)(n_lit + 1) * sizeof(PyObject *));
    ids = PyMem_Malloc((size_t)(n_lit + 1) * sizeof(int32_t));
    req_lists = PyList_New(n_lit);
    if (!p->lit_len || !p->lit_flags || !texts || !ids || !req_lists) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n_lit; i++) {
        PyObject *text, *reqs;
        int ci, flags;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "UpiO:literal", &text, &ci, &flags,
                              &reqs))
            goto fail;
        if (!PyUnicode_IS_ASCII(text) || PyUnicode_GET_LENGTH(text) == 0) {
            PyErr_SetString(PyExc_ValueError, "literals must be non-empty ASCII");
            goto fail;
        }
        for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(text); j++) {
            Py_UCS4 c = PyUnicode_READ_CHAR(text, j);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (!ci && c >= 'A' && c <= 'Z') ||
                  (c != 0 && strchr(LITERAL_PUNCTUATION, (int)c) != NULL))) {
                PyErr_SetString(PyExc_ValueError,
                                "literals are ASCII letters, digits (lower case when case-insensitive), "
                                "'.' and '\"'");
                goto fail;
            }
        }
        p->lit_len[i] = (int32_t)PyUnicode_GET_LENGTH(text);
        p->lit_flags[i] = (uint8_t)((flags & (LEFT | RIGHT)) | (ci ? 0 : CASED));
        {
            int32_t at = p->lit_char_off[i];
            char *grown = PyMem_Realloc(p->lit_chars, (size_t)at + (size_t)p->lit_len[i] + 1);
            if (!grown) {
                PyErr_NoMemory();
                goto fail;
            }
            p->lit_chars = grown;
            memcpy(p->lit_chars + at, PyUnicode_DATA(text), (size_t)p->lit_len[i]);
            p->lit_char_off[i + 1] = at + p->lit_len[i];
        }
        texts[i] = text;
        ids[i] = (int32_t)i;
        Py_INCREF(reqs);
        PyList_SET_ITEM(req_lists, i, reqs);
    }
    int32_t n_dummy;
    if (read_csr(req_lists, "literal requirements", n_req, &p->lit_req_off, &p->lit_reqs, &n_dummy) < 0)
        goto fail;
    if (read_csr(patterns, "entries", n_req, &p->pat_req_off, &p->pat_reqs, &p->n_pat) < 0)
        goto fail;
    p->n_out = n_out;
    p->pat_out = PyMem_Malloc(((size_t)p->n_pat + 1) * sizeof(int32_t));
    p->out_filtered = PyMem_Calloc((size_t)n_out + 1, 1);
    if (!p->pat_out || !p->out_filtered) {
        PyErr_NoMemory();
        goto fail;
    }
    {
        PyObject *outs = PySequence_Fast(outputs, "outputs must be a sequence");
        if (!outs)
            goto fail;
        if (PySequence_Fast_GET_SIZE(outs) != p->n_pat) {
            Py_DECREF(outs);
            PyErr_SetString(PyExc_ValueError, "one output per entry");
            goto fail;
        }
        for (int32_t q = 0; q < p->n_pat; q++) {
            long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(outs, q));
            if (v < 0 || v >= n_out) {
                Py_DECREF(outs);
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "output out of range");
                goto fail;
            }
            if (p->pat_req_off[q + 1] == p->pat_req_off[q]) {
                Py_DECREF(outs);
                PyErr_SetString(PyExc_ValueError, "an entry needs at least one requirement");
                goto fail;
            }
            p->pat_out[q] = (int32_t)v;
            p->out_filtered[v] = 1;
        }
        Py_DECREF(outs);
    }
    if (automaton_build(&p->ac, texts, ids, n_lit) < 0)
        goto fail;

    /* triggers: each pattern is looked at when its first requirement is met */
    p->trig_off = PyMem_Calloc((size_t)n_req + 2, sizeof(int32_t));
    p->trig_pats = PyMem_Malloc(((size_t)p->n_pat + 1) * sizeof(int32_t));
    if (!p->trig_off || !p->trig_pats) {
        PyErr_NoMemory();
        goto fail;
    }
    for (int32_t q = 0; q < p->n_pat; q++)
        if (p->pat_req_off[q + 1] > p->pat_req_off[q])
            p->trig_off[p->pat_reqs[p->pat_req_off[q]] + 1]++;
    for (int32_t r = 0; r < n_req; r++)
        p->trig_off[r + 1] += p->trig_off[r];
    {
        int32_t *fill = PyMem_Calloc((size_t)n_req + 1, sizeof(int32_t));
        if (!fill) {
            PyErr_NoMemory();
            goto fail;
        }
        for (int32_t q = 0; q < p->n_pat; q++) {
            if (p->pat_req_off[q + 1] > p->pat_req_off[q]) {
                int32_t r = p->pat_reqs[p->pat_req_off[q]];
                p->trig_pats[p->trig_off[r] + fill[r]++] = q;
            }
        }
        PyMem_Free(fill);
    }

    p->bypass = PyMem_Calloc(N_CODEPOINTS / 8, 1);
    if (!p->bypass) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(bypass); i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(bypass, i);
        p->bypass[c >> 3] |= (uint8_t)(1u << (c & 7));
    }
    Py_DECREF(seq);
    Py_DECREF(req_lists);
    PyMem_Free(texts);
    PyMem_Free(ids);
    return (PyObject *)p;
fail:
    Py_XDECREF(seq);
    Py_XDECREF(req_lists);
    PyMem_Free(texts);
    PyMem_Free(ids);
    Py_DECREF(p);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */

typedef struct {
    int32_t *v;
    Py_ssize_t n, cap;
} Pairs; /* (pattern, row) */

static int pairs_push(Pairs *x, int32_t pattern, int32_t row)
{
    if (x->n + 2 > x->cap) {
        Py_ssize_t cap = x->cap ? 2 * x->cap : 1 << 16;
        int32_t *v = PyMem_RawRealloc(x->v, (size_t)cap * sizeof(int32_t));
        if (!v)
            return -1;
        x->v = v;
        x->cap = cap;
    }
    x->v[x->n++] = pattern;
    x->v[x->n++] = row;
    return 0;
}

static inline int ascii_word(Py_UCS4 c)
{
    return c < 128 && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_');
}

typedef struct {
    uint64_t *bits; /* requirement bitset */
    int32_t *touched;
    int32_t n_touched;
    int32_t *last_row; /* output -> the last row it was reported for */
    int32_t *lit_row;  /* literal -> the last row it was met in */
} RowState;

/* Outputs are reported as output * stride + variant: with stride 2 (scan), variant 1 marks a row
 * that is not "plain" (see scan); with stride 1 (candidates) there is one variant. */
static inline int emit(RowState *st, Pairs *out, int32_t o, int32_t row, int stride,
                       int variant)
{
    if (st->last_row[o] == row)
        return 0;
    st->last_row[o] = row;
    return pairs_push(out, o * stride + variant, row);
}

static inline void meet(const Prefilter *p, RowState *st, int32_t lit)
{
    for (int32_t k = p->lit_req_off[lit]; k < p->lit_req_off[lit + 1]; k++) {
        int32_t r = p->lit_reqs[k];
        uint64_t bit = (uint64_t)1 << (r & 63);
        if (!(st->bits[r >> 6] & bit)) {
            st->bits[r >> 6] |= bit;
            st->touched[st->n_touched++] = r;
        }
    }
}

/* Decode one UTF-8 character of s[*pos..len) and step over it. */
static inline uint32_t utf8_next(const uint8_t *s, Py_ssize_t *pos, Py_ssize_t len)
{
    uint32_t c = s[*pos];
    Py_ssize_t k = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (*pos + k > len) /* cut short: not UTF-8 (Arrow strings always are); one byte, read no further */
        k = 1;
    switch (k) {
    case 2:
        c = ((c & 0x1F) << 6) | (s[*pos + 1] & 0x3F);
        break;
    case 3:
        c = ((c & 0x0F) << 12) | ((uint32_t)(s[*pos + 1] & 0x3F) << 6) | (s[*pos + 2] & 0x3F);
        break;
    case 4:
        c = ((c & 0x07) << 18) | ((uint32_t)(s[*pos + 1] & 0x3F) << 12) | ((uint32_t)(s[*pos + 2] & 0x3F) << 6) |
            (s[*pos + 3] & 0x3F);
        break;
    default:
        break;
    }
    *pos += k;
    return c;
}

/* One text as UTF-8 bytes: report each output whose entry's requirements it all meets. A
 * non-ASCII character (its bytes are all >= 0x80) ends every literal and is no ASCII word
 * character on either side of one. */
static int scan_text(const Prefilter *p, RowState *st, const uint8_t *text, Py_ssize_t n, int32_t row,
                     Pairs *out, int stride, int variant)
{
    const Automaton *a = &p->ac;
    const int32_t *next = a->next;
    const uint8_t *sym = a->sym;
    int32_t s = 0; /* the state's row offset */
    st->n_touched = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t c = text[i];
        if (c >= 128) {
            Py_ssize_t at = i;
            c = utf8_next(text, &at, n);
            if (c < N_CODEPOINTS && (p->bypass[c >> 3] & (1u << (c & 7)))) {
                for (int32_t o = 0; o < p->n_out; o++)
                    if (p->out_filtered[o] && emit(st, out, o, row, stride, variant) < 0)
                        return -1;
                for (int32_t t = 0; t < st->n_touched; t++)
                    st->bits[st->touched[t] >> 6] = 0;
                st->n_touched = 0;
                return 0;
            }
            s = 0;
            i = at - 1;
            continue;
        }
        int32_t v = next[s + sym[c]]; /* symbol 0 (in no literal) leads back to the root */
        if (v >= 0) {
            s = v;
            continue;
        }
        const int32_t state = ~v;
        s = state * a->alpha;
        /* every literal found here ends here: the character after decides RIGHT for all */
        const int right_ok = !(i + 1 < n && ascii_word(text[i + 1]));
        int32_t t = a->report[state];
        while (t) {
            for (int32_t o = a->own[t]; o >= 0; o = a->out_next[o]) {
                int32_t lit = a->out_lit[o];
                Py_ssize_t start = i - p->lit_len[lit] + 1;
                uint8_t f = p->lit_flags[lit];
                if ((f & LEFT) && start > 0 && ascii_word(text[start - 1]))
                    continue;
                if ((f & RIGHT) && !right_ok)
                    continue;
                if (f & CASED) {
                    const char *want = p->lit_chars + p->lit_char_off[lit];
                    int same = 1;
                    for (int32_t j = 0; same && j < p->lit_len[lit]; j++)
                        same = text[start + j] == (uint8_t)want[j];
                    if (!same)
                        continue;
                }
                if (st->lit_row[lit] != row) { /* a literal met again changes nothing */
                    st->lit_row[lit] = row;
                    meet(p, st, lit);
                }
            }
            t = a->dict[t];
        }
    }
    /* patterns whose first requirement is met: are all the others met too? */
    for (int32_t t = 0; t < st->n_touched; t++) {
        int32_t r = st->touched[t];
        for (int32_t k = p->trig_off[r]; k < p->trig_off[r + 1]; k++) {
            int32_t q = p->trig_pats[k];
            int all = 1;
            for (int32_t j = p->pat_req_off[q] + 1; all && j < p->pat_req_off[q + 1]; j++) {
                int32_t r2 = p->pat_reqs[j];
                all = (st->bits[r2 >> 6] >> (r2 & 63)) & 1;
            }
            if (all && emit(st, out, p->pat_out[q], row, stride, variant) < 0)
                return -1;
        }
    }
    for (int32_t t = 0; t < st->n_touched; t++)
        st->bits[st->touched[t] >> 6] = 0;
    return 0;
}

static int row_state_init(const Prefilter *p, RowState *st)
{
    size_t words = ((size_t)p->n_req + 63) / 64 + 1;
    st->bits = PyMem_RawCalloc(words, sizeof(uint64_t));
    st->touched = PyMem_RawMalloc(((size_t)p->n_req + 1) * sizeof(int32_t));
    st->n_touched = 0;
    st->last_row = PyMem_RawMalloc(((size_t)p->n_out + 1) * sizeof(int32_t));
    st->lit_row = PyMem_RawMalloc(((size_t)p->n_lit + 1) * sizeof(int32_t));
    if (!st->bits || !st->touched || !st->last_row || !st->lit_row)
        return -1;
    for (int32_t o = 0; o < p->n_out; o++)
        st->last_row[o] = -1;
    for (int32_t l = 0; l < p->n_lit; l++)
        st->lit_row[l] = -1;
    return 0;
}

static void row_state_free(RowState *st)
{
    PyMem_RawFree(st->bits);
    PyMem_RawFree(st->touched);
    PyMem_RawFree(st->last_row);
    PyMem_RawFree(st->lit_row);
}

/* The (output, row) pairs sorted by output: int64 offsets (n_outputs + 1) and int32 rows. */
static PyObject *sorted_pairs(const Pairs *pairs, int32_t n_outputs)
{
    Py_ssize_t m = pairs->n / 2;
    PyObject *offsets = PyBytes_FromStringAndSize(NULL, ((Py_ssize_t)n_outputs + 1) * (Py_ssize_t)sizeof(int64_t));
    PyObject *rows = PyBytes_FromStringAndSize(NULL, m * (Py_ssize_t)sizeof(int32_t));
    PyObject *result = NULL;
    if (offsets && rows) {
        int64_t *off = (int64_t *)PyBytes_AS_STRING(offsets);
        int32_t *r = (int32_t *)PyBytes_AS_STRING(rows);
        memset(off, 0, ((size_t)n_outputs + 1) * sizeof(int64_t));
        for (Py_ssize_t k = 0; k < m; k++)
            off[pairs->v[2 * k] + 1]++;
        for (int32_t q = 0; q < n_outputs; q++)
            off[q + 1] += off[q];
        int64_t *fill = PyMem_Calloc((size_t)n_outputs + 1, sizeof(int64_t));
        if (fill) {
            for (Py_ssize_t k = 0; k < m; k++) {
                int32_t q = pairs->v[2 * k];
                r[off[q] + fill[q]++] = pairs->v[2 * k + 1];
            }
            PyMem_Free(fill);
            result = PyTuple_Pack(2, offsets, rows);
        }
        else {
            PyErr_NoMemory();
        }
    }
    Py_XDECREF(offsets);
    Py_XDECREF(rows);
    return result;
}

static PyObject *Prefilter_candidates(Prefilter *p, PyObject *texts)
{
    PyObject *tuple = PySequence_Tuple(texts);
    if (!tuple)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    if (n > INT32_MAX) {
        Py_DECREF(tuple);
        PyErr_SetString(PyExc_OverflowError, "too many texts for one call");
        return NULL;
    }
    /* each text as UTF-8 (lone surrogates kept as their three bytes: non-ASCII like any other) */
    PyObject *encoded = PyTuple_New(n);
    if (!encoded) {
        Py_DECREF(tuple);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyTuple_GET_ITEM(tuple, i);
        if (!PyUnicode_Check(t)) {
            PyErr_Format(PyExc_TypeError, "texts[%zd] must be str, not %.100s", i, Py_TYPE(t)->tp_name);
            Py_DECREF(encoded);
            Py_DECREF(tuple);
            return NULL;
        }
        PyObject *bytes = PyUnicode_AsEncodedString(t, "utf-8", "surrogatepass");
        if (!bytes) {
            Py_DECREF(encoded);
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(encoded, i, bytes);
    }
    Py_DECREF(tuple);
    RowState st;
    Pairs pairs = {0};
    int rc = row_state_init(p, &st) == 0 ? 0 : -1;
    if (rc == 0) {
        PyThreadState *ts = PyEval_SaveThread();
        for (Py_ssize_t i = 0; i < n && rc == 0; i++) {
            PyObject *b = PyTuple_GET_ITEM(encoded, i);
            rc = scan_text(p, &st, (const uint8_t *)PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b), (int32_t)i, &pairs,
                           1, 0);
        }
        PyEval_RestoreThread(ts);
    }
    row_state_free(&st);
    Py_DECREF(encoded);
    if (rc != 0) {
        PyMem_RawFree(pairs.v);
        return PyErr_NoMemory();
    }
    PyObject *result = sorted_pairs(&pairs, p->n_out);
    PyMem_RawFree(pairs.v);
    return result;
}

#define STAND_IN_KEEP 0x00
#define STAND_IN_KEEP_CLASSED 0xFF

static PyObject *Prefilter_scan(Prefilter *p, PyObject *args)
{
    Py_buffer off_buf = {0}, data_buf = {0}, table_buf = {0};
    Py_ssize_t first, n;
    if (!PyArg_ParseTuple(args, "y*y*nny*:scan", &off_buf, &data_buf, &first, &n, &table_buf))
        return NULL;
    PyObject *result = NULL, *pairs_out = NULL, *mapped_off = NULL, *mapped = NULL, *flags = NULL;
    RowState st = {0};
    Pairs pairs = {0};
    const int64_t *off = (const int64_t *)off_buf.buf;
    const uint8_t *data = (const uint8_t *)data_buf.buf;
    const uint8_t *table = (const uint8_t *)table_buf.buf;
    if (n < 0 || n > INT32_MAX || first < 0 || (first + n + 1) * (Py_ssize_t)sizeof(int64_t) > off_buf.len) {
        PyErr_SetString(PyExc_ValueError, "offsets too short for the rows");
        goto done;
    }
    if (table_buf.len != N_CODEPOINTS) {
        PyErr_SetString(PyExc_ValueError, "the stand-in table needs one byte per code point");
        goto done;
    }
    int64_t base = off[first], end = off[first + n];
    if (base < 0 || end < base || end > data_buf.len) {
        PyErr_SetString(PyExc_ValueError, "offsets out of the data");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (off[first + i + 1] < off[first + i]) {
            PyErr_SetString(PyExc_ValueError, "offsets must not decrease");
            goto done;
        }
    }
    mapped_off = PyBytes_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    mapped = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(end - base));
    flags = PyBytes_FromStringAndSize(NULL, n);
    if (!mapped_off || !mapped || !flags || row_state_init(p, &st) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t *moff = (int64_t *)PyBytes_AS_STRING(mapped_off);
    uint8_t *mout = (uint8_t *)PyBytes_AS_STRING(mapped);
    uint8_t *fl = (uint8_t *)PyBytes_AS_STRING(flags);
    int rc = 0;
    int64_t w = 0;
    PyThreadState *ts = PyEval_SaveThread();
    for (Py_ssize_t i = 0; i < n && rc == 0; i++) {
        const uint8_t *s = data + off[first + i];
        Py_ssize_t len = (Py_ssize_t)(off[first + i + 1] - off[first + i]);
        Py_ssize_t pos = 0;
        int classed = 0, replaced = 0;
        const int64_t row_start = w;
        moff[i] = w;
        while (pos < len) {
            /* a run of ASCII bytes, eight at a time where it can, is copied as it is */
            Py_ssize_t run = pos;
            uint64_t word;
            while (run + 8 <= len && (memcpy(&word, s + run, 8), !(word & UINT64_C(0x8080808080808080))))
                run += 8;
            while (run < len && s[run] < 0x80)
                run++;
            if (run > pos) {
                memcpy(mout + w, s + pos, (size_t)(run - pos));
                w += run - pos;
                pos = run;
                if (pos >= len)
                    break;
            }
            Py_ssize_t at = pos;
            uint32_t c = utf8_next(s, &pos, len);
            if (c >= 0x80 && c < N_CODEPOINTS) {
                uint8_t t = table[c];
                if (t == STAND_IN_KEEP_CLASSED) {
                    classed = 1;
                }
                else if (t != STAND_IN_KEEP) {
                    replaced = 1;
                    mout[w++] = t;
                    continue;
                }
            }
            memcpy(mout + w, s + at, (size_t)(pos - at));
            w += pos - at;
        }
        fl[i] = (uint8_t)(classed | (replaced << 1));
        rc = scan_text(p, &st, mout + row_start, (Py_ssize_t)(w - row_start), (int32_t)i, &pairs, 2, classed);
    }
    moff[n] = w;
    PyEval_RestoreThread(ts);
    if (rc != 0) {
        PyErr_NoMemory();
        goto done;
    }
    if (_PyBytes_Resize(&mapped, (Py_ssize_t)w) < 0)
        goto done;
    pairs_out = sorted_pairs(&pairs, 2 * p->n_out);
    if (!pairs_out)
        goto done;
    result = Py_BuildValue("(OOOOO)", PyTuple_GET_ITEM(pairs_out, 0), PyTuple_GET_ITEM(pairs_out, 1), mapped_off,
                           mapped, flags);
done:
    Py_XDECREF(pairs_out);
    Py_XDECREF(mapped_off);
    Py_XDECREF(mapped);
    Py_XDECREF(flags);
    row_state_free(&st);
    PyMem_RawFree(pairs.v);
    PyBuffer_Release(&off_buf);
    PyBuffer_Release(&data_buf);
    PyBuffer_Release(&table_buf);
    return result;
}

static PyMethodDef Prefilter_methods[] = {
    {"candidates", (PyCFunction)Prefilter_candidates, METH_O,
     "candidates(texts) -> (offsets, rows): for output o, the rows (indexes into texts, int32, "
     "ascending) rows[offsets[o]:offsets[o + 1]] (int64 offsets) meet all the requirements of "
     "one of its entries. Outputs without entries get no rows: they are the caller's to run "
     "everywhere."},
    {"scan", (PyCFunction)Prefilter_scan, METH_VARARGS,
     "scan(offsets, data, first, n, table) -> (offsets, rows, mapped_offsets, mapped, flags): the "
     "rows first..first+n-1 of an Arrow large_string array (int64 offsets, UTF-8 data) with "
     "their stand-ins put in (table: one byte per code point, 0 keep, 255 keep a character of "
     "a class (\\w, \\d, \\s), else its ASCII stand-in) as a new array (mapped_offsets, mapped), "
     "flags per row (1: keeps a classed non-ASCII character, 2: has a stand-in), and the "
     "candidates of the mapped texts as `candidates` gives them, output o of row r reported as "
     "2 * o + (flags[r] & 1)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject PrefilterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "analysis.score._prefilter.Prefilter",
    .tp_basicsize = sizeof(Prefilter),
    .tp_dealloc = (destructor)Prefilter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Prefilter(literals, n_requirements, entries, outputs, n_outputs, bypass): literals "
              "are (text, case_insensitive, flags (1: boundary before, 2: after), requirement "
              "ids); entries are lists of requirement ids that must all be met, outputs[k] the "
              "output entry k reports; bypass: characters that make a text a candidate for "
              "every output that has entries.",
    .tp_methods = Prefilter_methods,
    .tp_new = Prefilter_new,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "analysis.score._prefilter",
    .m_doc = "Literal prefilter for the cue expressions (see analysis.score.literals).",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__prefilter(void)
{
    if (PyType_Ready(&PrefilterType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    Py_INCREF(&PrefilterType);
    if (PyModule_AddObject(m, "Prefilter", (PyObject *)&PrefilterType) < 0) {
        Py_DECREF(&PrefilterType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
