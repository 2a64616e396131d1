/*
 * readerpulse.score._vader: VADER polarity scores in C, equal to vaderSentiment 3.3.2.
 *
 * The Python package (vaderSentiment/vaderSentiment.py, SentimentIntensityAnalyzer) is the
 * specification. Every rule below is that code's rule, quirks included, done with the same
 * double arithmetic in the same order, so the four scores come out bit-identical:
 *
 *   - emoji pass: each code point that is a key of the emoji lexicon is replaced by its
 *     description, with one ' ' before it unless the previous character was ' ' (only U+0020
 *     counts as a space there);
 *   - SentiText: str.split() on Python's whitespace (Py_UNICODE_ISSPACE), each token stripped of
 *     string.punctuation unless the stripped token has <= 2 code points; is_cap_diff from
 *     str.isupper() over the tokens;
 *   - per token: booster words and "kind of" score 0; lexicon words get the lexicon valence,
 *     the "no" rules, ALL-CAPS emphasis, the three scalar/negation windows (with "never so/this"
 *     and "without doubt"), the special idioms at window 2, and the "least" rule;
 *   - "but": the package's list.index() loop, mirrored exactly;
 *   - score_valence: sum, "!"/"?" emphasis counted over the whole (emoji-replaced) text,
 *     normalize with alpha 15, the pos/neg/neu shares, and round(x, 3) / round(x, 4) done
 *     exactly as Python's float.__round__ does (correctly rounded, ties to even).
 *
 * No Python object is made per token, and scoring needs no GIL. ASCII tokens (nearly all) are
 * lowered inline; a token with a non-ASCII code point gets str.lower() and str.isupper() exactly
 * as CPython 3.11 computes them, from CPython's own Unicode database functions (full case
 * mapping, final sigma: see lower_token; tested against str over every code point).
 *
 * Lookups: one open-addressing hash table ("vocabulary") over the lowered forms of every lexicon
 * key, booster key, negation word, special-case word and the few words the rules name; each entry
 * carries the lexicon valence, the booster scalar and the negation flag. n-gram checks compare
 * vocabulary ids, which is the same as comparing the package's space-joined strings because
 * tokens never contain whitespace.
 *
 * Python's sum() of the sentiments is plain left-to-right double addition on 3.11 (int items
 * are small integers and add exactly), which is what this file does. Python 3.12 changed sum()
 * of floats to compensated summation; the project requires Python 3.11.
 *
 * Compile without floating-point contraction (-ffp-contract=off, also set below): a fused
 * multiply-add would round differently from Python's separate multiply and add.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#if PY_VERSION_HEX >= 0x030C0000
#error "readerpulse.score._vader mirrors CPython 3.11's sum(); Python 3.12 changed float sum() (see top of file)"
#endif

/* vaderSentiment 3.3.2 constants (the module's and the ones written inline in its code) */
#define C_INCR 0.733
#define N_SCALAR (-0.74)

/* ------------------------------------------------------------------------------------------ */
/* Vocabulary                                                                                  */

#define F_LEX 1u
#define F_BOOST 2u
#define F_NEGATE 4u
#define F_NGRAM 8u /* a word of a multi-word SPECIAL_CASES or BOOSTER_DICT key */

typedef struct {
    Py_UCS4 *key; /* PyMem_Malloc'd */
    Py_ssize_t len;
    uint64_t hash;
    double lex;
    double boost;
    unsigned flags;
} Entry;

#define NGRAM_MAX 8
typedef struct {
    int n;
    int32_t ids[NGRAM_MAX];
    double value;
} NGram;

typedef struct {
    Py_UCS4 *text; /* PyMem_Malloc'd */
    Py_ssize_t len;
    Py_ssize_t n_excl, n_quest;
} Emoji;

typedef struct {
    Py_ssize_t off, len; /* lowered form in Work.low */
    Py_ssize_t ostart, oend; /* code points of the text the piece came from (when tracked) */
    int32_t e;           /* vocabulary entry, or -1 */
    uint8_t upper;       /* word.isupper() */
    uint8_t neg;         /* negated([word.lower()]) */
    uint8_t ng;          /* a word of some multi-word key (F_NGRAM) */
} Tok;

typedef struct {
    Py_UCS4 *buf;
    Py_ssize_t buf_cap;
    Py_UCS4 *low;
    Py_ssize_t low_cap;
    Tok *toks;
    double *sent;
    Py_ssize_t tok_cap;
    /* tracking (score_sentences): per code point of buf, the text's code point it came from;
     * per code point j of the text, the '!' and '?' of the emoji-replaced text before it */
    Py_ssize_t *orig;
    Py_ssize_t orig_cap;
    Py_ssize_t *cum_excl, *cum_quest;
    Py_ssize_t cum_cap;
} Work;

typedef struct {
    uint32_t tag; /* high half of the entry's hash */
    int32_t e;    /* entry, or -1 for an empty slot */
} Slot;

typedef struct {
    PyObject_HEAD
    Entry *entries;
    Py_ssize_t n_entries, cap_entries;
    Slot *slots;
    size_t slot_mask;
    /* ids of the words the rules name */
    int32_t w_kind, w_of, w_no, w_or, w_nor, w_never, w_so, w_this, w_without, w_doubt,
        w_least, w_at, w_very, w_but;
    NGram *special; /* SPECIAL_CASES keys of two or more words */
    int n_special;
    NGram *boost_ngrams; /* BOOSTER_DICT keys of two or more words */
    int n_boost_ngrams;
    /* emoji lexicon: single-code-point keys only (a one-character string matches no other) */
    uint8_t *emoji_bits; /* bitmap over 0..0x10FFFF */
    Py_UCS4 emoji_min;
    Py_UCS4 *emoji_keys;
    int32_t *emoji_slots;
    size_t emoji_mask;
    Emoji *emojis;
    Py_ssize_t n_emojis;
    Work work; /* reused by polarity_scores(); many() uses its own */
    int work_busy;
} Analyzer;

static PyObject *key_neg, *key_neu, *key_pos, *key_compound;

#define FNV_INIT 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static inline uint64_t hash_step(uint64_t h, Py_UCS4 c)
{
    return (h ^ (uint64_t)c) * FNV_PRIME;
}

static inline size_t slot_of(uint64_t h, size_t mask)
{
    return (size_t)(h ^ (h >> 29) ^ (h >> 47)) & mask;
}

static uint64_t hash_ucs4(const Py_UCS4 *s, Py_ssize_t n)
{
    uint64_t h = FNV_INIT;
    for (Py_ssize_t i = 0; i < n; i++)
        h = hash_step(h, s[i]);
    return h;
}

static inline int ucs4_equal(const Py_UCS4 *x, const Py_UCS4 *y, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < n; k++)
        if (x[k] != y[k])
            return 0;
    return 1;
}

static inline int32_t vocab_find(const Analyzer *a, const Py_UCS4 *s, Py_ssize_t n, uint64_t h)
{
    const uint32_t tag = (uint32_t)(h >> 32);
    size_t i = slot_of(h, a->slot_mask);
    for (;;) {
        const Slot slot = a->slots[i];
        if (slot.e < 0)
            return -1;
        if (slot.tag == tag) {
            const Entry *en = &a->entries[slot.e];
            if (en->hash == h && en->len == n && ucs4_equal(en->key, s, n))
                return slot.e;
        }
        i = (i + 1) & a->slot_mask;
    }
}

