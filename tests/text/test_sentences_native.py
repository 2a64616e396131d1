"""The C sentence splitter (readerpulse.text._sentences) against the Python/NLTK Punkt path.

`split_sentences_punkt` runs NLTK's own PunktSentenceTokenizer; `split_sentences` and
`sentence_spans` run the C port. They must give the same sentences for every text: the
ICWSM-2014 texts, the labelled comment sets, generated comment-like text full of the characters
Punkt treats specially, and hand-picked edge cases.
"""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readerpulse.text.sentences import (
    regex_class_table,
    sentence_spans,
    sentence_spans_raw,
    split_sentences,
    split_sentences_punkt,
)

from tests.conftest import SHARED

ICWSM_DIR = SHARED / "external" / "vader_icwsm2014"
ICWSM = ("tweets", "nytEditorialSnippets", "movieReviewSnippets", "amazonReviewSnippets")
OWN_SETS = sorted((Path(__file__).resolve().parents[1] / "score" / "data").glob("*.csv"))


def assert_same(texts: list[str]) -> None:
    native = [split_sentences(t) for t in texts]
    spans, _ = sentence_spans(texts)
    batch: list[list[str]] = [[] for _ in texts]
    for index, start, end, number in spans.iter_rows():
        assert number == len(batch[index]) + 1
        batch[index].append(texts[index][start:end])
    for text, got, from_batch in zip(texts, native, batch, strict=True):
        expected = split_sentences_punkt(text)
        assert got == expected, text
        assert from_batch == expected, text


@pytest.mark.slow
@pytest.mark.parametrize("name", ICWSM)
def test_every_icwsm_text_splits_as_punkt(name: str) -> None:
    path = ICWSM_DIR / f"{name}_GroundTruth.txt"
    if not path.exists():
        pytest.skip(f"needs {path} (the project's shared material beside the repository clone)")
    with path.open(encoding="utf-8", newline="") as fh:
        texts = [row.split("\t", 2)[2] for row in fh.read().split("\r\n") if row]
    assert_same(texts)


def test_labelled_comments_split_as_punkt() -> None:
    texts = []
    for path in [SHARED / "gold" / "comments_dev.csv", *OWN_SETS]:
        if path.exists():
            with path.open(encoding="utf-8", newline="") as fh:
                texts.extend(row["text"] for row in csv.DictReader(fh))
    if not texts:
        pytest.skip(f"needs {SHARED / 'gold' / 'comments_dev.csv'} (the project's shared material beside the repository clone)")
    assert_same(texts)


EDGE_CASES = [
    "", " ", "\n\n", "x", ".", "!!", "?!", "a.", "A. B", "J. Bach wrote it. He did.", "a. b", "a. 5",
    "The U.N. Security Council met. Mr. Guterres spoke.", "It was 5 p.m. and the convoy left.",
    "He said 200. then more", "He said 200. Then more", "##number##. Next", "x ##NUMBER##. y",
    "ex-gen. Smith said. OK", "co-op. done. Yes", "Über. Ärger. ökonom. ǅx. Yes",
    '(Sent1.) Sent2.', '"Hi." she said. "Bye."', "It ended.\u201d Then silence.", "Wait... what? ok",
    "Wait . . . what. ok", "Really?! no. Yes!!! ok", "word.--next. ok", "no.\tYes.\x0bok.\x1cx. y",
    "end.\u00a0Next. one", "end.\u2028Next", "a.\x85b. c", "\u212a. x. y", "\u0130. x. y",
    "5.. then. x", "e.g. this. and i.e. that.", "...", ". . .", "a . . . b. c", "(a.) (b.) c.",
    "Great!! Really!! ok", "fine (and who knew they had any?). Next one.", "x.) y", "x.\"\" y. z",
    "first thought\n\nsecond thought\r\nthird", "  padded.  Also padded.  ", "\u0663. x. y",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_split_as_punkt(text: str) -> None:
    assert_same([text])


ATOMS = [
    ".", ".", "?", "!", " ", " ", "  ", "\n", "\r\n", "\t", "\xa0", "\u2009", "\x1c", "\x0b", "\x85",
    '"', "'", ")", "]", "}", "(", "[", "\u2018", "\u2019", "\u201c", "\u201d", "\xab", "\xbb", "-", "--",
    ",", ";", ":", "@", "*", "...", ". . .", "a", "B", "Mr", "U.S", "e.g", "No", "incl", "co-op",
    "J", "\u212a", "5", "1,000", "-3", ".5", "\u0663", "\xb2", "_", "word", "Word", "WORD", "\xe9clair",
    "\u01c5", "\u03a3", "\U0001f600", "\u0301", "##number##",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ATOMS), max_size=30).map("".join) | st.text(max_size=60))
def test_generated_text_splits_as_punkt(text: str) -> None:
    assert split_sentences(text) == split_sentences_punkt(text)


def test_regex_classes_follow_the_regex_module() -> None:
    table = regex_class_table()
    assert table[ord(" ")] == 1 and table[ord("a")] == 2 and table[ord("7")] == 6
    assert table[0x1C] == 0  # Python's str.isspace() says yes; regex's \s says no
    assert table[0x0663] & 4  # ARABIC-INDIC DIGIT THREE is a digit


def test_spans_of_nothing() -> None:
    frame, raw = sentence_spans([])
    assert frame.height == 0 and raw == b""
    assert sentence_spans_raw(["", "  "]) == b""


def test_non_str_is_refused_and_surrogates_split_as_punkt() -> None:
    with pytest.raises(TypeError, match=r"texts\[1\] must be str"):
        sentence_spans_raw(["ok", None])  # type: ignore[list-item]
    assert split_sentences("bad \ud800. Yes") == split_sentences_punkt("bad \ud800. Yes")


def test_threads_split_the_same_in_parallel() -> None:
    texts = [f"Item {i}. The U.N. met at 5 p.m. today!! Really? ok" for i in range(3000)]
    expected = sentence_spans_raw(texts)
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(sentence_spans_raw(texts))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4
