/*
 * readerpulse.score._links: passage links of a batch of comments, in one pass over each text.
 *
 * Mirrors analysis/score/links.py's columnar reference (PassageIndex.link_reference) for every
 * comment: the text is normalised as readerpulse.text.tokens.normalise_expr does ("U.S." -> "usa",
 * dotted acronyms undotted, typographic apostrophes and quotes folded, lower case), cut into the
 * tokens of WORD_PATTERN, and each token mapped to its content term. Nothing here knows Unicode
 * or English by itself; Python teaches it:
 *
 *   - code points: for each one met, whether polars' regex calls it \w, \d, and what polars'
 *     to_lowercase (after folding) makes of it; one whose lower case is not a single code point,
 *     or the context-dependent capital sigma, is "special": a text containing one is left to the
 *     reference (reported by tokenize);
 *   - tokens: each distinct token is reported once (tokenize returns the new ones) and Python
 *     gives its term (stop words, "'s", thousands separators, Snowball stem, exactly as
 *     term_frame) as the index of the term in the passages' vocabulary, or -1.
 *
 * Scoring is the reference's arithmetic: w = (1 + ln tf) * idf, divided by the L2 norm of the
 * comment's weights over the terms of its article, dot product with the passage vectors computed
 * by polars, similarity rounded half to even at 4 places (as polars' round), kept when >= the
 * minimum, ranked by similarity then passage number, best TOP_K. The texts are read without the
 * GIL; one Linker is used by one thread at a time (links.py holds a lock).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_CP 0x110000
#define F_KNOWN 1u
#define F_WORD 2u    /* \w */
#define F_DIGIT 4u   /* \d */
#define F_LETTER 8u  /* [^\W\d_] */
#define F_SPECIAL 16u

#define T_DROPPED (-1)
#define T_PENDING (-2)

typedef struct {
    uint64_t key; /* a short token's code points packed, else its hash (LONG_TOKEN in id); 0: empty */
    int32_t term;
    uint32_t id;
} TokenSlot;

typedef struct {
    uint32_t *a, *b;
    uint64_t cap;
} Scratch;

typedef struct {
    PyObject_HEAD
    /* code points */
    uint8_t *flags;  /* N_CP */
    uint32_t *lower; /* N_CP: folded, lower-cased code point */
    uint8_t *lflags; /* N_CP: flags of the lower case */
    /* articles: entries (term, idf) per article, postings per entry, passages per article */
    Py_ssize_t n_art;
    int64_t *ent_off;  /* n_art + 1 */
    int32_t *ent_term; /* n_ent */
    double *ent_idf;
    int64_t *post_off; /* n_ent + 1 */
    int32_t *post_pass; /* local passage index within the article */
    double *post_w;
    int64_t *pass_off; /* n_art + 1 */
    int32_t *pass_no;
    int64_t *tab_off; /* n_art: per-article open-addressing table of entries by term */
    uint32_t *tab_mask;
    int32_t *tab; /* entry index or -1 */
    int32_t max_pass;
    double min_sim;
    int32_t top_k;
    /* tokens */
    TokenSlot *slots;
    int slot_bits;
    uint64_t n_tokens;
    uint32_t *arena;
    uint64_t arena_len, arena_cap;
    int32_t *tok_term; /* by token id */
    uint32_t *tok_slot; /* token id -> slot */
    uint64_t *tok_off;  /* token id -> its code points in arena */
    uint32_t *tok_len;
    uint64_t tok_cap;
    uint64_t n_resolved; /* tokens [n_resolved, n_tokens) are pending */
    /* the batch last tokenized */
    Py_ssize_t b_rows;
    int32_t *b_art;
    int64_t *b_lo, *b_hi; /* per row: its tokens b_tok[lo..hi) */
    Py_ssize_t b_alloc;   /* rows b_art, b_lo, b_hi have room for */
    Scratch scratch;      /* per-text buffers, kept between batches */
    /* the last score()'s rows, kept between batches */
    int32_t *o_row, *o_pass, *o_rank;
    double *o_sim;
    uint64_t o_cap;
    int32_t *b_tok;
    int64_t b_len, b_cap;
    int ready;
} Linker;

/* ---------- small helpers ---------- */

static int grow(void **p, uint64_t *cap, uint64_t need, size_t size) {
    if (need <= *cap) return 0;
    uint64_t c = *cap ? *cap : 1024;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * size);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

static int get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, Py_ssize_t *n, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_SIMPLE) < 0) return -1;
    if (view->len % itemsize) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "%s: length not a multiple of %zd", what, itemsize);
        return -1;
    }
    *n = view->len / itemsize;
    return 0;
}

static void *copy_out(const Py_buffer *view) {
    void *p = malloc(view->len ? (size_t)view->len : 1);
    if (p && view->len) memcpy(p, view->buf, (size_t)view->len);
    return p;
}

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static inline uint64_t hash_final(uint64_t h) {
    h ^= h >> 29;
    return h ? h : 1;
}

/* ---------- token table ---------- */

#define LONG_TOKEN 0x80000000u

static inline uint64_t slot_of(uint64_t key, int bits) {
    return (key * 0x9E3779B97F4A7C15ull) >> (64 - bits);
}

static int token_rehash(Linker *self) {
    int bits = self->slot_bits + 1;
    uint64_t cap = 1ull << bits;
    TokenSlot *slots = calloc(cap, sizeof(TokenSlot));
    if (!slots) return -1;
    for (uint64_t t = 0; t < self->n_tokens; t++) {
        TokenSlot s = self->slots[self->tok_slot[t]];
        uint64_t i = slot_of(s.key, bits);
        while (slots[i].key) i = (i + 1) & (cap - 1);
        slots[i] = s;
        self->tok_slot[t] = (uint32_t)i;
    }
    free(self->slots);
    self->slots = slots;
    self->slot_bits = bits;
    return 0;
}

