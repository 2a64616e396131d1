"""Topic tagging from keywords: score 1 - 0.5**k, thresholds, evidence, excludes, the schema."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest
from readerpulse.score.taxonomy import Taxonomy, parse_taxonomy
from readerpulse.score.topics import VERSION, fingerprint, topics_frame

from tests.model_helpers import keyword_model, saved, score_topics, trained_model

TAXONOMY = b"""
format = 2
[topics.widgets]
label = "Widgets"
keywords = ["widget*", "gadget", "cog"]
exclude = ["widget shop"]
[topics.pairs]
label = "Pairs"
description = "Needs two keywords."
threshold = 0.75
keywords = ["UN", "did nothing", "toothless"]
[skepticism]
keywords = ["widget"]
"""


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return parse_taxonomy(TAXONOMY, "test.toml")


def hits(texts: list[str | None], taxonomy: Taxonomy) -> list[tuple[int, str, float, list[str]]]:
    frame = pl.DataFrame({"comment_pk": range(1, len(texts) + 1), "text": texts}, schema={"comment_pk": pl.Int64, "text": pl.String})
    return [tuple(r) for r in score_topics(frame, taxonomy).sort("comment_pk", "topic").rows()]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a widget", [(1, "widgets", 0.5, ["widget*"])]),
        ("Widgets, WIDGETS, widgets", [(1, "widgets", 0.5, ["widget*"])]),  # a keyword counts once
        ("cog, gadget and widget", [(1, "widgets", 0.875, ["widget*", "gadget", "cog"])]),  # file order
        ("the widget shop", []),  # the look-alike is masked
        ("the widget shop sells a gadget", [(1, "widgets", 0.5, ["gadget"])]),
        ("the UN", []),  # one keyword: 0.5, under the threshold 0.75
        ("the UN did nothing", [(1, "pairs", 0.75, ["UN", "did nothing"])]),
        ("the un did nothing", []),  # UN is exact case
        ("nothing at all", []),
    ],
)
def test_score_threshold_evidence(text: str, expected: list[tuple[int, str, float, list[str]]], taxonomy: Taxonomy) -> None:
    assert hits([text], taxonomy) == expected


def test_only_hits_are_returned_with_the_key_and_schema(taxonomy: Taxonomy) -> None:
    frame = pl.DataFrame({"comment_pk": [7, 8, 9], "text": ["my eyes hurt", "a cog", "toothless UN, a gadget"]})
    found = score_topics(frame, taxonomy)
    assert found.schema == pl.Schema(
        {"comment_pk": pl.Int64, "topic": pl.String, "score": pl.Float64, "evidence": pl.List(pl.String)}
    )
    assert sorted(found.select("comment_pk", "topic").rows()) == [(8, "widgets"), (9, "pairs"), (9, "widgets")]


def test_skepticism_cues_are_not_topics(taxonomy: Taxonomy) -> None:
    assert {t for _, t, _, _ in hits(["widget"], taxonomy)} == {"widgets"}


def test_null_and_empty_texts_have_no_topics(taxonomy: Taxonomy) -> None:
    assert hits([None, ""], taxonomy) == []


def test_a_taxonomy_without_topics_gives_the_empty_schema(taxonomy: Taxonomy) -> None:
    empty = dataclasses.replace(taxonomy, topics=())
    frame = score_topics(pl.DataFrame({"comment_pk": [1], "text": ["widget"]}), empty)
    assert frame.height == 0 and frame.columns == ["comment_pk", "topic", "score", "evidence"]


def test_topics_frame_lists_the_taxonomy(taxonomy: Taxonomy) -> None:
    assert topics_frame(taxonomy).rows() == [("widgets", "Widgets", None), ("pairs", "Pairs", "Needs two keywords.")]


def test_fingerprint_follows_what_decides_the_hits(taxonomy: Taxonomy) -> None:
    model = keyword_model()

    def print_of(tax: Taxonomy, topic: str = "widgets") -> str:
        return fingerprint(tax.topic(topic), model)

    same = parse_taxonomy(TAXONOMY.replace(b'label = "Widgets"', b'label = "Renamed"\ndescription = "new"'))
    assert print_of(same) == print_of(taxonomy)
    for old, new in [
        (b'"cog"]', b'"cog", "sprocket"]'),
        (b'exclude = ["widget shop"]', b"exclude = []"),
        (b'exclude = ["widget shop"]', b'exclude = ["widget shop"]\nthreshold = 0.75'),
    ]:
        edited = parse_taxonomy(TAXONOMY.replace(old, new, 1))
        assert print_of(edited) != print_of(taxonomy), new
    # another topic's keywords do not change this one
    other = parse_taxonomy(TAXONOMY.replace(b'"toothless"]', b'"toothless", "veto"]'))
    assert print_of(other) == print_of(taxonomy)
    assert VERSION.startswith("topics-3")


def test_fingerprint_of_a_model_topic_follows_the_model(tmp_path: Path) -> None:
    taxonomy = parse_taxonomy(TAXONOMY)
    model = saved(trained_model(("widgets", "skepticism")), tmp_path / "m.model")
    base = fingerprint(taxonomy.topic("widgets"), model)
    assert base != fingerprint(taxonomy.topic("widgets"), keyword_model())
    retrained = saved(trained_model(("widgets", "pairs", "skepticism")), tmp_path / "n.model")
    assert fingerprint(taxonomy.topic("widgets"), retrained) != base
    # the model reads a topic's own keywords only: the cues and the other topics change nothing
    for old, new in [(b'keywords = ["widget"]', b'keywords = ["widget", "hoax"]'), (b'"toothless"]', b'"toothless", "veto"]')]:
        edited = parse_taxonomy(TAXONOMY.replace(old, new))
        assert fingerprint(edited.topic("widgets"), model) == base
    # a topic the model was not trained for keeps its keyword fingerprint under any model
    assert fingerprint(taxonomy.topic("pairs"), model) == fingerprint(taxonomy.topic("pairs"), keyword_model())
