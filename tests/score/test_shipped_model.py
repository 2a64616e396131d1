"""The shipped model: a small artefact that `make model` rebuilds with the same predictions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from readerpulse.score.classify import score_texts
from readerpulse.score.model import load, shipped_path
from readerpulse.score.taxonomy import load_taxonomy
from readerpulse.train import train

from tests.conftest import REPO, shared_path

MAX_BYTES = 4 * 1024 * 1024


def test_the_shipped_model_is_small_and_readable() -> None:
    path = shipped_path()
    assert path.stat().st_size < MAX_BYTES
    model = load(path)
    assert model.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "skepticism" in model.labels and model.meta["label_files"]


@pytest.mark.slow
def test_make_model_rebuilds_the_same_predictions(tmp_path: Path) -> None:
    shipped = load(shipped_path())
    taxonomy = load_taxonomy(REPO / "data" / "topics.toml")
    labels = REPO / "data" / "labels"
    now = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(labels.glob("*.csv"))}
    then = {Path(p).name: sha for p, sha in shipped.meta["label_files"].items()}
    if now != then or taxonomy.sha256 != shipped.meta["taxonomy_sha256"]:
        pytest.skip("data/labels or data/topics.toml changed since the shipped model was trained: run `make model`")
    external = shared_path("external") if set(shipped.meta["rows"]) - {"labels"} else None
    rebuilt = train([labels], taxonomy, tmp_path / "again.model", external).model
    assert rebuilt.labels == shipped.labels and rebuilt.thresholds == shipped.thresholds
    texts = pl.read_csv(REPO / "data" / "heldout" / "comments_heldout.csv", infer_schema=False)["text"]
    again = load(tmp_path / "again.model")
    _, before = score_texts(texts, taxonomy, shipped)
    _, after = score_texts(texts, taxonomy, again)
    assert np.allclose(before.scores.drop("row").to_numpy(), after.scores.drop("row").to_numpy(), atol=2e-3)
    assert before.topic_hits.select("row", "topic").equals(after.topic_hits.select("row", "topic"))
    assert before.tone["tone_label"].equals(after.tone["tone_label"])