/*
 * Token id of s[0..n) (key: its code points packed when short, else its hash; flag LONG_TOKEN
 * for the latter; s may be NULL for a short token): its term (>= 0), T_DROPPED, or -(id) - 2
 * while its term is pending (a new token is added so); INT64_MIN when out of memory.
 */
static inline int64_t token_id(Linker *self, const uint32_t *s, uint32_t n, uint64_t key, uint32_t flag) {
    uint64_t mask = (1ull << self->slot_bits) - 1;
    uint64_t i = slot_of(key, self->slot_bits);
    for (;;) {
        TokenSlot *slot = &self->slots[i];
        if (!slot->key) break;
        if (slot->key == key && (slot->id & LONG_TOKEN) == flag) {
            uint32_t id = slot->id & ~LONG_TOKEN;
            int same = 1;
            if (flag) {
                same = self->tok_len[id] == n;
                const uint32_t *t = self->arena + self->tok_off[id];
                for (uint32_t k = 0; same && k < n; k++) same = t[k] == s[k];
            }
            if (same) return slot->term == T_PENDING ? -(int64_t)id - 2 : slot->term;
        }
        i = (i + 1) & mask;
    }
    /* new token */
    uint32_t unpacked[8];
    if (!s) {
        /* a short token given by its key alone */
        n = 0;
        for (uint64_t x = key; x; x >>= 8) unpacked[n++] = (uint32_t)(x & 0xFF);
        s = unpacked;
    }
    if (grow((void **)&self->arena, &self->arena_cap, self->arena_len + n, sizeof(uint32_t)) < 0) return INT64_MIN;
    uint64_t need = self->n_tokens + 1, cap;
    cap = self->tok_cap;
    if (grow((void **)&self->tok_slot, &cap, need, sizeof(uint32_t)) < 0) return INT64_MIN;
    cap = self->tok_cap;
    if (grow((void **)&self->tok_term, &cap, need, sizeof(int32_t)) < 0) return INT64_MIN;
    cap = self->tok_cap;
    if (grow((void **)&self->tok_off, &cap, need, sizeof(uint64_t)) < 0) return INT64_MIN;
    cap = self->tok_cap;
    if (grow((void **)&self->tok_len, &cap, need, sizeof(uint32_t)) < 0) return INT64_MIN;
    self->tok_cap = cap;
    uint32_t id = (uint32_t)self->n_tokens;
    memcpy(self->arena + self->arena_len, s, n * sizeof(uint32_t));
    self->tok_off[id] = self->arena_len;
    self->tok_len[id] = n;
    self->arena_len += n;
    TokenSlot *slot = &self->slots[i];
    slot->key = key;
    slot->term = T_PENDING;
    slot->id = id | flag;
    self->tok_slot[id] = (uint32_t)i;
    self->tok_term[id] = T_PENDING;
    self->n_tokens++;
    if (self->n_tokens * 2 > (1ull << self->slot_bits) && token_rehash(self) < 0) return INT64_MIN;
    return -(int64_t)id - 2;
}

/* ---------- per-text work ---------- */



static int scratch_fit(Scratch *s, uint64_t n) {
    if (n <= s->cap) return 0;
    uint64_t c = s->cap ? s->cap : 256;
    while (c < n) c *= 2;
    uint32_t *a = realloc(s->a, c * sizeof(uint32_t));
    if (!a) return -1;
    s->a = a;
    uint32_t *b = realloc(s->b, c * sizeof(uint32_t));
    if (!b) return -1;
    s->b = b;
    s->cap = c;
    return 0;
}

/* The texts of a batch: Arrow large_string offsets (n + 1) into UTF-8 data. */
typedef struct {
    Py_buffer v_off, v_data;
    const int64_t *off;
    const uint8_t *data;
    Py_ssize_t n;
} Texts;

static int texts_get(PyObject *offsets, PyObject *data, Texts *t) {
    Py_ssize_t n_off, n_data;
    if (get_buffer(offsets, &t->v_off, 8, &n_off, "offsets") < 0) return -1;
    if (get_buffer(data, &t->v_data, 1, &n_data, "data") < 0) {
        PyBuffer_Release(&t->v_off);
        return -1;
    }
    t->off = t->v_off.buf;
    t->data = t->v_data.buf;
    t->n = n_off - 1;
    int ok = n_off >= 1;
    for (Py_ssize_t i = 0; ok && i < t->n; i++)
        if (t->off[i] < 0 || t->off[i] > t->off[i + 1]) ok = 0;
    if (ok && t->off[t->n] > n_data) ok = 0;
    if (!ok) {
        PyBuffer_Release(&t->v_off);
        PyBuffer_Release(&t->v_data);
        PyErr_SetString(PyExc_ValueError, "bad text offsets");
        return -1;
    }
    return 0;
}

static void texts_release(Texts *t) {
    PyBuffer_Release(&t->v_off);
    PyBuffer_Release(&t->v_data);
}

/* Next code point of valid UTF-8 at p (< end); 0x110000 for a malformed sequence. */
static inline uint32_t utf8_next(const uint8_t **pp, const uint8_t *end) {
    const uint8_t *p = *pp;
    uint32_t c = *p++;
    if (c < 0x80) {
        *pp = p;
        return c;
    }
    int more;
    if (c >= 0xF0 && c < 0xF8) {
        more = 3;
        c &= 0x07;
    } else if (c >= 0xE0) {
        more = 2;
        c &= 0x0F;
    } else if (c >= 0xC0) {
        more = 1;
        c &= 0x1F;
    } else {
        *pp = p;
        return N_CP;
    }
    if (c >= 0xF8 || end - p < more) {
        *pp = end;
        return N_CP;
    }
    for (int k = 0; k < more; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *pp = p + k;
            return N_CP;
        }
        c = (c << 6) | (p[k] & 0x3F);
    }
    *pp = p + more;
    return c < N_CP && (c < 0xD800 || c > 0xDFFF) ? c : N_CP; /* surrogates: malformed */
}

