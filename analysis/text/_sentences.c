/*
 * readerpulse.text._sentences: readerpulse.text.split_sentences in C, equal to the Python/NLTK path.
 *
 * The specification is analysis/text/sentences.py `split_sentences_punkt`, which is
 *
 *   1. the text cut at every "\r" and "\n" (the pieces between them, stripped of Python white
 *      space, empty ones dropped: what re.split(r"\s*(?:\r\n|\r|\n)\s*") then strip() gives);
 *   2. a line without ".", "?" or "!" before its last white space is one sentence;
 *   3. otherwise NLTK 3.10's PunktSentenceTokenizer(params).span_tokenize(line), with params
 *      holding only abbreviation types (no collocations, sentence starters or orthographic
 *      context), then pieces without a word character (Python re \w) joined to the piece
 *      before, then each piece stripped, empty ones dropped.
 *
 * Punkt is mirrored function by function (PunktSentenceTokenizer._match_potential_end_contexts,
 * _slices_from_text, _realign_boundaries, text_contains_sentbreak, the first and second
 * annotation passes, _ortho_heuristic with empty parameters, PunktToken's properties and
 * PunktLanguageVars' expressions). NLTK compiles those expressions with the third-party `regex`
 * module, whose \s, \w and \d follow its own Unicode tables (not Python's): the caller passes
 * them as one byte per code point (bit 1: \s, 2: \w, 4: \d), computed from `regex` itself.
 * Python's own str.strip()/isspace() (Py_UNICODE_ISSPACE), re's \w (Py_UNICODE_ISALNUM or "_"),
 * str.isupper()/islower() of one character and str.lower() (CPython's full case mapping) are
 * used where the Python code uses them. string.whitespace is ASCII " \t\n\r\v\f".
 *
 * Work needs no Python object, so a batch (`spans_many`) runs without the GIL.
 * tests/text/test_sentences_native.py compares this with the Python path on every ICWSM-2014
 * text, the gold comments and generated text.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define N_CODEPOINTS 0x110000
#define RX_SPACE 1u
#define RX_WORD 2u
#define RX_DIGIT 4u

typedef struct {
    PyObject_HEAD
    uint8_t *table; /* N_CODEPOINTS entries */
    char **abbr;    /* ASCII abbreviation types */
    Py_ssize_t *abbr_len;
    Py_ssize_t n_abbr;
} Splitter;

/* ------------------------------------------------------------------------------------------ */
/* Growable arrays (PyMem_Raw*: usable without the GIL)                                        */

typedef struct {
    Py_ssize_t a, b;
} Span;

typedef struct {
    Span *v;
    Py_ssize_t n, cap;
} Spans;

static int spans_push(Spans *s, Py_ssize_t a, Py_ssize_t b)
{
    if (s->n == s->cap) {
        Py_ssize_t c = s->cap ? 2 * s->cap : 32;
        Span *v = PyMem_RawRealloc(s->v, (size_t)c * sizeof(Span));
        if (!v)
            return -1;
        s->v = v;
        s->cap = c;
    }
    s->v[s->n].a = a;
    s->v[s->n].b = b;
    s->n++;
    return 0;
}

typedef struct {
    Py_ssize_t pos;      /* the end character */
    Py_ssize_t after;    /* end of after_tok */
    Py_ssize_t next_tok; /* start of next_tok, or -1 */
} Match;

typedef struct {
    Match *v;
    Py_ssize_t n, cap;
} Matches;

static int matches_push(Matches *m, Match x)
{
    if (m->n == m->cap) {
        Py_ssize_t c = m->cap ? 2 * m->cap : 16;
        Match *v = PyMem_RawRealloc(m->v, (size_t)c * sizeof(Match));
        if (!v)
            return -1;
        m->v = v;
        m->cap = c;
    }
    m->v[m->n++] = x;
    return 0;
}

typedef struct {
    Spans lines_out; /* sentences of one text */
    Spans slices;    /* Punkt slices of one line */
    Spans realigned;
    Spans merged;
    Spans toks; /* word tokens of one context */
    Matches matches;
    Py_UCS4 *low; /* lowered token */
    Py_ssize_t low_cap;
} Work;