static int vocab_rehash(Analyzer *a, size_t nslots)
{
    Slot *slots = PyMem_Malloc(nslots * sizeof(Slot));
    if (!slots) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < nslots; i++)
        slots[i].e = -1;
    size_t mask = nslots - 1;
    for (Py_ssize_t e = 0; e < a->n_entries; e++) {
        size_t i = slot_of(a->entries[e].hash, mask);
        while (slots[i].e >= 0)
            i = (i + 1) & mask;
        slots[i].tag = (uint32_t)(a->entries[e].hash >> 32);
        slots[i].e = (int32_t)e;
    }
    PyMem_Free(a->slots);
    a->slots = slots;
    a->slot_mask = mask;
    return 0;
}

/* The entry for the str `key` (created with no flags when absent), or -1 with an exception. */
static int32_t vocab_intern(Analyzer *a, PyObject *key)
{
    if (!PyUnicode_Check(key)) {
        PyErr_Format(PyExc_TypeError, "lexicon keys must be str, not %.100s", Py_TYPE(key)->tp_name);
        return -1;
    }
    Py_ssize_t n = PyUnicode_GetLength(key);
    Py_UCS4 *s = PyUnicode_AsUCS4Copy(key);
    if (!s)
        return -1;
    uint64_t h = hash_ucs4(s, n);
    int32_t e = vocab_find(a, s, n, h);
    if (e >= 0) {
        PyMem_Free(s);
        return e;
    }
    if ((size_t)(a->n_entries + 1) * 4 > a->slot_mask + 1) { /* load <= 1/4 */
        if (vocab_rehash(a, (a->slot_mask + 1) * 2) < 0) {
            PyMem_Free(s);
            return -1;
        }
    }
    if (a->n_entries == a->cap_entries) {
        Py_ssize_t cap = a->cap_entries ? a->cap_entries * 2 : 1024;
        Entry *entries = PyMem_Realloc(a->entries, (size_t)cap * sizeof(Entry));
        if (!entries) {
            PyMem_Free(s);
            PyErr_NoMemory();
            return -1;
        }
        a->entries = entries;
        a->cap_entries = cap;
    }
    e = (int32_t)a->n_entries++;
    Entry *en = &a->entries[e];
    en->key = s;
    en->len = n;
    en->hash = h;
    en->lex = 0.0;
    en->boost = 0.0;
    en->flags = 0;
    size_t i = slot_of(h, a->slot_mask);
    while (a->slots[i].e >= 0)
        i = (i + 1) & a->slot_mask;
    a->slots[i].tag = (uint32_t)(h >> 32);
    a->slots[i].e = e;
    return e;
}

static int32_t vocab_intern_cstr(Analyzer *a, const char *word)
{
    PyObject *key = PyUnicode_FromString(word);
    if (!key)
        return -1;
    int32_t e = vocab_intern(a, key);
    Py_DECREF(key);
    return e;
}

/* Split a multi-word key on ' ' into vocabulary ids. Returns the word count, 0 when the key can
 * never equal a space-joined n-gram of tokens (one word, an empty word, too many words), or -1. */
