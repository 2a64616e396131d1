"""The topics scorer: its rows (`topic_hits`: a comment's hits, with score and evidence), the
`topics` table, and each topic's fingerprint for re-tagging after an edit. The hits themselves
come from readerpulse.score.classify (the model, or the keywords for a topic it was not trained for).
"""

from __future__ import annotations

import hashlib
import json

import polars as pl

from .model import Model
from .taxonomy import Taxonomy, Topic

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


def fingerprint(topic: Topic, model: Model) -> str:
    """SHA-256 of what decides the topic's hits, not its label or description: the scorer
    version; for a topic the model decides, the model and the topic's keywords and exclude
    phrases (its features; each output of the model reads its own label's keywords only, so
    another topic's edit changes nothing here); for a topic the keywords decide, its keywords,
    exclude phrases and threshold."""
    definition: dict[str, object] = {"version": VERSION, "id": topic.id, **_keywords(topic)}
    if topic.id in model.labels:
        definition["model"] = model.sha256
        del definition["threshold"]  # the model's own threshold decides
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
