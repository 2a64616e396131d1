"""Models for the tests: a keywords-only model built in code, and a small trained one.

The suite never scores with the shipped model (analysis/score/models/), so retraining it cannot
break a test: tests/conftest.py points $READERPULSE_MODEL at `keyword_model()` saved once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl
from readerpulse.score import features
from readerpulse.score.model import Model, save
from readerpulse.score.taxonomy import Taxonomy
from readerpulse.train import TrainConfig, TrainingRows, fit

BITS = 8


def keyword_model() -> Model:
    """A model trained for no label (the keywords decide every topic and skepticism) whose tone
    is VADER's compound."""
    names = features.dense_names(())
    dense = np.zeros((len(names), 1), dtype=np.float32)
    dense[names.index("vader_compound"), 0] = 1.0
    return Model(
        bits=BITS, labels=(), keyword_labels=(), sparse_weights=np.zeros((1 << BITS, 1), dtype=np.float32),
        dense_weights=dense, bias=np.zeros(1, dtype=np.float32), thresholds={}, tone_cuts=(-0.05, 0.05),
        meta={"purpose": "tests"},
    )


def saved(model: Model, path: Path) -> Model:
    """The model as `load` gives it back from `path` (with its SHA-256)."""
    from readerpulse.score.model import load

    save(model, path)
    return load(path)


def no_keywords(texts: pl.Series, labels: Sequence[str]) -> np.ndarray:
    return np.zeros((len(texts), len(labels)), dtype=np.float32)


def synthetic_rows(labels: Sequence[str] = ("alpha", "skepticism"), n: int = 120) -> TrainingRows:
    """Comments where 'ferry' marks the first label, 'who checked' skepticism, 'lovely'/'awful' the tone."""
    rng = np.random.default_rng(7)
    fillers = ["the council met today", "people are talking", "news from the region", "another day"]
    first = labels[0]
    records = []
    for i in range(n):
        marked, skeptic, tone = i % 3 == 0, i % 4 == 1, (i % 5) - 2
        words = [fillers[rng.integers(len(fillers))]]
        if marked:
            words.append("the ferry again")
        if skeptic:
            words.append("who checked these numbers")
        words.append({-2: "awful awful", -1: "awful", 0: "", 1: "lovely", 2: "lovely lovely"}[tone])
        record: dict[str, object] = {
            "id": f"c{i}", "source": "labels", "thread": f"t{i // 2}", "text": " ".join(words),
            "parent_text": None, "weight": 1.0, "tone": tone / 2,
        }
        for label in labels:
            record[label] = int(skeptic) if label == "skepticism" else int(marked) if label == first else 0
        records.append(record)
    frame = pl.DataFrame(
        records, schema_overrides={**{label: pl.Int8 for label in labels}, "parent_text": pl.String}
    )
    return TrainingRows(frame, tuple(labels), {"labels": n})


def trained_model(labels: Sequence[str] = ("alpha", "skepticism")) -> Model:
    """A small model fitted on `synthetic_rows` (12-bit hashing, no keyword features)."""
    return fit(synthetic_rows(labels), no_keywords, TrainConfig(bits=12, threshold_folds=3))


def _vader_zeros(n: int) -> pl.DataFrame:
    return pl.DataFrame({name: [0.0] * n for name in ("neg", "neu", "pos", "compound")})


def score_topics(comments: pl.DataFrame, taxonomy: Taxonomy, model: Model | None = None) -> pl.DataFrame:
    """The topic hits classify gives `comments` (comment_pk, text), by default with the keywords alone."""
    from readerpulse.score.classify import classify

    return classify(comments, _vader_zeros(comments.height), taxonomy, model or keyword_model()).topic_hits


def score_skepticism(comments: pl.DataFrame, taxonomy: Taxonomy, model: Model | None = None) -> pl.DataFrame:
    """The skepticism rows classify gives `comments` (comment_pk, text), by default from the cues alone."""
    from readerpulse.score.classify import classify

    return classify(comments, _vader_zeros(comments.height), taxonomy, model or keyword_model()).skepticism