/*
 * Normalise text p[0..len) into s->a as in normalise_expr, before folding and lower case (done
 * while tokenizing); returns the length, -1 when the text holds a special code point (or,
 * defensively, malformed UTF-8), -2 when it holds one not described yet.
 */
static Py_ssize_t normalise(const Linker *self, const uint8_t *p, Py_ssize_t len, Scratch *s, int ascii_ok) {
    const uint8_t *flags = self->flags;
    const uint8_t *end = p + len;
    uint32_t *a = s->a, *b = s->b;
    Py_ssize_t n = 0, last_dot = -8;
    int dotted = 0; /* some ".?." : "U.S." or a dotted acronym may be there */
    while (p < end) {
        uint32_t c;
        if (*p < 0x80) {
            c = *p++;
            if (c == '.') {
                if (last_dot == n - 2) dotted = 1;
                last_dot = n;
            }
            if (ascii_ok) {
                a[n++] = c;
                continue;
            }
        } else {
            c = utf8_next(&p, end);
            if (c >= N_CP) return -1;
        }
        uint8_t f = flags[c];
        if (!(f & F_KNOWN)) return -2;
        if (f & F_SPECIAL) return -1;
        a[n++] = c;
    }
    if (!dotted) return n;
    /* \b[Uu]\.[Ss]\.(?:[Aa]\.)?  ->  usa */
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n;) {
        uint32_t c = a[i];
        if (i + 3 < n && a[i + 1] == '.' && a[i + 3] == '.' && (c == 'U' || c == 'u') &&
            (a[i + 2] == 'S' || a[i + 2] == 's') && (i == 0 || !(flags[a[i - 1]] & F_WORD))) {
            b[m++] = 'u';
            b[m++] = 's';
            b[m++] = 'a';
            i += 4;
            if (i + 1 < n && (a[i] == 'A' || a[i] == 'a') && a[i + 1] == '.') i += 2;
            continue;
        }
        b[m++] = c;
        i++;
    }
    n = m;
    /* \b(L)\.(L)\.(?:(L)\.)?  ->  the letters */
    m = 0;
    for (Py_ssize_t i = 0; i < n;) {
        uint32_t c = b[i];
        if (i + 3 < n && b[i + 1] == '.' && b[i + 3] == '.' && (flags[c] & F_LETTER) &&
            (flags[b[i + 2]] & F_LETTER) && (i == 0 || !(flags[b[i - 1]] & F_WORD))) {
            a[m++] = c;
            a[m++] = b[i + 2];
            i += 4;
            if (i + 1 < n && (flags[b[i]] & F_LETTER) && b[i + 1] == '.') {
                a[m++] = b[i];
                i += 2;
            }
            continue;
        }
        a[m++] = c;
        i++;
    }
    return m;
}

/* An ASCII text in which neither "U.S." nor a dotted acronym occurs. */
static inline int plain_ascii(const uint8_t *p, Py_ssize_t len) {
    Py_ssize_t i = 0;
    uint64_t high = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        high |= w;
    }
    for (; i < len; i++) high |= p[i];
    if (high & 0x8080808080808080ull) return 0;
    /* both patterns need a letter, ".", a letter, "." */
    const uint8_t *q = p, *end = p + len;
    while ((q = memchr(q, '.', (size_t)(end - q))) != NULL) {
        if (end - q > 2 && q[2] == '.' && q > p && (unsigned)((q[1] | 0x20) - 'a') < 26u && (unsigned)((q[-1] | 0x20) - 'a') < 26u)
            return 0;
        q++;
    }
    return 1;
}

/*
 * Tokens of a plain ASCII text (see plain_ascii) appended to the batch, as the general path
 * finds them: folding and lower case are the ASCII tables' (backtick is an apostrophe); a token
 * of at most 8 letters, digits, "'", "." or "," is its own key, lower-cased by setting bit 5 of
 * each byte (which leaves digits and that punctuation as they are). `limit` is the end of the
 * readable data (keys are read 8 bytes at a time). Returns -1 when out of memory.
 */
static int tokenize_ascii(Linker *self, const uint8_t *p, Py_ssize_t len, const uint8_t *limit, uint32_t *tok) {
    static const uint64_t keep[9] = {0, 0xFFull, 0xFFFFull, 0xFFFFFFull, 0xFFFFFFFFull, 0xFFFFFFFFFFull,
                                     0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull};
    const uint8_t *lflags = self->lflags;
    const uint32_t *lower = self->lower;
    for (Py_ssize_t i = 0; i < len;) {
        uint8_t f = lflags[p[i]];
        if (!(f & (F_LETTER | F_DIGIT))) {
            i++;
            continue;
        }
        Py_ssize_t start = i;
        int backtick = 0;
        if (f & F_LETTER) {
            for (;;) {
                while (i < len && (lflags[p[i]] & F_LETTER)) i++;
                if (i + 1 < len && (p[i] == '\'' || p[i] == '`') && (lflags[p[i + 1]] & F_LETTER)) {
                    backtick |= p[i] == '`';
                    i++;
                    continue;
                }
                break;
            }
        } else {
            for (;;) {
                while (i < len && (lflags[p[i]] & F_DIGIT)) i++;
                if (i + 1 < len && (p[i] == '.' || p[i] == ',') && (lflags[p[i + 1]] & F_DIGIT)) {
                    i++;
                    continue;
                }
                break;
            }
        }
        uint32_t k = (uint32_t)(i - start);
        if (k < 2) continue; /* one character: never a term */
        uint64_t key;
        uint32_t flag = 0;
        const uint32_t *cps = NULL;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (k <= 8 && !backtick && p + start + 8 <= limit) {
            memcpy(&key, p + start, 8);
            key = (key | 0x2020202020202020ull) & keep[k];
        } else
#endif
        {
            uint64_t h = FNV_OFFSET;
            key = 0;
            for (uint32_t x = 0; x < k; x++) {
                uint32_t c = lower[p[start + x]];
                tok[x] = c;
                if (x < 8) key |= (uint64_t)c << (8 * x);
                h = (h ^ c) * FNV_PRIME;
            }
            if (k > 8) {
                key = hash_final(h);
                flag = LONG_TOKEN;
            }
            cps = tok;
        }
        int64_t id = token_id(self, cps, k, key, flag);
        if (id == INT64_MIN) return -1;
        /* a term id, or a pending token as -(token id) - 2 (its term is known by score()) */
        if (id != T_DROPPED) self->b_tok[self->b_len++] = (int32_t)id;
    }
    return 0;
}

