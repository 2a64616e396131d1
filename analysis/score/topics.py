"""Topic tagging: the taxonomy's cue groups matched over a batch of comments in polars.

For each topic the comment text has the topic's look-alikes masked out ("casualty insurance"),
then every group is matched, and the comment is a hit when every required group matched and the
noisy-OR score reaches the topic's threshold. A hit keeps the matched terms as evidence.
"""

from __future__ import annotations

import polars as pl

from analysis.score.matching import TEXT, evidence, flag_groups, masked, noisy_or, prepared_text
from analysis.score.taxonomy import Taxonomy, Topic

SCORER = "topics"
VERSION = "topics-1"
HIT_SCHEMA: dict[str, pl.DataType] = {
    "topic": pl.String(),
    "score": pl.Float64(),
    "evidence": pl.List(pl.String),
}


def _topic_hits(base: pl.LazyFrame, key: str, topic: Topic) -> pl.LazyFrame:
    prefix = f"{topic.id}."
    required = [pl.col(prefix + g.name) for g in topic.groups if g.name in topic.require]
    condition = pl.all_horizontal(required) if required else pl.lit(True)
    text = base.with_columns(masked(pl.col(TEXT), topic.exclude).alias(TEXT))
    return (
        flag_groups(text, topic.groups, prefix)
        .with_columns(score=noisy_or(topic.groups, prefix))
        .filter(condition & (pl.col("score") >= topic.threshold))
        .select(
            key,
            pl.lit(topic.id).alias("topic"),
            "score",
            evidence(topic.groups, prefix).alias("evidence"),
        )
    )


def score_topics(comments: pl.DataFrame, taxonomy: Taxonomy, key: str = "comment_pk") -> pl.DataFrame:
    """Topic hits of a batch: one row per (key, topic) hit, with score and evidence."""
    base = comments.lazy().select(key, prepared_text())
    frames = [_topic_hits(base, key, topic) for topic in taxonomy.topics]
    schema: dict[str, pl.DataType] = {key: comments.schema[key], **HIT_SCHEMA}
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(pl.collect_all(frames)).cast(pl.Schema(schema))


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
