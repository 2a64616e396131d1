"""The native passage links (`PassageIndex.link`, _links.c) give the reference's rows exactly.

The reference is `PassageIndex.link_reference`: the polars definition (term rows exploded and
joined). Compared on the seed articles' own comments, the labelled comment sets posted under
every seed article, the passages' own texts, hand-picked Unicode and punctuation cases, and
generated comment-like texts (Hypothesis), in batches, with the same rows, ranks and rounded
similarities, in the same order.
"""

from __future__ import annotations

import csv
import re
import string
import tempfile
import threading
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from readerpulse.score.links import LINK_SCHEMA, PassageIndex
from readerpulse.store import connect
from readerpulse.text.stopwords import STOPWORDS

from tests.conftest import SAMPLE

DATA = Path(__file__).resolve().parents[2] / "data" / "heldout"  # our own labelled sets: a varied corpus


@cache
def sample() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Passages and comments of the seed articles (data/sample), after `ingest`."""
    try:
        from readerpulse.ingest.api import ingest
    except ImportError:  # pragma: no cover - the ingesters are another engineer's
        pytest.skip("needs readerpulse.ingest")
    with tempfile.TemporaryDirectory() as tmp:
        conn = connect(Path(tmp) / "sample.duckdb")
        try:
            ingest(conn, [SAMPLE])
            passages = conn.sql("SELECT article_id, passage_no, kind, text FROM passages").pl()
            comments = conn.sql("SELECT comment_pk, article_id, text FROM comments ORDER BY comment_pk").pl()
        finally:
            conn.close()
    return passages, comments


@cache
def sample_index() -> PassageIndex:
    return PassageIndex(sample()[0])


def articles() -> list[str]:
    return sorted(set(sample()[0]["article_id"].to_list()))


def batch(texts: list[str | None], article_ids: list[str | None], first_pk: int = 1) -> pl.DataFrame:
    return pl.DataFrame(
        {"comment_pk": range(first_pk, first_pk + len(texts)), "article_id": article_ids, "text": texts},
        schema={"comment_pk": pl.Int64, "article_id": pl.String, "text": pl.String},
    )


def assert_same_links(comments: pl.DataFrame, index: PassageIndex | None = None) -> pl.DataFrame:
    index = index or sample_index()
    fast = index.link(comments)
    assert fast.schema == pl.Schema(LINK_SCHEMA)
    assert_frame_equal(fast, index.link_reference(comments), check_exact=True)
    return fast


def test_seed_comments_link_as_the_reference() -> None:
    links = assert_same_links(sample()[1])
    assert links.height > 0


def labelled_texts() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("own_set*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            texts += [row["text"] for row in csv.DictReader(f)]
    return texts


def test_labelled_comments_under_every_seed_article_link_as_the_reference() -> None:
    texts = labelled_texts()
    assert len(texts) > 300
    ids = articles()
    comments = batch([t for _ in ids for t in texts], [a for a in ids for _ in texts])
    links = assert_same_links(comments)
    assert links.height > len(texts)


def test_passage_texts_as_comments_link_as_the_reference() -> None:
    passages = sample()[0]
    sentences = [
        (a, s) for a, t in passages.select("article_id", "text").iter_rows() for s in re.split(r"(?<=[.!?])\s+", t)
    ]
    rows = list(passages.select("article_id", "text").iter_rows()) + sentences
    links = assert_same_links(batch([t for _, t in rows], [a for a, _ in rows]))
    assert set(links["rank"].to_list()) == {1, 2, 3}


EDGE_CASES = [
    "",
    " ",
    "U.S.",
    "the U.S. and the U.S.A. and u.s.a. and U.S.A.B.C. and the U.N. and e.g. i.e.",
    "US.S. xU.S. U.S.x U.S.A U.S.a.b. _U.S. 5U.S. é.U.S. ʼU.S.",
    "A.B.C.D.E.F. a.b. a.b.c. 1.2.3. a.1. ß.ü. Ş.Ş.Ş. ʼa.b.",
    "The map in paragraph 3 is wrong, Şuşa is further north. Ստեփանակերտ Москва",
    "Russia’s role, Russia's role, Russia‘s, Russiaʼs, Russia`s, Russia´s, Russia''s 's s's",
    "“quoted” «guillemets» „low“ ‟reversed”",
    "5,000 people, 5,000.50 dollars, 1,2,3,,4 2.5. 3..4 ,5 .5 1'000",
    "٣٤٥ people, १२३, １２３ verification, x² ½ Ⅷ ⅷ",
    "don't can't won't isn't o'clock rock'n'roll ''' 'tis",
    "ΣΑΣ ΟΔΟΣ figures",
    "İstanbul verification",
    "ǅemal ǈ ǋ titlecase verification",
    "ﬁgures ﬂow Straße STRASSE ẞ",
    "\u212a Kelvin \u212b angstrom",
    "cafe\u0301 café e\u0301 \u0301figures",
    "snake_case_figures a_b _x_",
    "zero\u200dwidth\u200cjoin\u2060 figures",
    "tie\u2040bar under\u203ftie",
    "emoji 🔥 figures 🇦🇲🇦🇲 👍🏽 ❤️",
    "\x00\x01 figures\x7f",
    "PEACEKEEPERS BLOCKADE FOOD MEDICINE Figures Verification",
    "verification " * 40,
    "a " * 100,
    "Russia`s role, rock`n`roll, don`t, internationalization`s figures`",
    "Figures VERIFICATION Independent internationalizations ab cd EF 12 3,456,789.10",
    "figures ab",
]


def test_edge_cases_link_as_the_reference() -> None:
    ids = articles()
    texts = EDGE_CASES + [t + " " + EDGE_CASES[2] for t in EDGE_CASES]
    assert_same_links(batch([t for t in texts for _ in ids], [a for _ in texts for a in ids]))
    # each alone, so that it ends the batch's text buffer (short keys near its end)
    for text in EDGE_CASES:
        assert_same_links(batch([text], [ids[0]]))


def test_nulls_unknown_articles_and_unsorted_keys() -> None:
    passages, comments = sample()
    texts: list[str | None] = comments["text"].to_list()[:30] + [None, "figures", None]
    ids: list[str | None] = comments["article_id"].to_list()[:30] + [articles()[0], None, None]
    ids[3] = "no-such-article"
    unsorted = batch(texts, ids).with_columns(comment_pk=pl.col("comment_pk") * 7919 % 101)
    assert_same_links(unsorted)
    assert_same_links(batch([None, None], [None, None]))
    assert_same_links(batch([], []))


def test_an_index_without_linkable_passages() -> None:
    index = PassageIndex(sample()[0].filter(pl.col("kind") == "title"))
    assert_same_links(batch(["figures verification"], [articles()[0]]), index)


def test_batches_of_one_index_give_what_one_batch_gives() -> None:
    comments = sample()[1]
    index = PassageIndex(sample()[0])
    whole = index.link_reference(comments)
    parts = pl.concat([index.link(comments[i : i + 7]) for i in range(0, comments.height, 7)])
    assert_frame_equal(parts, whole, check_exact=True)


def test_threads_sharing_an_index() -> None:
    index = PassageIndex(sample()[0])
    comments = batch(labelled_texts(), [articles()[i % 5] for i in range(len(labelled_texts()))])
    expected = index.link_reference(comments)
    results: list[pl.DataFrame] = []

    def work() -> None:
        for _ in range(3):
            results.append(index.link(comments))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 9
    for result in results:
        assert_frame_equal(result, expected, check_exact=True)


# --- generated texts -----------------------------------------------------------------------------


@cache
def passage_words() -> list[str]:
    return sorted({w for t in sample()[0]["text"].to_list() for w in re.findall(r"\S+", t)})


ODD = [
    "U.S.", "U.S.A.", "u.s.", "U.N.", "e.g.", "i.e.", "a.b.c.", "Ş.Ş.", "’s", "'s", "ʼs", "`", "´",
    "“", "”", "«", "»", "'", "''", ".", ",", "...", "5,000", "2.5", "1,2,3", "٣", "１２", "²",
    "Σ", "ς", "İ", "ǅ", "ß", "ẞ", "ﬁ", "\u212a", "\u0301", "_", "\u200d", "‿", "🔥", "🇦🇲", "\x00",
    "Ստեփանակերտ", "Москва", "Şuşa", "Türkiye", "Zoë",
]
CASES = [str, str.upper, str.lower, str.title, str.swapcase]
word = st.one_of(
    st.sampled_from(passage_words()) if (SAMPLE / "000_9b1a4bb79ebfd41b.txt").exists() else st.just("figures"),
    st.sampled_from(sorted(STOPWORDS)),
    st.sampled_from(ODD),
    st.integers(0, 100_000).map(lambda n: f"{n:,}"),
    st.text(st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Nd", "Nl", "Pc", "So")), min_size=1, max_size=6),
)
cased = st.tuples(word, st.sampled_from(CASES)).map(lambda wc: wc[1](wc[0]))
separator = st.sampled_from([" ", " ", " ", "", ".", ". ", ", ", "'", "’", "\n", "-", "\xa0", "!! ", "? "])
comment = st.lists(st.tuples(cased, separator), max_size=40).map(lambda items: "".join(w + s for w, s in items))
ascii_word = st.one_of(
    st.sampled_from([w for w in passage_words() if w.isascii()] or ["figures"]),
    st.sampled_from(sorted(STOPWORDS)),
    st.sampled_from([o for o in ODD if o.isascii()]),
    st.text(string.ascii_letters + string.digits + "'`.,_", min_size=1, max_size=12),
)
ascii_comment = st.lists(
    st.tuples(st.tuples(ascii_word, st.sampled_from(CASES)).map(lambda wc: wc[1](wc[0])), separator.filter(str.isascii)),
    max_size=40,
).map(lambda items: "".join(w + s for w, s in items))
texts = st.one_of(comment, comment, ascii_comment, ascii_comment, st.text(max_size=60), st.text(string.printable, max_size=60))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(texts, st.integers(0, 5)), min_size=1, max_size=12))
def test_generated_comments_link_as_the_reference(rows: list[tuple[str, int]]) -> None:
    ids = [*articles(), "not-an-article"]
    assert_same_links(batch([t for t, _ in rows], [ids[i % len(ids)] for _, i in rows]))


# --- stems: which tokens need the stemmer ---------------------------------------------------------

SUFFIXES = [
    "", "s", "es", "ies", "ied", "ed", "ing", "ingly", "edly", "eed", "eedly", "ly", "y", "ational",
    "tional", "enci", "anci", "abli", "entli", "izer", "ization", "ation", "ator", "alism", "aliti",
    "alli", "fulness", "ousli", "ousness", "iveness", "iviti", "biliti", "bility", "bli", "bly", "ogi",
    "ogy", "fulli", "lessli", "li", "alize", "icate", "iciti", "ical", "ful", "ness", "ative", "al",
    "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate", "iti",
    "ous", "ive", "ize", "ion", "sion", "tion", "e", "l", "ll", "ss", "sses", "us", "'s", "at", "bl",
    "iz", "bb", "dd", "tt", "ency", "ably", "ously", "ity", "ality", "ivity", "ology",
]
STEMS = ["a", "e", "y", "ab", "b", "bl", "d", "dy", "gener", "commun", "arsen", "hop", "ly", "ty", "sky",
         "at", "iz", "poss", "rat", "organ", "valen", "happ", "ugl", "earl", "onl", "sing", "gent", "id"]


def test_a_stem_is_a_prefix_of_its_word_then_one_of_the_stem_tails() -> None:
    """What _stem_prefixes relies on, for corpus words and suffix-stacked made-up ones."""
    from readerpulse.score.links import STEM_TAILS
    from readerpulse.text.tokens import stem

    words = {w.lower() for t in labelled_texts() + sample()[0]["text"].to_list() for w in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", t)}
    words |= {a + b + c for a in STEMS for b in SUFFIXES for c in ("", "s", "ly", "ness", "ing", "ed")}
    words |= {"skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early", "only", "singly", "news"}
    for word in sorted(words):
        s = stem(word)
        kept = next((i for i, (x, y) in enumerate(zip(s, word, strict=False)) if x != y), min(len(s), len(word)))
        assert kept >= 1 and s[kept:] in STEM_TAILS, (word, s)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("abcdeilnorstuyz'", min_size=1, max_size=14).filter(lambda w: w[0] != "'"), max_size=30))
def test_tokens_skipped_by_the_stem_prefixes_have_no_term_in_the_vocabulary(words: list[str]) -> None:
    from readerpulse.score.links import _stem_prefixes, _token_terms

    vocabulary = sorted({t for t in _token_terms(words + passage_words()) if t is not None})[::3]
    prefixes = _stem_prefixes(vocabulary)
    tokens = words + [w.lower() for w in passage_words()]
    full = _token_terms(tokens)
    filtered = _token_terms(tokens, prefixes)
    for token, term, kept in zip(tokens, full, filtered, strict=True):
        assert kept == term or (kept is None and term not in vocabulary), token