static int ngram_ids(Analyzer *a, PyObject *key, int32_t *ids)
{
    PyObject *sep = PyUnicode_FromString(" ");
    if (!sep)
        return -1;
    PyObject *words = PyUnicode_Split(key, sep, -1);
    Py_DECREF(sep);
    if (!words)
        return -1;
    Py_ssize_t n = PyList_GET_SIZE(words);
    int result = (int)n;
    if (n < 2 || n > NGRAM_MAX)
        result = 0;
    for (Py_ssize_t j = 0; result > 0 && j < n; j++) {
        PyObject *w = PyList_GET_ITEM(words, j);
        if (PyUnicode_GetLength(w) == 0) {
            result = 0;
            break;
        }
        int32_t e = vocab_intern(a, w);
        if (e < 0) {
            result = -1;
            break;
        }
        a->entries[e].flags |= F_NGRAM;
        ids[j] = e;
    }
    Py_DECREF(words);
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* Emoji table                                                                                 */

static inline const Emoji *emoji_find(const Analyzer *a, Py_UCS4 ch)
{
    if (ch < a->emoji_min || !(a->emoji_bits[ch >> 3] & (1u << (ch & 7))))
        return NULL;
    size_t i = (size_t)(ch * 2654435761u) & a->emoji_mask;
    for (;;) {
        int32_t k = a->emoji_slots[i];
        if (k < 0)
            return NULL;
        if (a->emoji_keys[k] == ch)
            return &a->emojis[k];
        i = (i + 1) & a->emoji_mask;
    }
}

static int build_emojis(Analyzer *a, PyObject *emojis)
{
    Py_ssize_t n = PyDict_Size(emojis);
    a->emoji_bits = PyMem_Calloc((0x110000 >> 3) + 1, 1);
    a->emoji_keys = PyMem_Calloc((size_t)n + 1, sizeof(Py_UCS4));
    a->emojis = PyMem_Calloc((size_t)n + 1, sizeof(Emoji));
    size_t nslots = 16;
    while (nslots < (size_t)n * 2 + 2)
        nslots *= 2;
    a->emoji_slots = PyMem_Malloc(nslots * sizeof(int32_t));
    if (!a->emoji_bits || !a->emoji_keys || !a->emojis || !a->emoji_slots) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < nslots; i++)
        a->emoji_slots[i] = -1;
    a->emoji_mask = nslots - 1;
    a->emoji_min = 0x110000;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(emojis, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || !PyUnicode_Check(value)) {
            PyErr_SetString(PyExc_TypeError, "emoji lexicon must map str to str");
            return -1;
        }
        if (PyUnicode_GetLength(key) != 1)
            continue; /* `chr in emojis` tests one code point at a time */
        Py_UCS4 ch = PyUnicode_ReadChar(key, 0);
        Emoji *em = &a->emojis[a->n_emojis];
        em->len = PyUnicode_GetLength(value);
        em->text = PyUnicode_AsUCS4Copy(value);
        if (!em->text)
            return -1;
        em->n_excl = em->n_quest = 0;
        for (Py_ssize_t j = 0; j < em->len; j++) {
            em->n_excl += em->text[j] == '!';
            em->n_quest += em->text[j] == '?';
        }
        a->emoji_keys[a->n_emojis] = ch;
        size_t i = (size_t)(ch * 2654435761u) & a->emoji_mask;
        while (a->emoji_slots[i] >= 0)
            i = (i + 1) & a->emoji_mask;
        a->emoji_slots[i] = (int32_t)a->n_emojis;
        a->n_emojis++;
        a->emoji_bits[ch >> 3] |= (uint8_t)(1u << (ch & 7));
        if (ch < a->emoji_min)
            a->emoji_min = ch;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Work buffers (PyMem_Raw*: usable without the GIL)                                           */

static void work_free(Work *w)
{
    PyMem_RawFree(w->buf);
    PyMem_RawFree(w->low);
    PyMem_RawFree(w->toks);
    PyMem_RawFree(w->sent);
    PyMem_RawFree(w->orig);
    PyMem_RawFree(w->cum_excl);
    PyMem_RawFree(w->cum_quest);
    memset(w, 0, sizeof(*w));
}

/* Grow the array *p to hold at least `need` items of `size` bytes (the capacity doubles from
 * 256); -1 when out of memory (*p is left as it was). */
static int grow_items(void **p, Py_ssize_t *cap, Py_ssize_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    Py_ssize_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    void *q = PyMem_RawRealloc(*p, (size_t)c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

#define GROW(p, cap, need) grow_items((void **)(p), (cap), (need), sizeof(**(p)))

static int grow_tracking(Work *w, Py_ssize_t n)
{
    if (n + 1 > w->cum_cap) {
        Py_ssize_t cap = w->cum_cap;
        if (GROW(&w->cum_excl, &cap, n + 1) < 0)
            return -1;
        cap = w->cum_cap;
        if (GROW(&w->cum_quest, &cap, n + 1) < 0)
            return -1;
        w->cum_cap = cap;
    }
    return 0;
}

static int grow_toks(Work *w, Py_ssize_t need)
{
    if (need <= w->tok_cap)
        return 0;
    Py_ssize_t c = w->tok_cap ? w->tok_cap : 64;
    while (c < need)
        c *= 2;
    Tok *t = PyMem_RawRealloc(w->toks, (size_t)c * sizeof(Tok));
    if (!t)
        return -1;
    w->toks = t;
    double *s = PyMem_RawRealloc(w->sent, (size_t)c * sizeof(double));
    if (!s)
        return -1;
    w->sent = s;
    w->tok_cap = c;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Python's round(x, ndigits) for |x| < 1024 and 0 <= ndigits <= 4                             */

/* float.__round__ formats x with _Py_dg_dtoa(mode 3) (the correctly rounded decimal, ties to
 * even on the exact binary value) and parses that back. Here: the exact value of x * 10**nd is
 * m * 10**nd / 2**s (m the 53-bit significand), rounded half-even to an integer k in 128-bit
 * arithmetic; k / 10**nd is then the one IEEE division, which is the correctly rounded double
 * of the decimal Python parses. The sign is kept (round(-0.0001, 3) is -0.0). */
static double py_round(double x, int nd)
{
    static const double p10[] = {1.0, 10.0, 100.0, 1000.0, 10000.0};
    if (x == 0.0 || !isfinite(x))
        return x;
    double ax = fabs(x);
    int ex;
    double f = frexp(ax, &ex); /* ax = f * 2**ex, 0.5 <= f < 1 */
    uint64_t m = (uint64_t)ldexp(f, 53);
    int s = 53 - ex; /* ax = m / 2**s; s > 43 since ax < 1024 */
    unsigned __int128 y = (unsigned __int128)m * (uint64_t)p10[nd];
    unsigned __int128 k;
    if (s >= 120) {
        k = 0; /* y < 2**67 <= half */
    }
    else {
        k = y >> s;
        unsigned __int128 rem = y - (k << s);
        unsigned __int128 half = (unsigned __int128)1 << (s - 1);
        if (rem > half || (rem == half && (k & 1)))
            k += 1;
    }
    double r = (double)(uint64_t)k / p10[nd];
    return copysign(r, x);
}

/* ------------------------------------------------------------------------------------------ */
/* Scoring                                                                                     */

static const uint8_t PUNCT[128] = {
    /* string.punctuation: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ */
    ['!'] = 1, ['"'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['('] = 1,
    [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1, ['.'] = 1, ['/'] = 1, [':'] = 1,
    [';'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['?'] = 1, ['@'] = 1, ['['] = 1, ['\\'] = 1,
    [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1,
};

#define IS_PUNCT(c) ((c) < 128 && PUNCT[(c)])

enum { OK = 0, ERR_NOMEM = -1 };

/* str.lower() and str.isupper() of a token with a non-ASCII code point, done as CPython 3.11's
 * unicodeobject.c does them, with its Unicode database (no Python object, no GIL needed):
 * lower() maps each code point by _PyUnicode_ToLowerFull (full case mapping, up to 3 code
 * points), except U+03A3 (capital sigma), which becomes final sigma U+03C2 when a cased code
 * point precedes it and none follows it (case-ignorable code points skipped on both sides), else
 * U+03C3. isupper(): one code point: Py_UNICODE_ISUPPER; longer: no lowercase or titlecase code
 * point and at least one uppercase. The lowered form is appended to w->low. */
static int is_final_sigma(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t i)
{
    Py_ssize_t j;
    Py_UCS4 c = 0;
    for (j = i - 1; j >= 0; j--) {
        c = s[j];
        if (!_PyUnicode_IsCaseIgnorable(c))
            break;
    }
    int final_sigma = j >= 0 && _PyUnicode_IsCased(c);
    if (final_sigma) {
        for (j = i + 1; j < n; j++) {
            c = s[j];
            if (!_PyUnicode_IsCaseIgnorable(c))
                break;
        }
        final_sigma = j == n || !_PyUnicode_IsCased(c);
    }
    return final_sigma;
}

static int unicode_isupper(const Py_UCS4 *s, Py_ssize_t n)
{
    if (n == 1)
        return Py_UNICODE_ISUPPER(s[0]) != 0;
    int cased = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (Py_UNICODE_ISLOWER(s[i]) || Py_UNICODE_ISTITLE(s[i]))
            return 0;
        if (!cased && Py_UNICODE_ISUPPER(s[i]))
            cased = 1;
    }
    return cased;
}

static int lower_token(Work *w, const Py_UCS4 *s, Py_ssize_t n, Tok *t, Py_ssize_t *low_len)
{
    if (GROW(&w->low, &w->low_cap, *low_len + 3 * n) < 0)
        return ERR_NOMEM;
    Py_UCS4 *dst = w->low + *low_len;
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = s[i];
        if (c < 128) {
            dst[k++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        }
        else if (c == 0x3A3) {
            dst[k++] = is_final_sigma(s, n, i) ? 0x3C2 : 0x3C3;
        }
        else {
            Py_UCS4 mapped[3];
            int m = _PyUnicode_ToLowerFull(c, mapped);
            for (int j = 0; j < m; j++)
                dst[k++] = mapped[j];
        }
    }
    t->off = *low_len;
    t->len = k;
    *low_len += k;
    t->upper = (uint8_t)unicode_isupper(s, n);
    return OK;
}

#define E(t) (a->entries[(t)->e])
#define IN_LEX(t) ((t)->e >= 0 && (a->entries[(t)->e].flags & F_LEX))
#define IS_WORD(t, w) ((t)->e == a->w)

/* scalar_inc_dec(word, valence, is_cap_diff) */
static inline double scalar_inc_dec(const Analyzer *a, const Tok *p, double valence, int is_cap_diff)
{
    double scalar = 0.0;
    if (p->e >= 0 && (E(p).flags & F_BOOST)) {
        scalar = E(p).boost;
        if (valence < 0)
            scalar *= -1;
        if (p->upper && is_cap_diff) {
            if (valence > 0)
                scalar += C_INCR;
            else
                scalar -= C_INCR;
        }
    }
    return scalar;
}

static inline int is_so_or_this(const Analyzer *a, const Tok *t)
{
    return IS_WORD(t, w_so) || IS_WORD(t, w_this);
}

/* _negation_check(valence, words_and_emoticons, start_i, i) */
static inline double negation_check(const Analyzer *a, const Tok *T, int start_i, Py_ssize_t i,
                                    double valence)
{
    if (start_i == 0) {
        if (T[i - 1].neg)
            valence = valence * N_SCALAR;
    }
    if (start_i == 1) {
        if (IS_WORD(&T[i - 2], w_never) && is_so_or_this(a, &T[i - 1]))
            valence = valence * 1.25;
        else if (IS_WORD(&T[i - 2], w_without) && IS_WORD(&T[i - 1], w_doubt))
            ;
        else if (T[i - 2].neg)
            valence = valence * N_SCALAR;
    }
    if (start_i == 2) {
        if ((IS_WORD(&T[i - 3], w_never) && is_so_or_this(a, &T[i - 2])) || is_so_or_this(a, &T[i - 1]))
            valence = valence * 1.25;
        else if (IS_WORD(&T[i - 3], w_without) &&
                 (IS_WORD(&T[i - 2], w_doubt) || IS_WORD(&T[i - 1], w_doubt)))
            ;
        else if (T[i - 3].neg)
            valence = valence * N_SCALAR;
    }
    return valence;
}

/* Is the space-joined n-gram of tokens idx[0..n) a key of `table`? */
static inline const NGram *ngram_match(const NGram *table, int count, const Tok *T, const Py_ssize_t *idx,
                                       int n)
{
    for (int j = 0; j < n; j++)
        if (!T[idx[j]].ng)
            return NULL;
    for (int k = 0; k < count; k++) {
        const NGram *g = &table[k];
        if (g->n != n)
            continue;
        int j = 0;
        while (j < n && T[idx[j]].e == g->ids[j])
            j++;
        if (j == n)
            return g;
    }
    return NULL;
}

/* _special_idioms_check(valence, words_and_emoticons, i) */
static double special_idioms_check(const Analyzer *a, const Tok *T, Py_ssize_t nt, Py_ssize_t i,
                                   double valence)
{
    const Py_ssize_t onezero[] = {i - 1, i};
    const Py_ssize_t twoonezero[] = {i - 2, i - 1, i};
    const Py_ssize_t twoone[] = {i - 2, i - 1};
    const Py_ssize_t threetwoone[] = {i - 3, i - 2, i - 1};
    const Py_ssize_t threetwo[] = {i - 3, i - 2};
    const Py_ssize_t *seqs[] = {onezero, twoonezero, twoone, threetwoone, threetwo};
    const int lens[] = {2, 3, 2, 3, 2};
    const NGram *g;
    for (int k = 0; k < 5; k++) {
        if ((g = ngram_match(a->special, a->n_special, T, seqs[k], lens[k])) != NULL) {
            valence = g->value;
            break;
        }
    }
    if (nt - 1 > i) {
        const Py_ssize_t zeroone[] = {i, i + 1};
        if ((g = ngram_match(a->special, a->n_special, T, zeroone, 2)) != NULL)
            valence = g->value;
    }
    if (nt - 1 > i + 1) {
        const Py_ssize_t zeroonetwo[] = {i, i + 1, i + 2};
        if ((g = ngram_match(a->special, a->n_special, T, zeroonetwo, 3)) != NULL)
            valence = g->value;
    }
    /* booster/dampener bi-grams such as 'sort of' or 'kind of' */
    const Py_ssize_t *ngrams[] = {threetwoone, threetwo, twoone};
    const int nlens[] = {3, 2, 2};
    for (int k = 0; k < 3; k++) {
        if ((g = ngram_match(a->boost_ngrams, a->n_boost_ngrams, T, ngrams[k], nlens[k])) != NULL)
            valence = valence + g->value;
    }
    return valence;
}

/* _least_check(valence, words_and_emoticons, i) */
static inline double least_check(const Analyzer *a, const Tok *T, Py_ssize_t i, double valence)
{
    if (i > 1 && !IN_LEX(&T[i - 1]) && IS_WORD(&T[i - 1], w_least)) {
        if (!IS_WORD(&T[i - 2], w_at) && !IS_WORD(&T[i - 2], w_very))
            valence = valence * N_SCALAR;
    }
    else if (i > 0 && !IN_LEX(&T[i - 1]) && IS_WORD(&T[i - 1], w_least)) {
        valence = valence * N_SCALAR;
    }
    return valence;
}

/* sentiment_valence(...) for a token that is not a booster word nor "kind" of "kind of" */
static double sentiment_valence(const Analyzer *a, const Tok *T, Py_ssize_t nt, Py_ssize_t i, int is_cap_diff)
{
    const Tok *t = &T[i];
    if (!IN_LEX(t))
        return 0.0;
    const double lexv = E(t).lex;
    double valence = lexv;
    if (IS_WORD(t, w_no) && i != nt - 1 && IN_LEX(&T[i + 1]))
        valence = 0.0;
    if ((i > 0 && IS_WORD(&T[i - 1], w_no)) || (i > 1 && IS_WORD(&T[i - 2], w_no)) ||
        (i > 2 && IS_WORD(&T[i - 3], w_no) && (IS_WORD(&T[i - 1], w_or) || IS_WORD(&T[i - 1], w_nor))))
        valence = lexv * N_SCALAR;
    if (t->upper && is_cap_diff) {
        if (valence > 0)
            valence += C_INCR;
        else
            valence -= C_INCR;
    }
    for (int start_i = 0; start_i < 3; start_i++) {
        if (i > start_i && !IN_LEX(&T[i - (start_i + 1)])) {
            double s = scalar_inc_dec(a, &T[i - (start_i + 1)], valence, is_cap_diff);
            if (start_i == 1 && s != 0)
                s = s * 0.95;
            if (start_i == 2 && s != 0)
                s = s * 0.9;
            valence = valence + s;
            valence = negation_check(a, T, start_i, i, valence);
            if (start_i == 2)
                valence = special_idioms_check(a, T, nt, i, valence);
        }
    }
    return least_check(a, T, i, valence);
}

/* Step 2, SentiText: str.split() of the m code points at buf (PEP 393 `kind`: 4 for the emoji
 * pass's buffer, 1 for an ASCII text read in place), each piece stripped of punctuation unless
 * <= 2 code points are left, lowered and looked up; tokens in w->toks. `orig` maps a code point
 * of buf to the text's (NULL: the same), for the tokens' ostart..oend when `track`. Inlined into
 * each caller, so each reads its own kind without a switch per code point. A kind-1 buffer is
 * ASCII here: its pieces never take the non-ASCII branch. */
static inline __attribute__((always_inline)) int split_tokens(const Analyzer *a, Work *w, int kind,
                                                              const void *buf, Py_ssize_t m,
                                                              const Py_ssize_t *orig, int track,
                                                              Py_ssize_t *nt_out)
{
    if (grow_toks(w, m / 2 + 1) < 0 || GROW(&w->low, &w->low_cap, m + 1) < 0)
        return ERR_NOMEM;
    Py_ssize_t nt = 0, low_len = 0;
    Py_ssize_t j = 0;
    while (j < m) {
        while (j < m && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, buf, j)))
            j++;
        if (j >= m)
            break;
        Py_ssize_t start = j;
        while (j < m && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, buf, j)))
            j++;
        Py_ssize_t lo = start, hi = j;
        while (lo < hi && IS_PUNCT(PyUnicode_READ(kind, buf, lo)))
            lo++;
        while (hi > lo && IS_PUNCT(PyUnicode_READ(kind, buf, hi - 1)))
            hi--;
        if (hi - lo <= 2) {
            lo = start;
            hi = j;
        }
        Tok *t = &w->toks[nt++];
        if (track) {
            t->ostart = orig ? orig[start] : start;
            t->oend = orig ? orig[j - 1] + 1 : j;
        }
        Py_UCS4 any = 0;
        for (Py_ssize_t k = lo; k < hi; k++)
            any |= PyUnicode_READ(kind, buf, k);
        uint64_t h = FNV_INIT;
        if (any < 128) {
            if (GROW(&w->low, &w->low_cap, low_len + (hi - lo)) < 0)
                return ERR_NOMEM;
            Py_UCS4 *dst = w->low + low_len;
            int has_upper = 0, has_lower = 0;
            for (Py_ssize_t k = lo; k < hi; k++) {
                Py_UCS4 c = PyUnicode_READ(kind, buf, k);
                if (c >= 'A' && c <= 'Z') {
                    has_upper = 1;
                    c += 32;
                }
                else if (c >= 'a' && c <= 'z') {
                    has_lower = 1;
                }
                *dst++ = c;
                h = hash_step(h, c);
            }
            t->off = low_len;
            t->len = hi - lo;
            low_len += hi - lo;
            t->upper = (uint8_t)(has_upper && !has_lower);
        }
        else {
            if (lower_token(w, (const Py_UCS4 *)buf + lo, hi - lo, t, &low_len) != OK)
                return ERR_NOMEM;
            h = hash_ucs4(w->low + t->off, t->len);
        }
        const Py_UCS4 *lw = w->low + t->off;
        t->e = vocab_find(a, lw, t->len, h);
        int neg = t->e >= 0 && (a->entries[t->e].flags & F_NEGATE);
        for (Py_ssize_t k = 0; !neg && k + 2 < t->len; k++)
            neg = lw[k] == 'n' && lw[k + 1] == '\'' && lw[k + 2] == 't';
        t->neg = (uint8_t)neg;
        t->ng = (uint8_t)(t->e >= 0 && (a->entries[t->e].flags & F_NGRAM));
    }
    *nt_out = nt;
    return OK;
}

/* prepare_tokens for an ASCII text (no emoji lexicon key is ASCII): no emoji pass and no copy,
 * the pieces read straight from the text's bytes; the same tokens, counts and tracking. */
static int prepare_ascii(const Analyzer *a, Work *w, const uint8_t *s, Py_ssize_t n, int track,
                         Py_ssize_t *nt_out, Py_ssize_t *excl_out, Py_ssize_t *quest_out)
{
    if (track && grow_tracking(w, n) < 0)
        return ERR_NOMEM;
    Py_ssize_t n_excl = 0, n_quest = 0;
    for (Py_ssize_t j = 0; j < n; j++) {
        if (track) {
            w->cum_excl[j] = n_excl;
            w->cum_quest[j] = n_quest;
        }
        n_excl += s[j] == '!';
        n_quest += s[j] == '?';
    }
    if (track) {
        w->cum_excl[n] = n_excl;
        w->cum_quest[n] = n_quest;
    }
    *excl_out = n_excl;
    *quest_out = n_quest;
    return split_tokens(a, w, PyUnicode_1BYTE_KIND, s, n, NULL, track, nt_out);
}

/* Steps 1 and 2 of polarity_scores(s) for the n code points at data (PEP 393 `kind`): the emoji
 * pass, then SentiText's tokens in w->toks (*nt of them) and the "!" and "?" of the replaced text.
 * With `track`, each token also gets the code points of the text its piece came from
 * (ostart..oend) and w->cum_excl / w->cum_quest the running "!" and "?" counts per code point, so
 * that score_sentences can score a sentence from the tokens of its text. */
static int prepare_tokens(const Analyzer *a, Work *w, int kind, const void *data, Py_ssize_t n, int track,
                          Py_ssize_t *nt_out, Py_ssize_t *excl_out, Py_ssize_t *quest_out)
{
    if (kind == PyUnicode_1BYTE_KIND && a->emoji_min >= 128) {
        const uint8_t *s = data;
        uint8_t any = 0;
        for (Py_ssize_t j = 0; j < n; j++)
            any |= s[j];
        if (any < 128)
            return prepare_ascii(a, w, s, n, track, nt_out, excl_out, quest_out);
    }

    /* 1. the emoji pass, counting "!" and "?" of the resulting text on the way */
    if (GROW(&w->buf, &w->buf_cap, n + 1) < 0)
        return ERR_NOMEM;
    if (track && (GROW(&w->orig, &w->orig_cap, w->buf_cap) < 0 || grow_tracking(w, n) < 0))
        return ERR_NOMEM;
    Py_ssize_t m = 0, n_excl = 0, n_quest = 0;
    int prev_space = 1;
    for (Py_ssize_t j = 0; j < n; j++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, j);
        const Emoji *em = emoji_find(a, ch);
        if (track) {
            w->cum_excl[j] = n_excl;
            w->cum_quest[j] = n_quest;
        }
        if (em) {
            if (GROW(&w->buf, &w->buf_cap, m + 1 + em->len + (n - j)) < 0)
                return ERR_NOMEM;
            if (track && GROW(&w->orig, &w->orig_cap, w->buf_cap) < 0)
                return ERR_NOMEM;
            Py_ssize_t from = m;
            if (!prev_space)
                w->buf[m++] = ' ';
            memcpy(w->buf + m, em->text, (size_t)em->len * sizeof(Py_UCS4));
            m += em->len;
            if (track)
                for (Py_ssize_t k = from; k < m; k++)
                    w->orig[k] = j;
            n_excl += em->n_excl;
            n_quest += em->n_quest;
            prev_space = 0;
        }
        else {
            if (track)
                w->orig[m] = j;
            w->buf[m++] = ch;
            n_excl += ch == '!';
            n_quest += ch == '?';
            prev_space = ch == ' ';
        }
    }
    if (track) {
        w->cum_excl[n] = n_excl;
        w->cum_quest[n] = n_quest;
    }
    *excl_out = n_excl;
    *quest_out = n_quest;
    return split_tokens(a, w, PyUnicode_4BYTE_KIND, w->buf, m, w->orig, track, nt_out);
}

/* Steps 3 to 5 of polarity_scores over the nt tokens at T (the tokens of one text, or of one of
 * its sentences), with n_excl "!" and n_quest "?" in its replaced text: out[0..4) = neg, neu,
 * pos, compound (rounded). `sent` is scratch for nt doubles. */
static void score_tokens(const Analyzer *a, const Tok *T, Py_ssize_t nt, double *sent, Py_ssize_t n_excl,
                         Py_ssize_t n_quest, double *out)
{
    Py_ssize_t n_upper = 0;
    for (Py_ssize_t i = 0; i < nt; i++)
        n_upper += T[i].upper;
    const Py_ssize_t cap_differential = nt - n_upper;
    const int is_cap_diff = 0 < cap_differential && cap_differential < nt;
    /* 3. a valence per token */
    for (Py_ssize_t i = 0; i < nt; i++) {
        const Tok *t = &T[i];
        if (t->e >= 0 && (E(t).flags & F_BOOST))
            sent[i] = 0.0;
        else if (i < nt - 1 && IS_WORD(t, w_kind) && IS_WORD(&T[i + 1], w_of))
            sent[i] = 0.0;
        else
            sent[i] = sentiment_valence(a, T, nt, i, is_cap_diff);
    }

    /* 4. _but_check: for sentiment in sentiments: si = sentiments.index(sentiment); ... The loop
     * reads the list as it is being rewritten, and index() finds the first equal value. Zeros
     * can be skipped: the first zero stays a zero (0 * 0.5, 0 * 1.5), and the sign of a zero
     * sentiment changes nothing below. */
    Py_ssize_t bi = -1;
    for (Py_ssize_t i = 0; i < nt; i++) {
        if (IS_WORD(&T[i], w_but)) {
            bi = i;
            break;
        }
    }
    if (bi >= 0) {
        for (Py_ssize_t k = 0; k < nt; k++) {
            double s = sent[k];
            if (s == 0)
                continue;
            Py_ssize_t si = 0;
            while (sent[si] != s)
                si++;
            if (si < bi)
                sent[si] = s * 0.5;
            else if (si > bi)
                sent[si] = s * 1.5;
        }
    }

    /* 5. score_valence */
    double compound, pos, neg, neu;
    if (nt > 0) {
        double sum_s = 0.0;
        for (Py_ssize_t i = 0; i < nt; i++)
            sum_s += sent[i];
        Py_ssize_t ep_count = n_excl > 4 ? 4 : n_excl;
        double ep_amplifier = (double)ep_count * 0.292;
        double qm_amplifier = 0.0;
        if (n_quest > 1) {
            if (n_quest <= 3)
                qm_amplifier = (double)n_quest * 0.18;
            else
                qm_amplifier = 0.96;
        }
        double punct_emph_amplifier = ep_amplifier + qm_amplifier;
        if (sum_s > 0)
            sum_s += punct_emph_amplifier;
        else if (sum_s < 0)
            sum_s -= punct_emph_amplifier;

        compound = sum_s / sqrt((sum_s * sum_s) + 15.0);
        if (compound < -1.0)
            compound = -1.0;
        else if (compound > 1.0)
            compound = 1.0;

        double pos_sum = 0.0, neg_sum = 0.0;
        Py_ssize_t neu_count = 0;
        for (Py_ssize_t i = 0; i < nt; i++) {
            double s = sent[i];
            if (s > 0)
                pos_sum += (s + 1.0);
            if (s < 0)
                neg_sum += (s - 1.0);
            if (s == 0)
                neu_count += 1;
        }
        if (pos_sum > fabs(neg_sum))
            pos_sum += punct_emph_amplifier;
        else if (pos_sum < fabs(neg_sum))
            neg_sum -= punct_emph_amplifier;

        double total = pos_sum + fabs(neg_sum) + (double)neu_count;
        pos = fabs(pos_sum / total);
        neg = fabs(neg_sum / total);
        neu = fabs((double)neu_count / total);
    }
    else {
        compound = pos = neg = neu = 0.0;
    }
    out[0] = py_round(neg, 3);
    out[1] = py_round(neu, 3);
    out[2] = py_round(pos, 3);
    out[3] = py_round(compound, 4);
}


/* polarity_scores(s) of the n code points at data (PEP 393 `kind`) -> out[0..4) = neg, neu,
 * pos, compound (rounded). */
static int score_chars(const Analyzer *a, Work *w, int kind, const void *data, Py_ssize_t n,
                       double *out)
{
    Py_ssize_t nt, n_excl, n_quest;
    int rc = prepare_tokens(a, w, kind, data, n, 0, &nt, &n_excl, &n_quest);
    if (rc != OK)
        return rc;
    score_tokens(a, w->toks, nt, w->sent, n_excl, n_quest, out);
    return OK;
}

/* polarity_scores(text) */
static int score_text(const Analyzer *a, Work *w, PyObject *text, double *out)
{
    return score_chars(a, w, PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text),
                       out);
}

/* ------------------------------------------------------------------------------------------ */
/* Analyzer type                                                                               */

static void Analyzer_dealloc(Analyzer *a)
{
    for (Py_ssize_t e = 0; e < a->n_entries; e++)
        PyMem_Free(a->entries[e].key);
    PyMem_Free(a->entries);
    PyMem_Free(a->slots);
    PyMem_Free(a->special);
    PyMem_Free(a->boost_ngrams);
    for (Py_ssize_t k = 0; k < a->n_emojis; k++)
        PyMem_Free(a->emojis[k].text);
    PyMem_Free(a->emojis);
    PyMem_Free(a->emoji_keys);
    PyMem_Free(a->emoji_slots);
    PyMem_Free(a->emoji_bits);
    work_free(&a->work);
    Py_TYPE(a)->tp_free((PyObject *)a);
}

static int load_ngrams(Analyzer *a, PyObject *dict, NGram **table, int *count)
{
    Py_ssize_t n = PyDict_Size(dict);
    *table = PyMem_Calloc((size_t)n + 1, sizeof(NGram));
    if (!*table) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        if (!PyUnicode_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "keys must be str");
            return -1;
        }
        NGram *g = &(*table)[*count];
        int words = ngram_ids(a, key, g->ids);
        if (words < 0)
            return -1;
        if (words == 0)
            continue;
        g->n = words;
        g->value = PyFloat_AsDouble(value);
        if (g->value == -1.0 && PyErr_Occurred())
            return -1;
        (*count)++;
    }
    return 0;
}