static void work_free(Work *w)
{
    PyMem_RawFree(w->lines_out.v);
    PyMem_RawFree(w->slices.v);
    PyMem_RawFree(w->realigned.v);
    PyMem_RawFree(w->merged.v);
    PyMem_RawFree(w->toks.v);
    PyMem_RawFree(w->matches.v);
    PyMem_RawFree(w->low);
    memset(w, 0, sizeof(*w));
}

/* ------------------------------------------------------------------------------------------ */
/* Character classes                                                                           */

typedef struct {
    int kind;
    const void *data;
} Text;

#define AT(t, i) PyUnicode_READ((t)->kind, (t)->data, (i))

static inline int rx(const Splitter *sp, Py_UCS4 c, unsigned bit)
{
    return c < N_CODEPOINTS && (sp->table[c] & bit);
}
#define RS(c) rx(sp, (c), RX_SPACE)
#define RW(c) rx(sp, (c), RX_WORD)
#define RD(c) rx(sp, (c), RX_DIGIT)

/* Python's str.isspace() of one character, and re's \w (str patterns) */
#define PY_SPACE(c) Py_UNICODE_ISSPACE(c)
#define PY_WORD(c) (Py_UNICODE_ISALNUM(c) || (c) == '_')

/* string.whitespace */
static inline int ascii_ws(Py_UCS4 c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
}

/* PunktLanguageVars._re_non_word_chars: [)";}\]*:@'({[‘’“”«»!?] */
static inline int non_word(Py_UCS4 c)
{
    switch (c) {
    case ')': case '"': case ';': case '}': case ']': case '*': case ':': case '@': case '\'':
    case '(': case '{': case '[': case 0x2018: case 0x2019: case 0x201c: case 0x201d:
    case 0xab: case 0xbb: case '!': case '?':
        return 1;
    default:
        return 0;
    }
}

/* PunktLanguageVars._re_word_start: [^\(\"\`{\[:;&\#\*@\)}\]\-,] */
static inline int word_start(Py_UCS4 c)
{
    switch (c) {
    case '(': case '"': case '`': case '{': case '[': case ':': case ';': case '&': case '#':
    case '*': case '@': case ')': case '}': case ']': case '-': case ',':
        return 0;
    default:
        return 1;
    }
}

/* re_boundary_realignment's class: ["')\]}‘’“”«»] */
static inline int closing_quote(Py_UCS4 c)
{
    switch (c) {
    case '"': case '\'': case ')': case ']': case '}': case 0x2018: case 0x2019: case 0x201c:
    case 0x201d: case 0xab: case 0xbb:
        return 1;
    default:
        return 0;
    }
}

static inline int sent_end_char(Py_UCS4 c)
{
    return c == '.' || c == '?' || c == '!';
}

/* ------------------------------------------------------------------------------------------ */
/* Punkt word tokens (PunktLanguageVars.word_tokenize) of t[lo, hi) as a string of its own      */

/* _re_multi_char_punct at p: (?:\-{2,}|\.{2,}|(?:\.\s){2,}\.); its length, or 0 */
static Py_ssize_t multi_char(const Splitter *sp, const Text *t, Py_ssize_t p, Py_ssize_t hi)
{
    if (p + 1 >= hi)
        return 0;
    Py_UCS4 c = AT(t, p), d = AT(t, p + 1);
    if (c == '-' && d == '-') {
        Py_ssize_t e = p + 2;
        while (e < hi && AT(t, e) == '-')
            e++;
        return e - p;
    }
    if (c != '.')
        return 0;
    if (d == '.') {
        Py_ssize_t e = p + 2;
        while (e < hi && AT(t, e) == '.')
            e++;
        return e - p;
    }
    /* (?:\.\s){2,}\. : as many ". " pairs as there are, then a "."; else one pair fewer */
    Py_ssize_t r = 0;
    while (p + 2 * r + 1 < hi && AT(t, p + 2 * r) == '.' && RS(AT(t, p + 2 * r + 1)))
        r++;
    if (r >= 2 && p + 2 * r < hi && AT(t, p + 2 * r) == '.')
        return 2 * r + 1;
    if (r >= 3)
        return 2 * r - 1;
    return 0;
}

