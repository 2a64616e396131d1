"""The topics scorer: its rows (`topic_hits`: a comment's hits, with score and evidence), the
`topics` table, and each topic's fingerprint for re-tagging after an edit. The hits themselves
come from analysis.score.classify (the model, or the keywords for a topic it was not trained for).
"""

from __future__ import annotations

import hashlib
import json

import polars as pl

from analysis.score.model import Model
from analysis.score.taxonomy import Taxonomy, Topic

SCORER = "topics"
VERSION = "topics-3-model"
HIT_SCHEMA: dict[str, pl.DataType] = {
    "topic": pl.String(),
    "score": pl.Float64(),
    "evidence": pl.List(pl.String),
}


def _keywords(topic: Topic) -> dict[str, object]:
    return {
        "threshold": topic.threshold,
        "keywords": [k.text for k in topic.keywords],
        "exclude": [k.text for k in topic.exclude],
    }


def features_hash(taxonomy: Taxonomy, model: Model) -> str | None:
    """SHA-256 of the keywords the model reads as features (every label it counts keywords of),
    None for a model that reads none: a change of them changes every output of the model."""
    if not model.keyword_labels:
        return None
    used = [{"id": t.id, **_keywords(t)} for t in taxonomy.labels if t.id in model.keyword_labels]
    return hashlib.sha256(json.dumps(used, sort_keys=True).encode("utf-8")).hexdigest()


def fingerprint(topic: Topic, taxonomy: Taxonomy, model: Model) -> str:
    """SHA-256 of what decides the topic's hits, not its label or description: the scorer
    version and, for a topic the model decides, the model and the keywords it reads as features
    (`features_hash`); for a topic the keywords decide, its keywords, exclude phrases and
    threshold."""
    definition: dict[str, object] = {"version": VERSION, "id": topic.id}
    if topic.id in model.labels:
        definition["model"] = model.sha256
        definition["features"] = features_hash(taxonomy, model)
    else:
        definition.update(_keywords(topic))
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode("utf-8")).hexdigest()


def topics_frame(taxonomy: Taxonomy) -> pl.DataFrame:
    """The taxonomy's topics as rows of the `topics` table."""
    return pl.DataFrame(
        {
            "topic": [t.id for t in taxonomy.topics],
            "label": [t.label for t in taxonomy.topics],
            "description": [t.description or None for t in taxonomy.topics],
        },
        schema={"topic": pl.String, "label": pl.String, "description": pl.String},
    )
