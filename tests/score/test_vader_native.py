"""Native VADER (readerpulse.score.vader, C in _vader.c) against vaderSentiment 3.3.2 itself.

Every comparison asks for the package's own floats: equal to 1e-9 (the requirement) and, checked
separately, bit-identical (what the C code is written for: same arithmetic, same order, Python's
rounding).
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readerpulse.score import _vader, vader
from vaderSentiment import vaderSentiment as package

PACKAGE = package.SentimentIntensityAnalyzer()
ICWSM_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "external" / "vader_icwsm2014"
ICWSM = ("tweets", "nytEditorialSnippets", "movieReviewSnippets", "amazonReviewSnippets")
COLUMNS = ("neg", "neu", "pos", "compound")
TOLERANCE = 1e-9

try:
    from readerpulse.text import split_sentences as _split_sentences
except ImportError:  # pragma: no cover - readerpulse.text is part of the project

    def _split_sentences(text: str) -> list[str]:
        return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


split_sentences: Callable[[str], list[str]] = _split_sentences


def read_icwsm(name: str) -> list[str]:
    """The texts of one ICWSM-2014 ground-truth file (id TAB mean TAB text, CRLF, no header)."""
    path = ICWSM_DIR / f"{name}_GroundTruth.txt"
    if not path.exists():
        pytest.skip(f"needs {path} (the project's shared material beside the repository clone)")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = fh.read().split("\r\n")
    return [row.split("\t", 2)[2] for row in rows if row]


def same_bits(a: float, b: float) -> bool:
    return a.hex() == b.hex()


def compare(texts: Sequence[str]) -> tuple[int, float, int]:
    """Score `texts` both ways (per text and as one batch); return (values, max |diff|, identical)."""
    expected = [PACKAGE.polarity_scores(t) for t in texts]
    single = [vader.polarity_scores(t) for t in texts]
    batch = vader.polarity_scores_many(texts)
    assert batch.schema == pl.Schema(vader.SCHEMA)
    assert batch.height == len(texts)
    columns = {name: batch[name].to_list() for name in COLUMNS}
    max_diff = 0.0
    identical = 0
    for i, (e, s) in enumerate(zip(expected, single, strict=True)):
        assert list(s) == list(e), texts[i]
        for name in COLUMNS:
            for got in (s[name], columns[name][i]):
                diff = abs(got - e[name])
                assert diff <= TOLERANCE, (texts[i], name, got, e[name])
                max_diff = max(max_diff, diff)
                identical += same_bits(got, e[name])
    return 2 * len(COLUMNS) * len(texts), max_diff, identical


def assert_identical(text: str) -> None:
    expected = PACKAGE.polarity_scores(text)
    got = vader.polarity_scores(text)
    assert list(got) == list(expected)
    assert [v.hex() for v in got.values()] == [v.hex() for v in expected.values()], (text, got, expected)
    batch = vader.polarity_scores_many([text]).row(0)
    assert [v.hex() for v in batch] == [v.hex() for v in expected.values()], (text, batch, expected)


# --- the tables ---------------------------------------------------------------------------------


def test_tables_are_parsed_as_the_package_parses_them() -> None:
    files = resources.files("vaderSentiment")
    lexicon = vader.make_lex_dict(files.joinpath("vader_lexicon.txt").read_bytes().decode("utf-8"))
    emojis = vader.make_emoji_dict(files.joinpath("emoji_utf8_lexicon.txt").read_bytes().decode("utf-8"))
    assert lexicon == PACKAGE.lexicon
    assert emojis == PACKAGE.emojis
    assert vader.PACKAGE_VERSION == vader.SUPPORTED_VERSION == "3.3.2"


def test_lexicon_hash_is_sha256_of_both_files() -> None:
    files = resources.files("vaderSentiment")
    digest = hashlib.sha256()
    for name in ("vader_lexicon.txt", "emoji_utf8_lexicon.txt"):
        digest.update(files.joinpath(name).read_bytes())
    assert vader.lexicon_hash() == digest.hexdigest()


# --- (1) and (2): every ICWSM-2014 text and sentence ---------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", ICWSM)
def test_every_icwsm_text_scores_as_the_package(name: str) -> None:
    texts = read_icwsm(name)
    assert texts
    values, max_diff, identical = compare(texts)
    print(f"{name}: {len(texts)} texts, max |diff| {max_diff!r}, {identical}/{values} values bit-identical")
    assert identical == values, f"{values - identical} of {values} values differ in their last bits"


@pytest.mark.slow
@pytest.mark.parametrize("name", ICWSM)
def test_every_icwsm_sentence_scores_as_the_package(name: str) -> None:
    sentences = [s for text in read_icwsm(name) for s in split_sentences(text)]
    assert sentences
    values, max_diff, identical = compare(sentences)
    print(f"{name}: {len(sentences)} sentences, max |diff| {max_diff!r}, {identical}/{values} bit-identical")
    assert identical == values, f"{values - identical} of {values} values differ in their last bits"


# --- (3) generated comment-like text -------------------------------------------------------------

LEXICON_WORDS = sorted(PACKAGE.lexicon)
BOOSTERS = sorted(package.BOOSTER_DICT)
NEGATIONS = [
    *package.NEGATE, "n't", "don't", "doesn't", "isn't", "wasn't", "can't", "won't", "ain't",
    "don’t", "Isn't", "NEVER", "Not",
]
RULE_WORDS = [
    "but", "BUT", "But", "least", "at", "very", "kind", "of", "sort", "no", "No", "NO", "or", "nor",
    "never", "so", "this", "without", "doubt", "just", "enough", "the", "a",
]
PHRASES = [
    *package.SPECIAL_CASES, *package.SENTIMENT_LADEN_IDIOMS,
    "kind of", "sort of", "kind of good", "just enough", "at least", "very least", "the least",
    "no good", "no doubt", "no fun or joy", "no X nor good", "never so good", "never this bad",
    "never really so nice", "without a doubt", "without doubt great", "not very good",
    "isn't really that bad", "the shit", "The Bomb", "YEAH RIGHT", "kiss of death",
    "to die for", "bus stop", "beating heart", "bad ass", "really not so bad", "kind of kind",
]
EMOJI_ONE = sorted(k for k in PACKAGE.emojis if len(k) == 1)
EMOJI_MORE = sorted(k for k in PACKAGE.emojis if len(k) > 1)
EMOTICONS = [":)", ":-(", ":(", ":D", ";)", "<3", ":-)", ":'(", "xD", ":P", "(:", "):", "^_^", "8-D"]
URLS = ["http://url_removed", "https://news.example/a?b=c!", "www.example.org", "@anonymous", "#great"]
ODD_WORDS = [
    "ΣΑΣ", "ΟΔΟΣ!", "İyi", "İ", "K", "ß", "ǅemal", "ﬁne", "ªb", "ÉTÉ", "café", "NAÏVE", "naïve",
    "’", "don’t", "I", "A", "OK", "ok", "123", "3.5", "1,000", "50%", "2nd", "&amp;", "&quot;good&quot;",
]
PUNCT = ["!", "!!", "!!!", "!!!!!", "?", "??", "???", "????", "?!", "!?", "...", ",", ".", "'", '"', "--", "*", "(", ")", "#"]
SPACES = [" ", " ", " ", " ", "  ", "\t", "\n", "\r\n", "\xa0", "\u2003", "\u3000", "\u1680", "\x85", "\x1c", "\u2028", "\u202f", "\x0b"]

words = st.one_of(
    st.sampled_from(LEXICON_WORDS),
    st.sampled_from(LEXICON_WORDS),
    st.sampled_from(BOOSTERS),
    st.sampled_from(NEGATIONS),
    st.sampled_from(RULE_WORDS),
    st.sampled_from(PHRASES),
    st.sampled_from(EMOJI_ONE),
    st.sampled_from(EMOJI_MORE),
    st.sampled_from(EMOTICONS),
    st.sampled_from(URLS),
    st.sampled_from(ODD_WORDS),
    st.sampled_from(PUNCT),
    st.integers(-10_000, 10_000).map(str),
    st.text(st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Nd", "So")), min_size=1, max_size=8),
)
CASES: dict[str, Callable[[str], str]] = {
    "as is": str,
    "upper": str.upper,
    "title": str.title,
    "lower": str.lower,
    "swapcase": str.swapcase,
}
cased = st.tuples(words, st.sampled_from(sorted(CASES))).map(lambda wc: CASES[wc[1]](wc[0]))
affix = st.sampled_from(["", "", "", "", *PUNCT, *EMOTICONS[:3]])
tokens = st.tuples(affix, cased, affix).map("".join)
separators = st.sampled_from(["", *SPACES])
comments = st.tuples(
    st.sampled_from(["", "", " ", "\t", "\xa0"]),
    st.lists(st.tuples(tokens, separators), max_size=40),
).map(lambda lead_items: lead_items[0] + "".join(t + s for t, s in lead_items[1]))
texts = st.one_of(comments, comments, comments, st.text(max_size=80))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_generated_comment_like_text_scores_as_the_package(text: str) -> None:
    assert_identical(text)


# --- (4) edge cases ------------------------------------------------------------------------------

EDGE_CASES = [
    "", " ", "   \t\n  ", "\xa0\u3000\u2028", "\x1c\x1d\x1e\x1f", "\x85",
    "!", "!!!", "?", "??", "?!?!", "!!!!!!!!", "...", ",.;:", "'\"'", "---",
    ":)", ":-(", ":D", "<3", "(:",
    "😀", "😀😀😀", "💘💋😁", "©®", "👍🏽", "❤️", "🇺🇸", "😀 😀", "good😀", "😀good", "\t😀", "🔛", "🆙!!",
    "a", "I", "NO", "no", "no no no", "no good", "NO GOOD", "not", "n't", "'", "''",
    "but", "BUT but", "good but", "but good", "good but good bad but good", "kind of", "kind",
    "least", "at least", "least good", "very least good", "the least good",
    "\x00", "good\x00bad", "\ud800 good \udfff", "x\U0001F600y", "ΣΑΣ ΟΔΟΣ", "İ", "ǅ",
    "The book was only kind of good.", "At least it isn't a horrible book.",
    "Sentiment analysis has never been this good!", "Without a doubt, excellent idea.",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "Today only kinda sux! But I'll get by, lol", "Make sure you :) or :D today!",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_score_as_the_package(text: str) -> None:
    assert_identical(text)


def test_empty_and_blank_texts_score_zero() -> None:
    for text in ("", " ", "\t\n\xa0"):
        assert vader.polarity_scores(text) == {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}


def test_very_long_texts_score_as_the_package() -> None:
    # The package is quadratic in the number of words around lexicon words: sizes kept modest.
    filler = "the cat sat on the mat and then went to the door with its owner "
    assert not any(w in PACKAGE.lexicon or w in package.BOOSTER_DICT for w in filler.split())
    assert_identical(filler * 1000 + "good but bad!!! 😀 not great")
    assert_identical("GOOD " + filler * 1000 + "?? but")
    sentimental = " ".join(LEXICON_WORDS[::15])  # ~500 lexicon words
    assert_identical(sentimental)
    assert_identical(sentimental + " but " + sentimental.upper() + " ??")
    assert_identical(" ".join(f"{w} the" for w in LEXICON_WORDS[::15]) + " but not very good")
    assert_identical("no " * 500 + "good")
    assert_identical("😀" * 300)


def test_non_str_input_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="text must be str"):
        vader.polarity_scores(b"good")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"texts\[1\] must be str"):
        vader.polarity_scores_many(["good", None])  # type: ignore[list-item]


def test_many_of_nothing_is_an_empty_frame() -> None:
    frame = vader.polarity_scores_many([])
    assert frame.height == 0
    assert frame.schema == pl.Schema(vader.SCHEMA)


def test_many_takes_any_sequence_and_keeps_order() -> None:
    items = ("good", "bad", "", "😀 café", "not bad at all")
    frame = vader.polarity_scores_many(items)
    assert frame.rows() == [tuple(PACKAGE.polarity_scores(t).values()) for t in items]


def test_threads_score_the_same_in_parallel() -> None:
    batch = [f"{w} but ÉTÉ naïve {w.upper()}!! 😀" for w in LEXICON_WORDS[:400]]
    expected = vader.polarity_scores_many(batch)
    results: list[pl.DataFrame] = []

    def work() -> None:
        results.append(vader.polarity_scores_many(batch))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for frame in results:
        assert frame.equals(expected)


# --- str.lower() / str.isupper() of non-ASCII tokens, done in C ------------------------------------


@pytest.mark.slow
def test_lower_and_isupper_are_pythons_for_every_code_point() -> None:
    for cp in range(0x110000):
        c = chr(cp)
        for word in (c, "A" + c, c + "a"):
            assert _vader._lower_isupper(word) == (word.lower(), word.isupper()), hex(cp)


SIGMA_ALPHABET = "ΣσςΑαAaﬁİǅ'.\u0345\u00ad\u0300\u02b0\u2160 1-"


@given(st.text(st.sampled_from(SIGMA_ALPHABET) | st.characters(), min_size=1, max_size=12))
def test_lower_and_isupper_are_pythons_in_context(word: str) -> None:
    # capital sigma lowers to final sigma by its (case-ignorable-skipping) neighbours
    assert _vader._lower_isupper(word) == (word.lower(), word.isupper())


# --- rounding as Python rounds -------------------------------------------------------------------


def test_rounding_is_pythons_round_near_every_tie() -> None:
    for ndigits in (3, 4):
        scale = 10**ndigits
        for k in range(-scale, scale):
            for x in ((k + 0.5) / scale, k / scale):
                for y in (x, math.nextafter(x, math.inf), math.nextafter(x, -math.inf)):
                    assert _vader._round(y, ndigits).hex() == round(y, ndigits).hex(), (y, ndigits)


@given(st.floats(min_value=-1.0, max_value=1.0, allow_nan=False), st.sampled_from([3, 4]))
def test_rounding_is_pythons_round(x: float, ndigits: int) -> None:
    assert _vader._round(x, ndigits).hex() == round(x, ndigits).hex()


# --- sentences scored inside their text (score_sentences) ---------------------------------------
#
# score_sentences scores a sentence from the tokens of its whole text when no whitespace-delimited
# piece runs across the sentence's edges (and on its own otherwise): each sentence's scores must
# still be the package's polarity_scores of the sentence alone.


def assert_sentences_identical(texts: Sequence[str], spans: bytes | None = None) -> int:
    """score_sentences(texts) against the package, text by text and sentence by sentence."""
    from readerpulse.text.sentences import sentence_spans_raw

    raw = spans if spans is not None else sentence_spans_raw(texts)
    comments, sentences = vader.analyzer().score_sentences(texts, raw)
    m = len(raw) // 16
    index, start, end = (memoryview(raw).cast("i")[k * m : (k + 1) * m] for k in range(3))
    got_texts = memoryview(comments).cast("d")
    got_sentences = memoryview(sentences).cast("d")
    n = len(texts)
    for i, text in enumerate(texts):
        expected = list(PACKAGE.polarity_scores(text).values())
        assert [got_texts[c * n + i].hex() for c in range(4)] == [v.hex() for v in expected], text
    for k in range(m):
        sentence = texts[index[k]][start[k] : end[k]]
        expected = list(PACKAGE.polarity_scores(sentence).values())
        got = [got_sentences[c * m + k] for c in range(4)]
        assert [v.hex() for v in got] == [v.hex() for v in expected], (texts[index[k]], sentence, got, expected)
    return m


@pytest.mark.slow
@pytest.mark.parametrize("name", ICWSM)
def test_every_icwsm_sentence_scored_inside_its_text_as_the_package(name: str) -> None:
    assert assert_sentences_identical(read_icwsm(name)) > 0


ENDS = [".", "!", "?", "!!!", "?!", "...", ". 😀", "!😀", " 😀.", ".\n", "\n", "\n\n", ":)", "."]
sentence_texts = st.lists(
    st.tuples(comments, st.sampled_from(ENDS), st.sampled_from(["", " ", "  ", "\n", "\t", "\xa0", " 😀 "])),
    min_size=1,
    max_size=6,
).map(lambda parts: "".join(c + e + s for c, e, s in parts))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(sentence_texts, sentence_texts, texts), min_size=1, max_size=4))
def test_generated_sentences_score_inside_their_text_as_the_package(batch: list[str]) -> None:
    assert_sentences_identical(batch)


SENTENCE_EDGES = [
    "Good.Bad. Great!",  # no space after a full stop: one piece across two sentences
    "Great 😀. Awful 😡!",
    "😀Great. 😀Awful.",
    "Great.😀 Awful.",
    "GOOD. bad. GOOD BAD!!!",
    "Not good. But great!!! No. ok?? WHY??? 😀😀",
    "I love it\nI hate it\n\nmeh",
    "No way... really? Yes!!!! Without a doubt.",
]


def test_sentence_edges_score_as_the_package() -> None:
    assert assert_sentences_identical(SENTENCE_EDGES) >= len(SENTENCE_EDGES)


def raw_spans(rows: Sequence[tuple[int, int, int]]) -> bytes:
    """(text index, start, end) rows as score_sentences takes them (numbered 1, 2, ...)."""
    import array

    columns = [[r[k] for r in rows] for k in range(3)] + [list(range(1, len(rows) + 1))]
    return b"".join(array.array("i", col).tobytes() for col in columns)


def test_spans_in_any_order_score_as_the_package() -> None:
    texts = ["Good day. Bad night!", "Fine. 😀 Great!! Awful?"]
    rows = [(0, 0, 9), (0, 10, 20), (1, 0, 5), (1, 6, 15), (1, 16, 22)]
    assert len(texts[1]) == 22
    assert assert_sentences_identical(texts, raw_spans(list(reversed(rows)))) == 5
    assert assert_sentences_identical(texts, raw_spans(rows)) == 5


def test_spans_that_cut_a_word_score_as_the_package() -> None:
    # a piece of the text across a sentence's edge: that sentence is scored on its own
    texts = ["GOODbad day!! Great😀awful end", "no good :) at all"]
    assert (len(texts[0]), len(texts[1])) == (29, 17)
    rows = [(0, 0, 4), (0, 4, 13), (0, 14, 19), (0, 19, 20), (0, 20, 29), (1, 0, 7), (1, 7, 10), (1, 10, 17)]
    assert assert_sentences_identical(texts, raw_spans(rows)) == len(rows)


# ASCII texts take a path of their own in C (no emoji pass, pieces read from the bytes).
ascii_words = st.one_of(
    st.sampled_from([w for w in LEXICON_WORDS if w.isascii()]),
    st.sampled_from([w for w in BOOSTERS if w.isascii()]),
    st.sampled_from([w for w in NEGATIONS if w.isascii()]),
    st.sampled_from(RULE_WORDS),
    st.sampled_from(EMOTICONS),
    st.sampled_from(PUNCT),
    st.text(st.characters(max_codepoint=127), min_size=1, max_size=6),
)
ascii_texts = st.lists(
    st.tuples(st.tuples(ascii_words, st.sampled_from(sorted(CASES))).map(lambda wc: CASES[wc[1]](wc[0])),
              st.sampled_from(["", " ", " ", "  ", "\t", "\n", ". ", "! ", "? ", "\x0b", "\x1c"])),
    max_size=40,
).map(lambda items: "".join(t + s for t, s in items))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ascii_texts, min_size=1, max_size=3))
def test_generated_ascii_text_scores_as_the_package(batch: list[str]) -> None:
    for text in batch:
        assert text.isascii()
        assert_identical(text)
    assert_sentences_identical(batch)
