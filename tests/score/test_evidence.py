"""hit_evidence: keywords then model words per hit, a word spelled like one of its keywords once."""

from __future__ import annotations

import numpy as np
import polars as pl
from readerpulse.score.evidence import hit_evidence
from readerpulse.score.features import TopWords

from tests.model_helpers import keyword_model, trained_model

LISTS = pl.List(pl.String)


def test_keywords_then_words_in_the_order_of_the_hits() -> None:
    model = trained_model(("alpha", "skepticism"))  # outputs: alpha 0, skepticism 1, tone 2
    matches = pl.DataFrame(
        {
            "alpha": [["ferry"], [], ["ferry", "harbour"]],
            "beta": [["council"], [], []],
            "skepticism": [[], ["?"], []],
        },
        schema={"alpha": LISTS, "beta": LISTS, "skepticism": LISTS},
    )
    found = TopWords(
        rows=np.array([0, 1, 2, 2], dtype=np.int64),
        outputs=np.array([0, 1, 0, 1], dtype=np.int32),
        words=pl.Series([["ferry", "again"], ["who checked", "?"], ["harbour", "ferry again"], ["never shown"]], dtype=LISTS),
    )
    hits = pl.DataFrame(
        {"_row": [2, 0, 0, 1], "label": ["alpha", "beta", "alpha", "skepticism"]},
        schema={"_row": pl.UInt32, "label": pl.String},
    )
    evidence = hit_evidence(hits, matches, model, found, ["?", "council", "ferry", "harbour"])
    assert evidence.to_list() == [
        ["ferry", "harbour", "ferry again"],  # the word "harbour" is a keyword of the hit: once
        ["council"],  # beta is decided by keywords alone
        ["ferry", "again"],
        ["?", "who checked"],
    ]


def test_without_words_or_hits() -> None:
    matches = pl.DataFrame({"alpha": [["a b"], []]}, schema={"alpha": LISTS})
    hits = pl.DataFrame({"_row": [0], "label": ["alpha"]}, schema={"_row": pl.UInt32, "label": pl.String})
    assert hit_evidence(hits, matches, keyword_model(), None, ["a b"]).to_list() == [["a b"]]
    assert hit_evidence(hits.clear(), matches, keyword_model(), None, []).to_list() == []
