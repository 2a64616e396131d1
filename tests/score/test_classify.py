"""classify: the evidence of every model hit, parts on threads, parents' keyword counts reused."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest
from readerpulse.score import classify as classify_module
from readerpulse.score import features
from readerpulse.score.classify import (
    CANDIDATE_WORDS,
    EVIDENCE_WORDS,
    _function_words,
    classify,
    keyword_counts,
    parent_keyword_counts,
)
from readerpulse.score.keywords import keyword_matches
from readerpulse.score.model import Model
from readerpulse.score.taxonomy import Taxonomy, parse_taxonomy

from tests.model_helpers import trained_model

TAXONOMY = b"""
format = 2
[topics.alpha]
label = "Alpha"
keywords = ["ferry", "harbour"]
[topics.beta]
label = "Beta"
keywords = ["council"]
[skepticism]
keywords = ["who checked", "?"]
"""

TEXTS = [
    "the ferry again, the ferry again and the harbour",
    "who checked these numbers? lovely",
    "the council met today, awful awful",
    "",
    None,
    "?!",
    "news from the region: the ferry again, who checked these numbers",
    "another day lovely lovely",
] * 3
PARENTS = [None, "the ferry again", "the council met today", None, "who checked these numbers?", None, "", "news"] * 3


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return parse_taxonomy(TAXONOMY, "test.toml")


@pytest.fixture(scope="module")
def model() -> Model:
    return trained_model(("alpha", "skepticism"))


def comments() -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = pl.DataFrame(
        {"comment_pk": range(len(TEXTS)), "text": TEXTS, "parent_text": PARENTS},
        schema={"comment_pk": pl.Int64, "text": pl.String, "parent_text": pl.String},
    )
    rng = np.random.default_rng(2)
    vader = pl.DataFrame({name: rng.uniform(-1, 1, len(TEXTS)) for name in ("neg", "neu", "pos", "compound")})
    return frame, vader


def reference_words(model: Model, label: str, normal: str) -> list[str]:
    """The words the evidence of a hit of `label` takes from the model, in plain Python."""
    column = model.sparse_weights[:, model.labels.index(label)]
    ranked = features.top_words_reference(normal, model.bits, column, CANDIDATE_WORDS, _function_words(model.bits))
    return list(dict.fromkeys(word for word, _ in ranked))[:EVIDENCE_WORDS]


@pytest.mark.parametrize("at_a_score", [False, True])
def test_every_model_hit_has_the_words_of_the_reference(taxonomy: Taxonomy, model: Model, at_a_score: bool) -> None:
    # the C projection finds words only where a hit may be: no hit may miss its words, not even
    # one whose score (rounded to 4 places) is its threshold exactly
    frame, vader = comments()
    normal = features.normalise(frame["text"]).to_list()
    if at_a_score:  # each label's threshold: the lowest score of a comment with words for it
        scores = classify(frame, vader, taxonomy, model).scores
        thresholds = {
            label: min(s for s, text in zip(scores[label], normal, strict=True) if s > 0 and reference_words(model, label, text))
            for label in model.labels
        }
        model = dataclasses.replace(model, thresholds=thresholds)
    result = classify(frame, vader, taxonomy, model)
    hits = [(row, topic, evidence) for row, topic, _, evidence in result.topic_hits.rows()]
    hits += [(row, "skepticism", cues) for row, _, skeptical, cues in result.skepticism.rows() if skeptical]
    assert {label for _, label, _ in hits} == {"alpha", "beta", "skepticism"}  # beta: keywords alone
    matches = keyword_matches(frame["text"], taxonomy)
    for row, label, evidence in hits:
        words = reference_words(model, label, normal[row]) if label in model.labels else []
        assert evidence == list(dict.fromkeys(matches[label][row].to_list() + words)), (row, label)


def test_parts_on_threads_give_the_same_rows(taxonomy: Taxonomy, model: Model, monkeypatch: pytest.MonkeyPatch) -> None:
    frame, vader = comments()
    whole = classify(frame, vader, taxonomy, model)
    monkeypatch.setattr(classify_module, "MIN_PART", 2)
    parts = classify(frame, vader, taxonomy, model, workers=3)
    assert parts.topic_hits.sort("comment_pk", "topic").equals(whole.topic_hits.sort("comment_pk", "topic"))
    for name in ("skepticism", "tone", "scores"):
        assert getattr(parts, name).equals(getattr(whole, name)), name


def test_an_empty_batch(taxonomy: Taxonomy, model: Model) -> None:
    frame, vader = comments()
    result = classify(frame.clear(), vader.clear(), taxonomy, model)
    assert (result.topic_hits.height, result.skepticism.height, result.tone.height) == (0, 0, 0)


def test_parents_take_the_counts_of_a_comment_with_their_text(taxonomy: Taxonomy) -> None:
    labels = ("alpha", "beta", "skepticism", "not_in_the_taxonomy")
    texts = pl.Series([t or "" for t in TEXTS])
    counts = keyword_counts(keyword_matches(texts, taxonomy), labels)
    parents = pl.Series(PARENTS, dtype=pl.String)
    alone = parent_keyword_counts(parents, taxonomy, labels)
    assert np.array_equal(parent_keyword_counts(parents, taxonomy, labels, (texts, counts)), alone)
    expected = keyword_counts(keyword_matches(parents.fill_null(""), taxonomy), labels)
    assert np.array_equal(alone, expected)
    assert alone[1].tolist() == [1, 0, 0, 0] and alone[4].tolist() == [0, 0, 2, 0]