/* ---------- Linker ---------- */

static void Linker_dealloc(Linker *self) {
    free(self->flags);
    free(self->lower);
    free(self->lflags);
    free(self->ent_off);
    free(self->ent_term);
    free(self->ent_idf);
    free(self->post_off);
    free(self->post_pass);
    free(self->post_w);
    free(self->pass_off);
    free(self->pass_no);
    free(self->tab_off);
    free(self->tab_mask);
    free(self->tab);
    free(self->slots);
    free(self->arena);
    free(self->tok_term);
    free(self->tok_slot);
    free(self->tok_off);
    free(self->tok_len);
    free(self->b_art);
    free(self->b_lo);
    free(self->b_hi);
    free(self->b_tok);
    free(self->scratch.a);
    free(self->scratch.b);
    free(self->o_row);
    free(self->o_pass);
    free(self->o_rank);
    free(self->o_sim);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Linker_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"ent_off", "ent_term", "ent_idf", "post_off", "post_pass", "post_w",
                             "pass_off", "pass_no", "min_similarity", "top_k", NULL};
    PyObject *objs[8];
    double min_sim;
    int top_k;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOOdi", kwlist, &objs[0], &objs[1], &objs[2], &objs[3],
                                     &objs[4], &objs[5], &objs[6], &objs[7], &min_sim, &top_k))
        return NULL;
    static const Py_ssize_t sizes[8] = {8, 4, 8, 8, 4, 8, 8, 4};
    Py_buffer views[8];
    Py_ssize_t lens[8];
    int got = 0;
    Linker *self = NULL;
    for (; got < 8; got++)
        if (get_buffer(objs[got], &views[got], sizes[got], &lens[got], kwlist[got]) < 0) goto fail;
    Py_ssize_t n_art = lens[0] - 1, n_ent = lens[1], n_post = lens[4];
    if (n_art < 0 || lens[2] != n_ent || lens[3] != n_ent + 1 || lens[5] != n_post || lens[6] != n_art + 1 ||
        top_k < 1) {
        PyErr_SetString(PyExc_ValueError, "inconsistent index arrays");
        goto fail;
    }
    self = (Linker *)type->tp_alloc(type, 0);
    if (!self) goto fail;
    self->n_art = n_art;
    self->min_sim = min_sim;
    self->top_k = top_k;
    self->flags = calloc(N_CP, 1);
    self->lower = calloc(N_CP, sizeof(uint32_t));
    self->lflags = calloc(N_CP, 1);
    self->ent_off = copy_out(&views[0]);
    self->ent_term = copy_out(&views[1]);
    self->ent_idf = copy_out(&views[2]);
    self->post_off = copy_out(&views[3]);
    self->post_pass = copy_out(&views[4]);
    self->post_w = copy_out(&views[5]);
    self->pass_off = copy_out(&views[6]);
    self->pass_no = copy_out(&views[7]);
    self->tab_off = malloc((size_t)(n_art + 1) * sizeof(int64_t));
    self->tab_mask = malloc((size_t)(n_art + 1) * sizeof(uint32_t));
    self->slots = calloc(1024, sizeof(TokenSlot));
    self->slot_bits = 10;
    if (!self->flags || !self->lower || !self->lflags || !self->ent_off || !self->ent_term || !self->ent_idf || !self->post_off ||
        !self->post_pass || !self->post_w || !self->pass_off || !self->pass_no || !self->tab_off ||
        !self->tab_mask || !self->slots) {
        PyErr_NoMemory();
        goto fail;
    }
    /* validate offsets */
    if (self->ent_off[0] != 0 || self->ent_off[n_art] != n_ent || self->post_off[0] != 0 ||
        self->post_off[n_ent] != n_post || self->pass_off[0] != 0 || self->pass_off[n_art] != lens[7]) {
        PyErr_SetString(PyExc_ValueError, "inconsistent index offsets");
        goto fail;
    }
    for (Py_ssize_t a = 0; a < n_art; a++) {
        int64_t np = self->pass_off[a + 1] - self->pass_off[a];
        if (self->ent_off[a + 1] < self->ent_off[a] || np < 0) {
            PyErr_SetString(PyExc_ValueError, "inconsistent index offsets");
            goto fail;
        }
        if (np > self->max_pass) self->max_pass = (int32_t)np;
        for (int64_t e = self->ent_off[a]; e < self->ent_off[a + 1]; e++) {
            if (self->post_off[e + 1] < self->post_off[e]) {
                PyErr_SetString(PyExc_ValueError, "inconsistent index offsets");
                goto fail;
            }
            for (int64_t p = self->post_off[e]; p < self->post_off[e + 1]; p++)
                if (self->post_pass[p] < 0 || self->post_pass[p] >= np) {
                    PyErr_SetString(PyExc_ValueError, "posting outside its article");
                    goto fail;
                }
        }
    }
    /* per-article tables */
    int64_t total = 0;
    for (Py_ssize_t a = 0; a < n_art; a++) {
        int64_t k = self->ent_off[a + 1] - self->ent_off[a];
        uint32_t cap = 8;
        while (cap < 2 * k) cap *= 2;
        self->tab_off[a] = total;
        self->tab_mask[a] = cap - 1;
        total += cap;
    }
    self->tab = malloc((size_t)(total ? total : 1) * sizeof(int32_t));
    if (!self->tab) {
        PyErr_NoMemory();
        goto fail;
    }
    memset(self->tab, 0xff, (size_t)total * sizeof(int32_t));
    for (Py_ssize_t a = 0; a < n_art; a++) {
        int32_t *tab = self->tab + self->tab_off[a];
        uint32_t mask = self->tab_mask[a];
        for (int64_t e = self->ent_off[a]; e < self->ent_off[a + 1]; e++) {
            uint32_t i = ((uint32_t)self->ent_term[e] * 2654435761u) & mask;
            while (tab[i] >= 0) {
                if (self->ent_term[tab[i]] == self->ent_term[e]) {
                    PyErr_SetString(PyExc_ValueError, "a term repeated within an article");
                    goto fail;
                }
                i = (i + 1) & mask;
            }
            tab[i] = (int32_t)e;
        }
    }
    for (int i = 0; i < 8; i++) PyBuffer_Release(&views[i]);
    return (PyObject *)self;