/* The lookahead that ends a word: \s | $ | NonWord | MultiChar | ,(?=$|\s|NonWord|MultiChar) */
static int word_end_at(const Splitter *sp, const Text *t, Py_ssize_t e, Py_ssize_t hi)
{
    if (e >= hi)
        return 1;
    Py_UCS4 c = AT(t, e);
    if (RS(c) || non_word(c) || multi_char(sp, t, e, hi))
        return 1;
    if (c == ',') {
        if (e + 1 >= hi)
            return 1;
        Py_UCS4 d = AT(t, e + 1);
        return RS(d) || non_word(d) || multi_char(sp, t, e + 1, hi) > 0;
    }
    return 0;
}

static int word_tokens(const Splitter *sp, const Text *t, Py_ssize_t lo, Py_ssize_t hi, Spans *out)
{
    out->n = 0;
    Py_ssize_t p = lo;
    while (p < hi) {
        Py_ssize_t len = multi_char(sp, t, p, hi);
        if (len) {
            if (spans_push(out, p, p + len) < 0)
                return -1;
            p += len;
            continue;
        }
        Py_UCS4 c = AT(t, p);
        if (RS(c)) {
            p++;
            continue;
        }
        Py_ssize_t e = p + 1;
        if (word_start(c)) {
            /* (?=WordStart)\S+? : the shortest run of non-space characters followed by an end */
            while (!word_end_at(sp, t, e, hi))
                e++;
        }
        if (spans_push(out, p, e) < 0)
            return -1;
        p = e;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Token properties (PunktToken) and the annotation passes                                     */

static int lower_into(Work *w, const Text *t, Py_ssize_t a, Py_ssize_t b, Py_ssize_t *n)
{
    /* str.lower() of t[a, b): only compared with ASCII strings below, so the final-sigma rule
     * (capital sigma lowers to a non-ASCII sigma either way) needs no special case. */
    Py_ssize_t need = 3 * (b - a) + 1;
    if (need > w->low_cap) {
        Py_UCS4 *q = PyMem_RawRealloc(w->low, (size_t)need * sizeof(Py_UCS4));
        if (!q)
            return -1;
        w->low = q;
        w->low_cap = need;
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = AT(t, i);
        if (c < 128) {
            w->low[k++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        }
        else {
            Py_UCS4 mapped[3];
            int m = _PyUnicode_ToLowerFull(c, mapped);
            for (int j = 0; j < m; j++)
                w->low[k++] = mapped[j];
        }
    }
    *n = k;
    return 0;
}

static int is_abbrev(const Splitter *sp, const Py_UCS4 *s, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < sp->n_abbr; i++) {
        if (sp->abbr_len[i] != n)
            continue;
        const char *a = sp->abbr[i];
        Py_ssize_t j = 0;
        while (j < n && s[j] == (Py_UCS4)(unsigned char)a[j])
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

/* PunktToken._RE_NUMERIC: ^-?[\.,]?\d[\d,\.-]*\.?$ (on tok.lower(), which leaves these alone) */
static int is_number(const Splitter *sp, const Text *t, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t i = a;
    if (i < b && AT(t, i) == '-')
        i++;
    if (i < b && (AT(t, i) == '.' || AT(t, i) == ','))
        i++;
    if (i >= b || !RD(AT(t, i)))
        return 0;
    for (i++; i < b; i++) {
        Py_UCS4 c = AT(t, i);
        if (!(RD(c) || c == ',' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

typedef struct {
    int sentbreak, abbr, ellipsis;
} Ann;

/* _first_pass_annotation */
static int first_pass(const Splitter *sp, Work *w, const Text *t, Span k, Ann *ann)
{
    ann->sentbreak = ann->abbr = ann->ellipsis = 0;
    Py_ssize_t n = k.b - k.a;
    Py_UCS4 last = AT(t, k.b - 1);
    if (n == 1 && sent_end_char(last)) {
        ann->sentbreak = 1;
        return 0;
    }
    /* is_ellipsis: \.\.+$ */
    if (n >= 2) {
        Py_ssize_t i = k.a;
        while (i < k.b && AT(t, i) == '.')
            i++;
        if (i == k.b) {
            ann->ellipsis = 1;
            return 0;
        }
    }
    if (last == '.' && !(n >= 2 && AT(t, k.b - 2) == '.')) {
        Py_ssize_t ln;
        if (lower_into(w, t, k.a, k.b - 1, &ln) < 0)
            return -1;
        int abbr = is_abbrev(sp, w->low, ln);
        if (!abbr) {
            Py_ssize_t d = ln;
            while (d > 0 && w->low[d - 1] != '-')
                d--;
            if (d > 0) /* split("-")[-1]; without a "-" it is the whole string, tested above */
                abbr = is_abbrev(sp, w->low + d, ln - d);
        }
        if (abbr)
            ann->abbr = 1;
        else
            ann->sentbreak = 1;
    }
    return 0;
}

/* type_no_period == "##number##" for a period-final token */
static int number_type(const Splitter *sp, Work *w, const Text *t, Span k)
{
    if (is_number(sp, t, k.a, k.b))
        return 1;
    static const char lit[] = "##number##.";
    if (k.b - k.a != 11)
        return 0;
    Py_ssize_t ln;
    if (lower_into(w, t, k.a, k.b, &ln) < 0)
        return -1;
    if (ln != 11)
        return 0;
    for (int i = 0; i < 11; i++)
        if (w->low[i] != (Py_UCS4)lit[i])
            return 0;
    return 1;
}

/* _second_pass_annotation(tok1, tok2) with empty collocations, sentence starters and
 * orthographic context; returns the final sentbreak of tok1. */
static int final_sentbreak(const Splitter *sp, Work *w, const Text *t, Span k1, Span k2, Ann a1)
{
    if (AT(t, k1.b - 1) != '.')
        return a1.sentbreak;
    /* is_initial: [^\W\d]\.$ */
    int initial = k1.b - k1.a == 2 && RW(AT(t, k1.a)) && !RD(AT(t, k1.a));
    int number = number_type(sp, w, t, k1);
    if (number < 0)
        return -1;
    /* (abbr or ellipsis) and not initial: _ortho_heuristic cannot say True without orthographic
     * context, and there are no sentence starters: nothing changes. */
    if (initial || number) {
        Py_UCS4 c2 = AT(t, k2.a);
        int punct = k2.b - k2.a == 1 && (c2 == ';' || c2 == ':' || c2 == ',' || c2 == '.' ||
                                         c2 == '!' || c2 == '?');
        int ortho_false = punct || Py_UNICODE_ISLOWER(c2);
        if (ortho_false)
            return 0;
        if (initial && Py_UNICODE_ISUPPER(c2))
            return 0; /* "unknown", an initial, next word capitalised: J. Bach */
    }
    return a1.sentbreak;
}

/* text_contains_sentbreak(t[lo, hi)): a sentence break before the last token */
static int contains_sentbreak(const Splitter *sp, Work *w, const Text *t, Py_ssize_t lo, Py_ssize_t hi)
{
    if (word_tokens(sp, t, lo, hi, &w->toks) < 0)
        return -1;
    const Spans *k = &w->toks;
    if (k->n < 2)
        return 0;
    Ann cur;
    if (first_pass(sp, w, t, k->v[0], &cur) < 0)
        return -1;
    for (Py_ssize_t i = 0; i + 1 < k->n; i++) {
        Ann next;
        if (first_pass(sp, w, t, k->v[i + 1], &next) < 0)
            return -1;
        int brk = final_sentbreak(sp, w, t, k->v[i], k->v[i + 1], cur);
        if (brk)
            return brk; /* 1, or -1 on error */
        cur = next;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Punkt sentence spans of one line t[0, n) (PunktSentenceTokenizer.span_tokenize)              */

static int punkt_spans(const Splitter *sp, Work *w, const Text *t, Py_ssize_t n, Spans *out)
{
    /* period_context_re().finditer: [.?!](?=(?P<after_tok>NonWord|\s+(?P<next_tok>\S+))) */
    Matches *ms = &w->matches;
    ms->n = 0;
    for (Py_ssize_t i = 0; i + 1 < n; i++) {
        if (!sent_end_char(AT(t, i)))
            continue;
        Py_UCS4 c = AT(t, i + 1);
        Match m = {i, i + 2, -1};
        if (!non_word(c)) {
            if (!RS(c))
                continue;
            Py_ssize_t j = i + 1;
            while (j < n && RS(AT(t, j)))
                j++;
            if (j >= n)
                continue;
            Py_ssize_t e = j;
            while (e < n && !RS(AT(t, e)))
                e++;
            m.after = e;
            m.next_tok = j;
        }
        if (matches_push(ms, m) < 0)
            return -1;
    }

    /* _match_potential_end_contexts + _slices_from_text */
    Spans *slices = &w->slices;
    slices->n = 0;
    Py_ssize_t last_break = 0;
    Py_ssize_t prev_start = 0, prev_stop = 0;
    const Match *prev = NULL;
    for (Py_ssize_t q = 0; q <= ms->n; q++) {
        const Match *m = q < ms->n ? &ms->v[q] : NULL;
        Py_ssize_t word_start_ = 0;
        if (m) {
            /* _get_last_whitespace_index(text[prev_stop:m.pos]); 0 means "none" (even at 0) */
            Py_ssize_t idx = 0;
            for (Py_ssize_t i = m->pos - 1; i >= prev_stop; i--) {
                if (ascii_ws(AT(t, i))) {
                    idx = i - prev_stop;
                    break;
                }
            }
            word_start_ = idx ? idx + prev_stop + 1 : prev_start;
        }
        if (prev && (!m || prev_stop <= word_start_)) {
            int brk = contains_sentbreak(sp, w, t, prev_start, prev->after);
            if (brk < 0)
                return -1;
            if (brk) {
                if (spans_push(slices, last_break, prev->pos + 1) < 0)
                    return -1;
                last_break = prev->next_tok >= 0 ? prev->next_tok : prev->pos + 1;
            }
        }
        if (m) {
            prev = m;
            prev_start = word_start_;
            prev_stop = m->pos;
        }
    }
    Py_ssize_t end = n;
    while (end > 0 && PY_SPACE(AT(t, end - 1)))
        end--;
    if (spans_push(slices, last_break, end) < 0)
        return -1;

    /* _realign_boundaries */
    out->n = 0;
    Py_ssize_t realign = 0;
    for (Py_ssize_t i = 0; i < slices->n; i++) {
        Py_ssize_t a = slices->v[i].a + realign, b = slices->v[i].b;
        if (i + 1 == slices->n) {
            if (a < b && spans_push(out, a, b) < 0)
                return -1;
            continue;
        }
        /* re_boundary_realignment.match(text[s2]): ["')\]}‘’“”«»]+?(?:\s+|(?=--)|$) */
        Py_ssize_t s2a = slices->v[i + 1].a, s2b = slices->v[i + 1].b;
        if (s2b > n)
            s2b = n;
        Py_ssize_t mend = -1, grp = -1;
        for (Py_ssize_t k = s2a; k < s2b && closing_quote(AT(t, k)); k++) {
            Py_ssize_t e = k + 1; /* after k + 1 - s2a quote characters */
            if (e < s2b && RS(AT(t, e))) {
                Py_ssize_t f = e;
                while (f < s2b && RS(AT(t, f)))
                    f++;
                mend = f;
            }
            else if ((e + 1 < s2b && AT(t, e) == '-' && AT(t, e + 1) == '-') || e >= s2b) {
                mend = e;
            }
            if (mend >= 0) {
                grp = mend;
                while (grp > s2a && PY_SPACE(AT(t, grp - 1))) /* m.group(0).rstrip() */
                    grp--;
                break;
            }
        }
        if (mend >= 0) {
            if (spans_push(out, a, grp) < 0)
                return -1;
            realign = mend - s2a;
        }
        else {
            realign = 0;
            if (a < b && spans_push(out, a, b) < 0)
                return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* split_sentences                                                                             */

static int has_word(const Text *t, Py_ssize_t a, Py_ssize_t b)
{
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = AT(t, i);
        if (PY_WORD(c))
            return 1;
    }
    return 0;
}

/* The sentences of the line t[lo, hi) (stripped, not empty), appended to out */
static int line_sentences(const Splitter *sp, Work *w, const Text *text, Py_ssize_t lo,
                          Py_ssize_t hi, Spans *out)
{
    /* _POSSIBLE_END: [.?!]\S*\s+\S -- in a stripped line, a ".", "?" or "!" before a space */
    Py_ssize_t first_end = -1, last_space = -1;
    for (Py_ssize_t i = lo; i < hi; i++) {
        Py_UCS4 c = AT(text, i);
        if (first_end < 0 && sent_end_char(c))
            first_end = i;
        if (PY_SPACE(c))
            last_space = i;
    }
    if (first_end < 0 || last_space < first_end)
        return spans_push(out, lo, hi);

    /* Punkt runs on the line as a string of its own: offsets relative to lo */
    Text line = *text;
    Py_ssize_t n = hi - lo;
    line.data = (const char *)text->data + lo * text->kind;
    if (punkt_spans(sp, w, &line, n, &w->realigned) < 0)
        return -1;
    Spans *merged = &w->merged;
    merged->n = 0;
    for (Py_ssize_t i = 0; i < w->realigned.n; i++) {
        Py_ssize_t a = w->realigned.v[i].a, b = w->realigned.v[i].b;
        if (merged->n && !has_word(&line, a, b < n ? b : n))
            merged->v[merged->n - 1].b = b; /* "great!!": Punkt's lone "!" stays with its sentence */
        else if (spans_push(merged, a, b) < 0)
            return -1;
    }
    for (Py_ssize_t i = 0; i < merged->n; i++) {
        Py_ssize_t a = merged->v[i].a, b = merged->v[i].b;
        if (b > n)
            b = n;
        while (a < b && PY_SPACE(AT(&line, a)))
            a++;
        while (b > a && PY_SPACE(AT(&line, b - 1)))
            b--;
        if (a < b && spans_push(out, lo + a, lo + b) < 0)
            return -1;
    }
    return 0;
}

static int split_text(const Splitter *sp, Work *w, const Text *t, Py_ssize_t n, Spans *out)
{
    out->n = 0;
    Py_ssize_t start = 0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        if (i < n) {
            Py_UCS4 c = AT(t, i);
            if (c != '\n' && c != '\r')
                continue;
        }
        Py_ssize_t a = start, b = i;
        while (a < b && PY_SPACE(AT(t, a)))
            a++;
        while (b > a && PY_SPACE(AT(t, b - 1)))
            b--;
        if (a < b && line_sentences(sp, w, t, a, b, out) < 0)
            return -1;
        start = i + 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Splitter type                                                                               */

static void Splitter_dealloc(Splitter *sp)
{
    for (Py_ssize_t i = 0; i < sp->n_abbr; i++)
        PyMem_Free(sp->abbr[i]);
    PyMem_Free(sp->abbr);
    PyMem_Free(sp->abbr_len);
    PyMem_Free(sp->table);
    Py_TYPE(sp)->tp_free((PyObject *)sp);
}

static PyObject *Splitter_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"table", "abbreviations", NULL};
    Py_buffer table;
    PyObject *abbreviations;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*O:Splitter", kwlist, &table, &abbreviations))
        return NULL;
    Splitter *sp = NULL;
    PyObject *seq = NULL;
    if (table.len != N_CODEPOINTS) {
        PyErr_Format(PyExc_ValueError, "table must have %d bytes, not %zd", N_CODEPOINTS, table.len);
        goto fail;
    }
    seq = PySequence_Fast(abbreviations, "abbreviations must be a sequence of str");
    if (!seq)
        goto fail;
    sp = (Splitter *)type->tp_alloc(type, 0);
    if (!sp)
        goto fail;
    sp->table = PyMem_Malloc(N_CODEPOINTS);
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    sp->abbr = PyMem_Calloc((size_t)n + 1, sizeof(char *));
    sp->abbr_len = PyMem_Calloc((size_t)n + 1, sizeof(Py_ssize_t));
    if (!sp->table || !sp->abbr || !sp->abbr_len) {
        PyErr_NoMemory();
        goto fail;
    }
    memcpy(sp->table, table.buf, N_CODEPOINTS);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        Py_ssize_t len;
        const char *s = PyUnicode_Check(item) ? PyUnicode_AsUTF8AndSize(item, &len) : NULL;
        if (!s || !PyUnicode_IS_ASCII(item)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "abbreviations must be ASCII str");
            goto fail;
        }
        sp->abbr[i] = PyMem_Malloc((size_t)len + 1);
        if (!sp->abbr[i]) {
            PyErr_NoMemory();
            goto fail;
        }
        memcpy(sp->abbr[i], s, (size_t)len + 1);
        sp->abbr_len[i] = len;
        sp->n_abbr = i + 1;
    }
    Py_DECREF(seq);
    PyBuffer_Release(&table);
    return (PyObject *)sp;
fail:
    Py_XDECREF(seq);
    Py_XDECREF(sp);
    PyBuffer_Release(&table);
    return NULL;
}

static int text_of(PyObject *obj, Text *t, Py_ssize_t *n, Py_ssize_t index)
{
    if (!PyUnicode_Check(obj)) {
        if (index < 0)
            PyErr_Format(PyExc_TypeError, "text must be str, not %.100s", Py_TYPE(obj)->tp_name);
        else
            PyErr_Format(PyExc_TypeError, "texts[%zd] must be str, not %.100s", index,
                         Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyUnicode_READY(obj) < 0)
        return -1;
    t->kind = PyUnicode_KIND(obj);
    t->data = PyUnicode_DATA(obj);
    *n = PyUnicode_GET_LENGTH(obj);
    return 0;
}

static PyObject *Splitter_split(Splitter *sp, PyObject *text)
{
    Text t;
    Py_ssize_t n;
    if (text_of(text, &t, &n, -1) < 0)
        return NULL;
    Work w = {0};
    Spans out = {0};
    PyObject *list = NULL;
    if (split_text(sp, &w, &t, n, &out) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    list = PyList_New(out.n);
    if (!list)
        goto done;
    for (Py_ssize_t i = 0; i < out.n; i++) {
        PyObject *s = PyUnicode_Substring(text, out.v[i].a, out.v[i].b);
        if (!s) {
            Py_CLEAR(list);
            goto done;
        }
        PyList_SET_ITEM(list, i, s);
    }
done:
    work_free(&w);
    PyMem_RawFree(out.v);
    return list;
}

/* Batches of at least this many texts are split without the GIL. */
#define RELEASE_GIL_FROM 16

typedef struct {
    int32_t *v;
    Py_ssize_t n, cap;
} I32s;

static int i32_push4(I32s *x, int32_t a, int32_t b, int32_t c, int32_t d)
{
    if (x->n + 4 > x->cap) {
        Py_ssize_t cap = x->cap ? 2 * x->cap : 4 * 1024;
        int32_t *v = PyMem_RawRealloc(x->v, (size_t)cap * sizeof(int32_t));
        if (!v)
            return -1;
        x->v = v;
        x->cap = cap;
    }
    x->v[x->n++] = a;
    x->v[x->n++] = b;
    x->v[x->n++] = c;
    x->v[x->n++] = d;
    return 0;
}

static PyObject *Splitter_spans_many(Splitter *sp, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"texts", NULL};
    PyObject *texts;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:spans_many", kwlist, &texts))
        return NULL;
    PyObject *tuple = PySequence_Tuple(texts);
    if (!tuple)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    if (n > INT32_MAX) {
        Py_DECREF(tuple);
        PyErr_SetString(PyExc_OverflowError, "too many texts for one call");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Text t;
        Py_ssize_t len;
        PyObject *obj = PyTuple_GET_ITEM(tuple, i);
        if (text_of(obj, &t, &len, i) < 0) {
            Py_DECREF(tuple);
            return NULL;
        }
        if (len > INT32_MAX) {
            Py_DECREF(tuple);
            PyErr_Format(PyExc_OverflowError, "texts[%zd] is too long", i);
            return NULL;
        }
    }
    Work w = {0};
    Spans out = {0};
    I32s rows = {0};
    int rc = 0;
    PyThreadState *ts = n >= RELEASE_GIL_FROM ? PyEval_SaveThread() : NULL;
    for (Py_ssize_t i = 0; i < n && rc == 0; i++) {
        PyObject *obj = PyTuple_GET_ITEM(tuple, i);
        Text t = {PyUnicode_KIND(obj), PyUnicode_DATA(obj)};
        rc = split_text(sp, &w, &t, PyUnicode_GET_LENGTH(obj), &out);
        for (Py_ssize_t k = 0; k < out.n && rc == 0; k++)
            rc = i32_push4(&rows, (int32_t)i, (int32_t)out.v[k].a, (int32_t)out.v[k].b, (int32_t)(k + 1));
    }
    if (ts)
        PyEval_RestoreThread(ts);
    work_free(&w);
    PyMem_RawFree(out.v);
    Py_DECREF(tuple);
    PyObject *spans = NULL;
    if (rc != 0) {
        PyErr_NoMemory();
        goto done;
    }
    /* column by column: all text indexes, all starts, all ends, all sentence numbers */
    Py_ssize_t s = rows.n / 4;
    spans = PyBytes_FromStringAndSize(NULL, rows.n * (Py_ssize_t)sizeof(int32_t));
    if (!spans)
        goto done;
    int32_t *o = (int32_t *)PyBytes_AS_STRING(spans);
    for (Py_ssize_t k = 0; k < s; k++)
        for (int c = 0; c < 4; c++)
            o[c * s + k] = rows.v[4 * k + c];
done:
    PyMem_RawFree(rows.v);
    return spans;
}

static PyMethodDef Splitter_methods[] = {
    {"split", (PyCFunction)Splitter_split, METH_O,
     "split(text) -> list[str]: the sentences of text, as readerpulse.text.split_sentences."},
    {"spans_many", (PyCFunction)(void (*)(void))Splitter_spans_many, METH_VARARGS | METH_KEYWORDS,
     "spans_many(texts) -> bytes: for every sentence of every text, int32 text index, start, end "
     "(code point offsets) and sentence number (from 1), column by column, in native byte order; "
     "texts in order, sentences in order."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SplitterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "readerpulse.text._sentences.Splitter",
    .tp_basicsize = sizeof(Splitter),
    .tp_dealloc = (destructor)Splitter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Splitter(table, abbreviations): sentence splitter; table: one byte per code point "
              "(1: regex \\s, 2: regex \\w, 4: regex \\d), abbreviations: Punkt abbreviation "
              "types (ASCII, lower case).",
    .tp_methods = Splitter_methods,
    .tp_new = Splitter_new,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "readerpulse.text._sentences",
    .m_doc = "Sentence splitting in C, equal to readerpulse.text.sentences.split_sentences_punkt.",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__sentences(void)
{
    if (PyType_Ready(&SplitterType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    Py_INCREF(&SplitterType);
    if (PyModule_AddObject(m, "Splitter", (PyObject *)&SplitterType) < 0) {
        Py_DECREF(&SplitterType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