static PyObject *Analyzer_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"lexicon", "emojis", "boosters", "negate", "special_cases", NULL};
    PyObject *lexicon, *emojis, *boosters, *negate, *special;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!OO!:Analyzer", kwlist, &PyDict_Type, &lexicon,
                                     &PyDict_Type, &emojis, &PyDict_Type, &boosters, &negate,
                                     &PyDict_Type, &special))
        return NULL;
    Analyzer *a = (Analyzer *)type->tp_alloc(type, 0);
    if (!a)
        return NULL;
    if (vocab_rehash(a, 32768) < 0)
        goto fail;

    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(lexicon, &pos, &key, &value)) {
        int32_t e = vocab_intern(a, key);
        if (e < 0)
            goto fail;
        double v = PyFloat_AsDouble(value);
        if (v == -1.0 && PyErr_Occurred())
            goto fail;
        a->entries[e].lex = v;
        a->entries[e].flags |= F_LEX;
    }
    pos = 0;
    while (PyDict_Next(boosters, &pos, &key, &value)) {
        int32_t e = vocab_intern(a, key);
        if (e < 0)
            goto fail;
        double v = PyFloat_AsDouble(value);
        if (v == -1.0 && PyErr_Occurred())
            goto fail;
        a->entries[e].boost = v;
        a->entries[e].flags |= F_BOOST;
    }
    {
        PyObject *it = PyObject_GetIter(negate);
        if (!it)
            goto fail;
        PyObject *word;
        while ((word = PyIter_Next(it)) != NULL) {
            int32_t e = vocab_intern(a, word);
            Py_DECREF(word);
            if (e < 0) {
                Py_DECREF(it);
                goto fail;
            }
            a->entries[e].flags |= F_NEGATE;
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            goto fail;
    }
    if (load_ngrams(a, special, &a->special, &a->n_special) < 0)
        goto fail;
    if (load_ngrams(a, boosters, &a->boost_ngrams, &a->n_boost_ngrams) < 0)
        goto fail;

#define WORD(field, text)                                                                          \
    if ((a->field = vocab_intern_cstr(a, text)) < 0)                                                \
        goto fail;
    WORD(w_kind, "kind")
    WORD(w_of, "of")
    WORD(w_no, "no")
    WORD(w_or, "or")
    WORD(w_nor, "nor")
    WORD(w_never, "never")
    WORD(w_so, "so")
    WORD(w_this, "this")
    WORD(w_without, "without")
    WORD(w_doubt, "doubt")
    WORD(w_least, "least")
    WORD(w_at, "at")
    WORD(w_very, "very")
    WORD(w_but, "but")
#undef WORD

    if (build_emojis(a, emojis) < 0)
        goto fail;
    return (PyObject *)a;
fail:
    Py_DECREF(a);
    return NULL;
}