fail:
    for (int i = 0; i < got; i++) PyBuffer_Release(&views[i]);
    Py_XDECREF(self);
    return NULL;
}

static PyObject *Linker_set_codepoints(Linker *self, PyObject *args) {
    PyObject *o_cp, *o_flags, *o_lower;
    if (!PyArg_ParseTuple(args, "OOO", &o_cp, &o_flags, &o_lower)) return NULL;
    Py_buffer v_cp, v_flags, v_lower;
    Py_ssize_t n_cp, n_flags, n_lower;
    if (get_buffer(o_cp, &v_cp, 4, &n_cp, "codepoints") < 0) return NULL;
    if (get_buffer(o_flags, &v_flags, 1, &n_flags, "flags") < 0) {
        PyBuffer_Release(&v_cp);
        return NULL;
    }
    if (get_buffer(o_lower, &v_lower, 4, &n_lower, "lower") < 0) {
        PyBuffer_Release(&v_cp);
        PyBuffer_Release(&v_flags);
        return NULL;
    }
    int ok = n_cp == n_flags && n_cp == n_lower;
    const uint32_t *cps = v_cp.buf, *low = v_lower.buf;
    const uint8_t *fl = v_flags.buf;
    for (Py_ssize_t i = 0; ok && i < n_cp; i++)
        if (cps[i] >= N_CP || low[i] >= N_CP) ok = 0;
    if (ok) {
        for (Py_ssize_t i = 0; i < n_cp; i++) {
            self->flags[cps[i]] = (uint8_t)(fl[i] | F_KNOWN);
            self->lower[cps[i]] = low[i];
        }
        for (Py_ssize_t i = 0; i < n_cp; i++) self->lflags[cps[i]] = self->flags[low[i]];
    }
    PyBuffer_Release(&v_cp);
    PyBuffer_Release(&v_flags);
    PyBuffer_Release(&v_lower);
    if (!ok) {
        PyErr_SetString(PyExc_ValueError, "bad code point arrays");
        return NULL;
    }
    Py_RETURN_NONE;
}

/*
 * tokenize(offsets, data, articles, rows=None): tokens of every text whose article has passages
 * (int32 article index, -1 none), kept for score(). Returns (the new tokens, whose terms
 * set_terms takes in this order; int32 rows left to the reference; uint32 code points to
 * describe with set_codepoints; int32 rows holding them, to tokenize again with `rows` once
 * they are described, before score()).
 */
