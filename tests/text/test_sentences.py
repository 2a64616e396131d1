"""Sentence splitting: Punkt without downloaded data, abbreviations kept, line breaks respected."""

from __future__ import annotations

import pytest
from readerpulse.text import split_sentences


def test_splits_on_sentence_ends() -> None:
    assert split_sentences("Peacekeepers. PEACEKEEPERS. What peace did they keep? Zero.") == [
        "Peacekeepers.",
        "PEACEKEEPERS.",
        "What peace did they keep?",
        "Zero.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.N. Security Council met. Mr. Guterres spoke.", ["The U.N. Security Council met.", "Mr. Guterres spoke."]),
        ("Some reports say 5 dead, incl. a deputy commander. Others say 6.", ["Some reports say 5 dead, incl. a deputy commander.", "Others say 6."]),
        ("It was 5 p.m. and the convoy left.", ["It was 5 p.m. and the convoy left."]),
    ],
)
def test_abbreviations_do_not_end_a_sentence(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_repeated_punctuation_stays_with_its_sentence() -> None:
    assert split_sentences("WHERE IS THE UN?? WHERE IS THE EU?? nobody.") == [
        "WHERE IS THE UN??",
        "WHERE IS THE EU??",
        "nobody.",
    ]


def test_line_breaks_end_sentences() -> None:
    assert split_sentences("first thought\n\nsecond thought\r\nthird") == [
        "first thought",
        "second thought",
        "third",
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_sentences_are_the_text_in_order() -> None:
    text = "Red Cross says it moved 100+ wounded. Which tells you the figure is right!  OK?"
    assert " ".join(split_sentences(text)) == " ".join(text.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("customer service is non-existent!!", ["customer service is non-existent!!"]),
        ("Great!! Really!! ok", ["Great!!", "Really!!", "ok"]),
        ("fine (and who knew they had any?). Next one.", ["fine (and who knew they had any?).", "Next one."]),
    ],
)
def test_punctuation_only_fragments_stay_with_their_sentence(text: str, expected: list[str]) -> None:
    # Untrained Punkt alone cuts "non-existent!!" into "non-existent!" and "!".
    assert split_sentences(text) == expected


def test_a_line_without_a_possible_end_is_one_sentence() -> None:
    text = "  no full stop here, just a comma and an emoji 😀  "
    assert split_sentences(text) == [text.strip()]