static int check_text(PyObject *text, Py_ssize_t index)
{
    if (!PyUnicode_Check(text)) {
        if (index < 0)
            PyErr_Format(PyExc_TypeError, "text must be str, not %.100s", Py_TYPE(text)->tp_name);
        else
            PyErr_Format(PyExc_TypeError, "texts[%zd] must be str, not %.100s", index,
                         Py_TYPE(text)->tp_name);
        return -1;
    }
    return PyUnicode_READY(text);
}

#define KEEP_WORK_UP_TO (1 << 16)

static PyObject *Analyzer_polarity_scores(Analyzer *a, PyObject *text)
{
    if (check_text(text, -1) < 0)
        return NULL;
    double r[4];
    int rc;
    if (!a->work_busy) {
        a->work_busy = 1;
        rc = score_text(a, &a->work, text, r);
        if (a->work.buf_cap > KEEP_WORK_UP_TO)
            work_free(&a->work); /* do not hold on to the buffers of one huge text */
        a->work_busy = 0;
    }
    else {
        Work w = {0};
        rc = score_text(a, &w, text, r);
        work_free(&w);
    }
    if (rc != OK)
        return PyErr_NoMemory();
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    PyObject *keys[4] = {key_neg, key_neu, key_pos, key_compound};
    for (int k = 0; k < 4; k++) {
        PyObject *v = PyFloat_FromDouble(r[k]);
        if (!v || PyDict_SetItem(d, keys[k], v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(v);
    }
    return d;
}

/* Batches of at least this many texts are scored without the GIL: score_text reads only the
 * texts (kept alive and unchanged by the tuple) and the analyzer's tables, and allocates with
 * PyMem_Raw*. */
#define RELEASE_GIL_FROM 16

static PyObject *Analyzer_polarity_scores_many(Analyzer *a, PyObject *texts)
{
    PyObject *tuple = PySequence_Tuple(texts); /* a snapshot nobody can change meanwhile */
    if (!tuple)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (check_text(PyTuple_GET_ITEM(tuple, i), i) < 0) {
            Py_DECREF(tuple);
            return NULL;
        }
    }
    if (n > PY_SSIZE_T_MAX / (Py_ssize_t)(4 * sizeof(double))) {
        Py_DECREF(tuple);
        return PyErr_NoMemory();
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 4 * (Py_ssize_t)sizeof(double));
    if (!out) {
        Py_DECREF(tuple);
        return NULL;
    }
    char *o = PyBytes_AS_STRING(out);
    Work w = {0};
    int rc = OK;
    PyThreadState *ts = NULL;
    if (n >= RELEASE_GIL_FROM)
        ts = PyEval_SaveThread();
    for (Py_ssize_t i = 0; i < n; i++) {
        double r[4];
        rc = score_text(a, &w, PyTuple_GET_ITEM(tuple, i), r);
        if (rc != OK)
            break;
        for (int k = 0; k < 4; k++)
            memcpy(o + ((size_t)k * (size_t)n + (size_t)i) * sizeof(double), &r[k], sizeof(double));
    }
    if (ts)
        PyEval_RestoreThread(ts);
    work_free(&w);
    Py_DECREF(tuple);
    if (rc != OK) {
        Py_DECREF(out);
        return PyErr_NoMemory();
    }
    return out;
}

/* score_sentences(texts, spans) -> (comment scores, sentence scores): spans as
 * readerpulse.text._sentences.Splitter.spans_many returns them (int32 text index, start, end and
 * sentence number, column by column; the numbers are not read). A sentence that is its whole text reuses the text's scores (same input,
 * same scores). Both results are float64 column by column (neg, neu, pos, compound). */
static PyObject *Analyzer_score_sentences(Analyzer *a, PyObject *args)
{
    PyObject *texts;
    Py_buffer spans;
    if (!PyArg_ParseTuple(args, "Oy*:score_sentences", &texts, &spans))
        return NULL;
    PyObject *tuple = NULL, *comments = NULL, *sentences = NULL, *result = NULL;
    tuple = PySequence_Tuple(texts);
    if (!tuple)
        goto done;
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (check_text(PyTuple_GET_ITEM(tuple, i), i) < 0)
            goto done;
    }
    if (spans.len % (4 * (Py_ssize_t)sizeof(int32_t)) != 0) {
        PyErr_SetString(PyExc_ValueError, "spans must hold four int32 columns");
        goto done;
    }
    Py_ssize_t m = spans.len / (4 * (Py_ssize_t)sizeof(int32_t));
    const int32_t *idx = (const int32_t *)spans.buf, *start = idx + m, *end = idx + 2 * m;
    for (Py_ssize_t k = 0; k < m; k++) {
        if (idx[k] < 0 || idx[k] >= n || start[k] < 0 || start[k] > end[k] ||
            end[k] > PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(tuple, idx[k]))) {
            PyErr_Format(PyExc_ValueError, "span %zd is not inside its text", k);
            goto done;
        }
    }
    comments = PyBytes_FromStringAndSize(NULL, n * 4 * (Py_ssize_t)sizeof(double));
    sentences = PyBytes_FromStringAndSize(NULL, m * 4 * (Py_ssize_t)sizeof(double));
    if (!comments || !sentences)
        goto done;
    double *oc = (double *)PyBytes_AS_STRING(comments);
    double *os = (double *)PyBytes_AS_STRING(sentences);
    /* Spans in text order, each text's in order and apart (as spans_many makes them): a
     * sentence is scored from its text's tokens (steps 3-5 only), unless a whitespace-delimited
     * piece of the text runs across its edge; then, and for spans in any other order, the
     * sentence is scored on its own. Both give polarity_scores(sentence): the sentence's pieces
     * are the text's pieces inside it (an emoji's description is preceded by a space in one and
     * not the other only where that changes no piece), and its "!"/"?" are those inside it. */
    int ordered = 1;
    for (Py_ssize_t k = 1; k < m && ordered; k++)
        ordered = idx[k] > idx[k - 1] || (idx[k] == idx[k - 1] && start[k] >= end[k - 1]);
    Work w = {0}, w_own = {0};
    int rc = OK;
    PyThreadState *ts = n + m >= RELEASE_GIL_FROM ? PyEval_SaveThread() : NULL;
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n && rc == OK; i++) {
        PyObject *text = PyTuple_GET_ITEM(tuple, i);
        const int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        const Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        Py_ssize_t nt, n_excl, n_quest;
        rc = prepare_tokens(a, &w, kind, data, len, ordered, &nt, &n_excl, &n_quest);
        if (rc != OK)
            break;
        double r[4];
        score_tokens(a, w.toks, nt, w.sent, n_excl, n_quest, r);
        for (int c = 0; c < 4; c++)
            oc[(size_t)c * (size_t)n + (size_t)i] = r[c];
        if (!ordered)
            continue;
        Py_ssize_t t = 0;
        for (; k < m && idx[k] == i && rc == OK; k++) {
            double q[4];
            const Py_ssize_t s0 = start[k], s1 = end[k];
            if (s0 == 0 && s1 == len) {
                memcpy(q, r, sizeof(q));
            }
            else {
                while (t < nt && w.toks[t].ostart < s0)
                    t++;
                Py_ssize_t t1 = t;
                while (t1 < nt && w.toks[t1].oend <= s1)
                    t1++;
                int inside = (t == 0 || w.toks[t - 1].oend <= s0) && (t1 == nt || w.toks[t1].ostart >= s1);
                if (inside) {
                    score_tokens(a, w.toks + t, t1 - t, w.sent + t, w.cum_excl[s1] - w.cum_excl[s0],
                                 w.cum_quest[s1] - w.cum_quest[s0], q);
                    t = t1;
                }
                else {
                    rc = score_chars(a, &w_own, kind, (const char *)data + (size_t)s0 * (size_t)kind, s1 - s0, q);
                }
            }
            for (int c = 0; c < 4; c++)
                os[(size_t)c * (size_t)m + (size_t)k] = q[c];
        }
    }
    for (k = 0; k < m && rc == OK && !ordered; k++) {
        PyObject *text = PyTuple_GET_ITEM(tuple, idx[k]);
        double r[4];
        if (start[k] == 0 && end[k] == PyUnicode_GET_LENGTH(text)) {
            for (int c = 0; c < 4; c++)
                r[c] = oc[(size_t)c * (size_t)n + (size_t)idx[k]];
        }
        else {
            int kind = PyUnicode_KIND(text);
            const char *data = (const char *)PyUnicode_DATA(text) + (size_t)start[k] * (size_t)kind;
            rc = score_chars(a, &w_own, kind, data, end[k] - start[k], r);
        }
        for (int c = 0; c < 4; c++)
            os[(size_t)c * (size_t)m + (size_t)k] = r[c];
    }
    if (ts)
        PyEval_RestoreThread(ts);
    work_free(&w);
    work_free(&w_own);
    if (rc != OK) {
        PyErr_NoMemory();
        goto done;
    }
    result = PyTuple_Pack(2, comments, sentences);
