"""Tokens and stemmed content terms, one text at a time and column-wise."""

from __future__ import annotations

import csv

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from readerpulse.text import content_terms, normalise, stem, term_frame, tokenize
from readerpulse.text.stopwords import STOPWORDS

from tests.conftest import SAMPLE, shared_path


def test_tokens_are_lower_case_words_and_numbers() -> None:
    assert tokenize("Russia’s role: 5,000 civilians, 2.5 km!") == ["russia's", "role", "5,000", "civilians", "2.5", "km"]


def test_dotted_acronyms_meet_their_undotted_spelling() -> None:
    assert tokenize("The U.N. and the UN") == ["the", "un", "and", "the", "un"]
    assert tokenize("the U.S. said") == ["the", "usa", "said"]  # not the stop word "us"


def test_normalise_folds_typographic_quotes() -> None:
    assert normalise("“Don’t” ‘insult’") == "\"don't\" 'insult'"


def test_content_terms_drop_stop_words_and_possessives_and_stem() -> None:
    assert content_terms("The peacekeepers’ casualties were not verified by Russia's MoD") == [
        "peacekeep", "casualti", "verifi", "russia", "mod",
    ]


def test_numbers_lose_thousands_separators_and_are_not_stemmed() -> None:
    assert content_terms("5,000 civilians and 200 dead") == ["5000", "civilian", "200", "dead"]


def test_stem_is_snowball() -> None:
    assert [stem(w) for w in ("verification", "verified", "independent")] == ["verif", "verifi", "independ"]


def test_stopword_list_is_lower_case_and_shipped() -> None:
    assert "the" in STOPWORDS and "lol" in STOPWORDS
    assert all(w == w.lower() for w in STOPWORDS)


def _column_terms(texts: list[str]) -> list[tuple[int, str]]:
    frame = pl.DataFrame({"row": list(range(len(texts))), "text": texts})
    return list(term_frame(frame, ["row"]).iter_rows())


def _text_terms(texts: list[str]) -> list[tuple[int, str]]:
    return [(row, term) for row, text in enumerate(texts) for term in content_terms(text)]


def test_column_terms_equal_per_text_terms_on_the_sample_and_gold() -> None:
    texts = [p.read_text("utf-8") for p in sorted(SAMPLE.glob("*.txt"))]
    with shared_path("gold", "comments_dev.csv").open(encoding="utf-8", newline="") as fh:
        texts += [row["text"] for row in csv.DictReader(fh)]
    assert _column_terms(texts) == _text_terms(texts)


# Python 3.11 (Unicode 14) and the Rust regex crate (newer Unicode) disagree about characters
# assigned since, e.g. U+3D000; the property is checked on the assigned characters of the BMP.
BMP_TEXT = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs", "Cn")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.lists(BMP_TEXT, min_size=1, max_size=5))
def test_column_terms_equal_per_text_terms_on_any_text(texts: list[str]) -> None:
    assert _column_terms(texts) == _text_terms(texts)
