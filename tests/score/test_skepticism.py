"""Skepticism from the taxonomy's [skepticism] cues: score, threshold, cues, schema, lexicon hash."""

from __future__ import annotations

import polars as pl
import pytest
from readerpulse.score import skepticism
from readerpulse.score.taxonomy import Taxonomy, parse_taxonomy

from tests.model_helpers import score_skepticism

TOPICS = b'format = 2\n[topics.t]\nlabel = "T"\nkeywords = ["figures"]\n'
TAXONOMY = TOPICS + b"""
[skepticism]
keywords = ["verif*", "propaganda", "who counted", "?"]
exclude = ["can't believe how"]
threshold = 0.75
"""


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return parse_taxonomy(TAXONOMY, "test.toml")


def judge(texts: list[str | None], taxonomy: Taxonomy) -> pl.DataFrame:
    frame = pl.DataFrame({"comment_pk": [3, 1, 2][: len(texts)], "text": texts}, schema={"comment_pk": pl.Int64, "text": pl.String})
    return score_skepticism(frame, taxonomy)


def test_one_row_per_comment_in_order_with_the_schema(taxonomy: Taxonomy) -> None:
    frame = judge(["Who counted? Propaganda.", None, "the figures"], taxonomy)
    assert frame.schema == pl.Schema(
        {"comment_pk": pl.Int64, "score": pl.Float64, "skeptical": pl.Boolean, "cues": pl.List(pl.String)}
    )
    assert frame.rows() == [
        (3, 0.875, True, ["propaganda", "who counted", "?"]),
        (1, 0.0, False, []),
        (2, 0.0, False, []),
    ]


@pytest.mark.parametrize(
    ("text", "score", "skeptical"),
    [
        ("Is it true?", 0.5, False),  # one cue: under the threshold 0.75
        ("Verified? Really?", 0.75, True),
        ("Unverified", 0.0, False),  # verif* starts a word
        ("Verified, verifiable, verification", 0.5, False),  # one keyword however often
        ("I can't believe how brave they are?", 0.5, False),  # the look-alike is masked
    ],
)
def test_score_and_threshold(text: str, score: float, skeptical: bool, taxonomy: Taxonomy) -> None:
    row = judge([text], taxonomy).row(0, named=True)
    assert (row["score"], row["skeptical"]) == (score, skeptical)


def test_without_a_skepticism_table_nothing_is_skeptical() -> None:
    frame = judge(["Who counted? Propaganda."], parse_taxonomy(TOPICS))
    assert frame.rows() == [(3, 0.0, False, [])]


def test_lexicon_hash_follows_the_cues(taxonomy: Taxonomy) -> None:
    before = skepticism.lexicon_hash(taxonomy)
    relabelled = parse_taxonomy(TAXONOMY.replace(b"[skepticism]", b'[skepticism]\nlabel = "Doubt"') + b"\n")
    assert skepticism.lexicon_hash(relabelled) == before
    assert skepticism.lexicon_hash(parse_taxonomy(TAXONOMY.replace(b'"?"]', b'"?", "fake"]'))) != before
    assert skepticism.lexicon_hash(parse_taxonomy(TAXONOMY.replace(b"0.75", b"0.5"))) != before
    assert skepticism.lexicon_hash(parse_taxonomy(TOPICS)) != before