static PyObject *Linker_tokenize(Linker *self, PyObject *args) {
    PyObject *o_off, *o_data, *o_art, *o_rows = Py_None;
    if (!PyArg_ParseTuple(args, "OOO|O", &o_off, &o_data, &o_art, &o_rows)) return NULL;
    if (self->n_resolved != self->n_tokens) {
        PyErr_SetString(PyExc_RuntimeError, "terms of the previous tokens were not set");
        return NULL;
    }
    Texts texts;
    if (texts_get(o_off, o_data, &texts) < 0) return NULL;
    Py_ssize_t n = texts.n;
    Py_buffer v_art;
    Py_ssize_t n_art;
    if (get_buffer(o_art, &v_art, 4, &n_art, "articles") < 0) {
        texts_release(&texts);
        return NULL;
    }
    if (n_art != n) {
        PyBuffer_Release(&v_art);
        texts_release(&texts);
        PyErr_SetString(PyExc_ValueError, "one article per text");
        return NULL;
    }
    /* rows: all (a new batch), or some rows of the batch last tokenized (those to redo) */
    Py_buffer v_rows = {0};
    Py_ssize_t n_todo = n;
    const int32_t *todo = NULL;
    if (o_rows != Py_None) {
        int bad = get_buffer(o_rows, &v_rows, 4, &n_todo, "rows") < 0;
        if (!bad) {
            todo = v_rows.buf;
            bad = self->b_rows != n || !self->b_lo;
            for (Py_ssize_t i = 0; !bad && i < n_todo; i++) bad = todo[i] < 0 || todo[i] >= n;
            if (bad) {
                PyBuffer_Release(&v_rows);
                PyErr_SetString(PyExc_ValueError, "rows to redo must be rows of the batch last tokenized");
            }
        }
        if (bad) {
            PyBuffer_Release(&v_art);
            texts_release(&texts);
            return NULL;
        }
    }
    self->ready = 0;
    int err = 0;
    int32_t *special = NULL;
    uint64_t n_special = 0, special_cap = 0;
    uint32_t *missing = NULL;
    uint64_t n_missing = 0, missing_cap = 0;
    int32_t *redo = NULL;
    uint64_t n_redo = 0, redo_cap = 0;
    uint64_t first_new = self->n_tokens;
    Py_BEGIN_ALLOW_THREADS
    Scratch s = self->scratch;
    uint64_t cap = (uint64_t)self->b_cap;
    const int32_t *arts = v_art.buf;
    uint8_t *flags = self->flags;
    const uint32_t *lower = self->lower;
    int ascii_ok = 1;
    for (uint32_t c = 0; c < 0x80; c++)
        if ((flags[c] & (F_KNOWN | F_SPECIAL)) != F_KNOWN) ascii_ok = 0;
    if (!todo) {
        if (n > self->b_alloc) {
            free(self->b_art);
            free(self->b_lo);
            free(self->b_hi);
            self->b_art = malloc((size_t)n * sizeof(int32_t));
            self->b_lo = malloc((size_t)n * sizeof(int64_t));
            self->b_hi = malloc((size_t)n * sizeof(int64_t));
            self->b_alloc = n;
            if (!self->b_art || !self->b_lo || !self->b_hi) {
                err = 1;
                self->b_alloc = 0;
            }
        }
        self->b_len = 0;
    }
    for (Py_ssize_t x = 0; x < n_todo && !err; x++) {
        Py_ssize_t r = todo ? todo[x] : x;
        int32_t art = arts[r];
        if (art < 0 || art >= self->n_art) art = -1;
        self->b_art[r] = art;
        self->b_lo[r] = self->b_hi[r] = self->b_len;
        if (art < 0) continue;
        Py_ssize_t len = (Py_ssize_t)(texts.off[r + 1] - texts.off[r]);
        if (scratch_fit(&s, (uint64_t)len + 1) < 0) {
            err = 1;
            break;
        }
        if (ascii_ok && plain_ascii(texts.data + texts.off[r], len)) {
            if (((uint64_t)self->b_len + (uint64_t)len > cap &&
                 grow((void **)&self->b_tok, &cap, (uint64_t)self->b_len + (uint64_t)len, sizeof(int32_t)) < 0) ||
                tokenize_ascii(self, texts.data + texts.off[r], len, texts.data + texts.off[n], s.b) < 0) {
                err = 1;
                break;
            }
            self->b_hi[r] = self->b_len;
            continue;
        }
        Py_ssize_t m = normalise(self, texts.data + texts.off[r], len, &s, ascii_ok);
        if (m == -2) {
            /* code points to describe: the row is tokenized again once they are */
            self->b_art[r] = -1;
            if (grow((void **)&redo, &redo_cap, n_redo + 1, sizeof(int32_t)) < 0) {
                err = 1;
                break;
            }
            redo[n_redo++] = (int32_t)r;
            const uint8_t *p = texts.data + texts.off[r], *end = p + len;
            while (p < end) {
                uint32_t c = utf8_next(&p, end);
                if (c >= N_CP || (flags[c] & F_KNOWN) || flags[c] == 0x80) continue;
                if (grow((void **)&missing, &missing_cap, n_missing + 1, sizeof(uint32_t)) < 0) {
                    err = 1;
                    break;
                }
                missing[n_missing++] = c;
                flags[c] = 0x80; /* reported; cleared below */
            }
            continue;
        }
        if (m < 0) {
            if (grow((void **)&special, &special_cap, n_special + 1, sizeof(int32_t)) < 0) {
                err = 1;
                break;
            }
            special[n_special++] = (int32_t)r;
            self->b_art[r] = -1;
            continue;
        }
        /* tokens of WORD_PATTERN over the folded, lower-cased text */
        const uint32_t *a = s.a;
        uint32_t *tok = s.b;
        const uint8_t *lflags = self->lflags;
        for (Py_ssize_t i = 0; i < m;) {
            uint32_t c;
            uint8_t f = lflags[a[i]];
            if (!(f & (F_LETTER | F_DIGIT))) {
                i++;
                continue;
            }
            uint32_t k = 0, wide = 0;
            uint64_t key = 0;
#define PUSH(x)                                         \
    do {                                                \
        uint32_t x_ = (x);                              \
        if (k < 8) key |= (uint64_t)x_ << (8 * k);      \
        wide |= x_;                                     \
        tok[k++] = x_;                                  \
    } while (0)
            if (f & F_LETTER) {
                /* L+(?:'L+)* */
                for (;;) {
                    while (i < m && (lflags[a[i]] & F_LETTER)) {
                        PUSH(lower[a[i]]);
                        i++;
                    }
                    if (i + 1 < m && lower[a[i]] == '\'' && (lflags[a[i + 1]] & F_LETTER)) {
                        PUSH((uint32_t)'\'');
                        i++;
                        continue;
                    }
                    break;
                }
            } else {
                /* D+(?:[.,]D+)* */
                for (;;) {
                    while (i < m && (lflags[a[i]] & F_DIGIT)) {
                        PUSH(lower[a[i]]);
                        i++;
                    }
                    if (i + 1 < m && ((c = lower[a[i]]) == '.' || c == ',') && (lflags[a[i + 1]] & F_DIGIT)) {
                        PUSH(c);
                        i++;
                        continue;
                    }
                    break;
                }
            }
#undef PUSH
            if (k < 2) continue; /* one character: never a term */
            uint32_t flag = 0;
            if (k > 8 || wide > 0xFF) {
                /* a long token: its hash */
                uint64_t h = FNV_OFFSET;
                for (uint32_t x = 0; x < k; x++) h = (h ^ tok[x]) * FNV_PRIME;
                key = hash_final(h);
                flag = LONG_TOKEN;
            }
            int64_t id = token_id(self, tok, k, key, flag);
            if (id == INT64_MIN) {
                err = 1;
                break;
            }
            /* a term id, or a pending token as -(token id) - 2 (its term is known by score()) */
            if (id == T_DROPPED) continue;
            if ((uint64_t)self->b_len >= cap &&
                grow((void **)&self->b_tok, &cap, (uint64_t)self->b_len + 1, sizeof(int32_t)) < 0) {
                err = 1;
                break;
            }
            self->b_tok[self->b_len++] = (int32_t)id;
        }
        self->b_hi[r] = self->b_len;
    }
    for (uint64_t i = 0; i < n_missing; i++) flags[missing[i]] = 0;
    self->b_cap = (int64_t)cap;
    self->scratch = s;
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&v_art);
    if (todo) PyBuffer_Release(&v_rows);
    texts_release(&texts);
    if (err) {
        free(special);
        free(missing);
        free(redo);
        self->b_rows = 0;
        return PyErr_NoMemory();
    }
    self->b_rows = n;
    PyObject *tokens = PyList_New((Py_ssize_t)(self->n_tokens - first_new));
    for (uint64_t t = first_new; tokens && t < self->n_tokens; t++) {
        PyObject *u = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, self->arena + self->tok_off[t],
                                                (Py_ssize_t)self->tok_len[t]);
        if (!u) {
            Py_CLEAR(tokens);
            break;
        }
        PyList_SET_ITEM(tokens, (Py_ssize_t)(t - first_new), u);
    }
    PyObject *rows = PyBytes_FromStringAndSize((const char *)special, (Py_ssize_t)(n_special * sizeof(int32_t)));
    PyObject *cps = PyBytes_FromStringAndSize((const char *)missing, (Py_ssize_t)(n_missing * sizeof(uint32_t)));
    PyObject *again = PyBytes_FromStringAndSize((const char *)redo, (Py_ssize_t)(n_redo * sizeof(int32_t)));
    free(special);
    free(missing);
    free(redo);
    if (!tokens || !rows || !cps || !again) {
        Py_XDECREF(tokens);
        Py_XDECREF(rows);
        Py_XDECREF(cps);
        Py_XDECREF(again);
        return NULL;
    }
    self->ready = n_missing == 0;
    return Py_BuildValue("(NNNN)", tokens, rows, cps, again);
}