done:
    Py_XDECREF(tuple);
    Py_XDECREF(comments);
    Py_XDECREF(sentences);
    PyBuffer_Release(&spans);
    return result;
}

static PyMethodDef Analyzer_methods[] = {
    {"polarity_scores", (PyCFunction)Analyzer_polarity_scores, METH_O,
     "polarity_scores(text) -> {'neg', 'neu', 'pos', 'compound'}, as vaderSentiment 3.3.2."},
    {"polarity_scores_many", (PyCFunction)Analyzer_polarity_scores_many, METH_O,
     "polarity_scores_many(texts) -> bytes: 4 * len(texts) float64 values, column by column "
     "(all neg, then neu, pos, compound), in native byte order."},
    {"score_sentences", (PyCFunction)Analyzer_score_sentences, METH_VARARGS,
     "score_sentences(texts, spans) -> (bytes, bytes): the scores of every text and of every "
     "span (int32 text index, start, end, number, column by column), float64 column by column."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject AnalyzerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "readerpulse.score._vader.Analyzer",
    .tp_basicsize = sizeof(Analyzer),
    .tp_dealloc = (destructor)Analyzer_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Analyzer(lexicon, emojis, boosters, negate, special_cases): VADER scorer over "
              "the given tables (vaderSentiment's lexicon, emoji lexicon, BOOSTER_DICT, NEGATE "
              "and SPECIAL_CASES).",
    .tp_methods = Analyzer_methods,
    .tp_new = Analyzer_new,
};

/* ------------------------------------------------------------------------------------------ */
/* Module                                                                                      */

static PyObject *mod_round(PyObject *self, PyObject *args)
{
    (void)self;
    double x;
    int nd;
    if (!PyArg_ParseTuple(args, "di:_round", &x, &nd))
        return NULL;
    if (nd < 0 || nd > 4 || !(fabs(x) < 1024.0 || !isfinite(x))) {
        PyErr_SetString(PyExc_ValueError, "_round covers 0 <= ndigits <= 4 and |x| < 1024");
        return NULL;
    }
    return PyFloat_FromDouble(py_round(x, nd));
}

static PyObject *mod_lower_isupper(PyObject *self, PyObject *text)
{
    (void)self;
    if (check_text(text, -1) < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 *s = PyUnicode_AsUCS4Copy(text);
    if (!s)
        return NULL;
    Work w = {0};
    Tok t;
    Py_ssize_t low_len = 0;
    PyObject *result = NULL;
    if (n == 0) /* tokens are never empty; "".lower() == "", "".isupper() is False */
        result = Py_BuildValue("(sO)", "", Py_False);
    else if (lower_token(&w, s, n, &t, &low_len) != OK)
        PyErr_NoMemory();
    else {
        PyObject *lower = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, w.low, t.len);
        if (lower)
            result = Py_BuildValue("(NO)", lower, t.upper ? Py_True : Py_False);
    }
    work_free(&w);
    PyMem_Free(s);
    return result;
}

static PyMethodDef module_methods[] = {
    {"_lower_isupper", mod_lower_isupper, METH_O,
     "_lower_isupper(word) -> (word.lower(), word.isupper()) as computed for tokens; for tests."},
    {"_round", mod_round, METH_VARARGS,
     "_round(x, ndigits) -> float: the rounding used for the scores (equal to round(x, ndigits)); "
     "for tests."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "readerpulse.score._vader",
    .m_doc = "VADER polarity scores in C, equal to vaderSentiment 3.3.2 (see readerpulse.score.vader).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__vader(void)
{
    if (PyType_Ready(&AnalyzerType) < 0)
        return NULL;
    if (!key_neg) {
        key_neg = PyUnicode_InternFromString("neg");
        key_neu = PyUnicode_InternFromString("neu");
        key_pos = PyUnicode_InternFromString("pos");
        key_compound = PyUnicode_InternFromString("compound");
        if (!key_neg || !key_neu || !key_pos || !key_compound)
            return NULL;
    }
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    Py_INCREF(&AnalyzerType);
    if (PyModule_AddObject(m, "Analyzer", (PyObject *)&AnalyzerType) < 0) {
        Py_DECREF(&AnalyzerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
