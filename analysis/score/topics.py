"""Topic tagging: the taxonomy's keywords found in a batch of comments (analysis.score.keywords).

A topic's score is 1 - 0.5**k for the k distinct keywords of the topic found in the comment
(once its look-alike phrases are masked), rounded to 4 places; the comment is a hit when the
score reaches the topic's threshold (0.5 by default: one keyword). A hit keeps the keywords found,
as written in the taxonomy, as evidence.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import polars as pl

from analysis.score.keywords import keyword_matches, keyword_score
from analysis.score.taxonomy import Taxonomy, Topic

SCORER = "topics"
VERSION = "topics-2-keywords"
HIT_SCHEMA: dict[str, pl.DataType] = {
    "topic": pl.String(),
    "score": pl.Float64(),
    "evidence": pl.List(pl.String),
}


def score_topics(comments: pl.DataFrame, taxonomy: Taxonomy, key: str = "comment_pk") -> pl.DataFrame:
    """Topic hits of a batch: one row per (key, topic) hit, with score and evidence."""
    schema: dict[str, pl.DataType] = {key: comments.schema[key], **HIT_SCHEMA}
    if not taxonomy.topics:
        return pl.DataFrame(schema=schema)
    matches = keyword_matches(comments["text"], dataclasses.replace(taxonomy, skepticism=None))
    keys = comments.select(key)
    frames = [
        pl.concat([keys, matches.select(topic.id)], how="horizontal")
        .select(key, pl.lit(topic.id).alias("topic"), keyword_score(topic.id).alias("score"), pl.col(topic.id).alias("evidence"))
        .filter(pl.col("score") >= topic.threshold)
        for topic in taxonomy.topics
    ]
    return pl.concat(frames).cast(pl.Schema(schema))


def fingerprint(topic: Topic) -> str:
    """SHA-256 of what decides the topic's hits: its keywords, exclude phrases and threshold,
    and the scorer version; not its label or description."""
    definition = {
        "version": VERSION,
        "id": topic.id,
        "threshold": topic.threshold,
        "keywords": [k.text for k in topic.keywords],
        "exclude": [k.text for k in topic.exclude],
    }
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