/* set_terms(terms): int32 term (or -1) of each new token of the last tokenize, in order. */
static PyObject *Linker_set_terms(Linker *self, PyObject *obj) {
    Py_buffer v;
    Py_ssize_t n;
    if (get_buffer(obj, &v, 4, &n, "terms") < 0) return NULL;
    if ((uint64_t)n != self->n_tokens - self->n_resolved) {
        PyBuffer_Release(&v);
        PyErr_SetString(PyExc_ValueError, "one term per new token");
        return NULL;
    }
    const int32_t *terms = v.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t t = self->n_resolved + (uint64_t)i;
        int32_t term = terms[i] < 0 ? T_DROPPED : terms[i];
        self->tok_term[t] = term;
        self->slots[self->tok_slot[t]].term = term;
    }
    self->n_resolved = self->n_tokens;
    PyBuffer_Release(&v);
    Py_RETURN_NONE;
}

typedef struct {
    int32_t pass;
    double sim;
} Cand;

/* better: higher similarity, then lower passage number */
static inline int better(const Cand *x, const Cand *y, const int32_t *pass_no) {
    if (x->sim != y->sim) return x->sim > y->sim;
    return pass_no[x->pass] < pass_no[y->pass];
}

/* score(): (int32 rows, int32 passage_no, int32 rank, float64 similarity) of the last tokenize. */
static PyObject *Linker_score(Linker *self, PyObject *Py_UNUSED(ignored)) {
    if (!self->ready || self->n_resolved != self->n_tokens) {
        PyErr_SetString(PyExc_RuntimeError, "score() needs tokenize() and the terms of its new tokens");
        return NULL;
    }
    self->ready = 0;
    int err = 0;
    uint64_t n_out = 0;
    Py_BEGIN_ALLOW_THREADS
    int32_t *ent = NULL, *cnt = NULL;
    double *w = NULL;
    uint64_t cap = 0;
    int32_t top_k = self->top_k;
    double *acc = calloc((size_t)self->max_pass + 1, sizeof(double));
    uint8_t *hit = calloc((size_t)self->max_pass + 1, 1);
    Cand *best = malloc((size_t)(top_k + 1) * sizeof(Cand));
    if (!acc || !hit || !best) err = 1;
    for (Py_ssize_t r = 0; r < self->b_rows && !err; r++) {
        int32_t art = self->b_art[r];
        if (art < 0) continue;
        int64_t lo = self->b_lo[r], hi = self->b_hi[r];
        if (hi == lo) continue;
        uint64_t need = (uint64_t)(hi - lo);
        if (need > cap) {
            uint64_t c = cap ? cap : 64;
            while (c < need) c *= 2;
            int32_t *e2 = realloc(ent, c * sizeof(int32_t));
            if (!e2) { err = 1; break; }
            ent = e2;
            int32_t *c2 = realloc(cnt, c * sizeof(int32_t));
            if (!c2) { err = 1; break; }
            cnt = c2;
            double *w2 = realloc(w, c * sizeof(double));
            if (!w2) { err = 1; break; }
            w = w2;
            cap = c;
        }
        const int32_t *tab = self->tab + self->tab_off[art];
        uint32_t mask = self->tab_mask[art];
        int32_t k = 0;
        for (int64_t i = lo; i < hi; i++) {
            int32_t term = self->b_tok[i];
            if (term < 0) term = self->tok_term[-(int64_t)term - 2];
            if (term < 0) continue;
            uint32_t h = ((uint32_t)term * 2654435761u) & mask;
            int32_t e;
            while ((e = tab[h]) >= 0 && self->ent_term[e] != term) h = (h + 1) & mask;
            if (e < 0) continue;
            int32_t j = 0;
            while (j < k && ent[j] != e) j++;
            if (j == k) {
                ent[k] = e;
                cnt[k] = 0;
                k++;
            }
            cnt[j]++;
        }
        if (k == 0) continue;
        double norm = 0.0;
        for (int32_t j = 0; j < k; j++) {
            w[j] = (1.0 + log((double)cnt[j])) * self->ent_idf[ent[j]];
            norm += w[j] * w[j];
        }
        norm = sqrt(norm);
        int64_t p0 = self->pass_off[art];
        int32_t np = (int32_t)(self->pass_off[art + 1] - p0);
        const int32_t *pass_no = self->pass_no + p0;
        for (int32_t j = 0; j < k; j++) {
            double wn = w[j] / norm;
            for (int64_t p = self->post_off[ent[j]]; p < self->post_off[ent[j] + 1]; p++) {
                int32_t q = self->post_pass[p];
                acc[q] += wn * self->post_w[p];
                hit[q] = 1;
            }
        }
        int32_t nb = 0;
        for (int32_t q = 0; q < np; q++) {
            if (!hit[q]) continue;
            Cand c = {q, nearbyint(acc[q] * 10000.0) / 10000.0};
            acc[q] = 0.0;
            hit[q] = 0;
            if (!(c.sim >= self->min_sim)) continue;
            int32_t pos = nb;
            while (pos > 0 && better(&c, &best[pos - 1], pass_no)) pos--;
            if (pos >= top_k) continue;
            int32_t last = nb < top_k ? nb : top_k - 1;
            for (int32_t x = last; x > pos; x--) best[x] = best[x - 1];
            best[pos] = c;
            if (nb < top_k) nb++;
        }
        if (n_out + (uint64_t)nb > self->o_cap) {
            uint64_t c_row = self->o_cap, c_pass = self->o_cap, c_rank = self->o_cap, c_sim = self->o_cap;
            uint64_t need = n_out + (uint64_t)nb + (uint64_t)(self->b_rows - r) * 2;
            if (grow((void **)&self->o_row, &c_row, need, sizeof(int32_t)) < 0 ||
                grow((void **)&self->o_pass, &c_pass, need, sizeof(int32_t)) < 0 ||
                grow((void **)&self->o_rank, &c_rank, need, sizeof(int32_t)) < 0 ||
                grow((void **)&self->o_sim, &c_sim, need, sizeof(double)) < 0) {
                err = 1;
                break;
            }
            self->o_cap = c_row;
        }
        int32_t *o_row = self->o_row, *o_pass = self->o_pass, *o_rank = self->o_rank;
        double *o_sim = self->o_sim;
        for (int32_t x = 0; x < nb; x++) {
            o_row[n_out] = (int32_t)r;
            o_pass[n_out] = pass_no[best[x].pass];
            o_rank[n_out] = x + 1;
            o_sim[n_out] = best[x].sim;
            n_out++;
        }
    }
    free(ent);
    free(cnt);
    free(w);
    free(acc);
    free(hit);
    free(best);
    Py_END_ALLOW_THREADS
    PyObject *result = NULL;
    if (err) {
        PyErr_NoMemory();
    } else {
        static const char empty[1] = "";
#define OR_EMPTY(p) ((p) ? (const char *)(p) : empty)
        result = Py_BuildValue("(y#y#y#y#)", OR_EMPTY(self->o_row), (Py_ssize_t)(n_out * 4),
                               OR_EMPTY(self->o_pass), (Py_ssize_t)(n_out * 4), OR_EMPTY(self->o_rank),
                               (Py_ssize_t)(n_out * 4), OR_EMPTY(self->o_sim), (Py_ssize_t)(n_out * 8));
#undef OR_EMPTY
    }
    return result;
}

static PyObject *Linker_n_tokens(Linker *self, void *Py_UNUSED(closure)) {
    return PyLong_FromUnsignedLongLong(self->n_tokens);
}

static PyMethodDef Linker_methods[] = {
    {"set_codepoints", (PyCFunction)Linker_set_codepoints, METH_VARARGS,
     "Describe code points: uint32 code points, uint8 flags, uint32 folded lower case."},
    {"tokenize", (PyCFunction)Linker_tokenize, METH_VARARGS,
     "Tokenize a batch (or rows of it again): (new tokens, int32 rows left to the reference, uint32 code "
     "points to describe, int32 rows to tokenize again once they are)."},
    {"set_terms", (PyCFunction)Linker_set_terms, METH_O, "int32 term of each new token (-1: none)."},
    {"score", (PyCFunction)Linker_score, METH_NOARGS,
     "Links of the batch last tokenized: int32 rows, passage_no, rank; float64 similarity."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Linker_getset[] = {
    {"n_tokens", (getter)Linker_n_tokens, NULL, "distinct tokens seen", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject LinkerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "readerpulse.score._links.Linker",
    .tp_basicsize = sizeof(Linker),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "TF-IDF passage linker of one passage index.",
    .tp_new = Linker_new,
    .tp_dealloc = (destructor)Linker_dealloc,
    .tp_methods = Linker_methods,
    .tp_getset = Linker_getset,
};

static struct PyModuleDef links_module = {
    PyModuleDef_HEAD_INIT, "_links", "Native passage links (see analysis/score/links.py).", -1, NULL, NULL, NULL, NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__links(void) {
    if (PyType_Ready(&LinkerType) < 0) return NULL;
    PyObject *m = PyModule_Create(&links_module);
    if (!m) return NULL;
    Py_INCREF(&LinkerType);
    if (PyModule_AddObject(m, "Linker", (PyObject *)&LinkerType) < 0) {
        Py_DECREF(&LinkerType);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddIntConstant(m, "F_WORD", F_WORD) < 0 || PyModule_AddIntConstant(m, "F_DIGIT", F_DIGIT) < 0 ||
        PyModule_AddIntConstant(m, "F_LETTER", F_LETTER) < 0 ||
        PyModule_AddIntConstant(m, "F_SPECIAL", F_SPECIAL) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
