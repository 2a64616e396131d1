"""Topic tagging: the taxonomy's cue groups matched over a batch of comments in polars.

For each topic the comment text has the topic's look-alikes masked out ("casualty insurance"),
then every group is matched, and the comment is a hit when every required group matched and the
noisy-OR score reaches the topic's threshold. A hit keeps the matched terms as evidence.
"""

from __future__ import annotations

import hashlib
import json

import polars as pl

from analysis.score.matching import (
    TEXT,
    Matcher,
    Scope,
    Unit,
    combined_evidence,
    noisy_or,
    prepared_text,
)
from analysis.score.taxonomy import Taxonomy, Topic

SCORER = "topics"
VERSION = "topics-1"
HIT_SCHEMA: dict[str, pl.DataType] = {
    "topic": pl.String(),
    "score": pl.Float64(),
    "evidence": pl.List(pl.String),
}


_MATCHERS: dict[tuple[object, ...], Matcher] = {}


def _matcher(taxonomy: Taxonomy) -> Matcher:
    """The taxonomy's matcher, built once per distinct set of compiled expressions."""
    key = tuple(
        (t.id, t.exclude, tuple((g.name, g.regexes, g.expressions, g.chunk_of) for g in t.groups))
        for t in taxonomy.topics
    )
    if key not in _MATCHERS:
        if len(_MATCHERS) > 8:
            _MATCHERS.clear()
        _MATCHERS[key] = Matcher(
            [
                Unit(f"{t.id}.{g.name}", (t.exclude,) if t.exclude else (), g)
                for t in taxonomy.topics
                for g in t.groups
            ]
        )
    return _MATCHERS[key]


def _topic_hits(flagged: pl.LazyFrame, key: str, topic: Topic) -> pl.LazyFrame:
    """The rows the topic hits: key, batch row and score."""
    return (
        flagged.with_columns(score=noisy_or(topic.groups, f"{topic.id}."))
        .filter(_hits(topic, pl.col("score")))
        .select(key, "_row", "score")
    )


def _hits(topic: Topic, score: pl.Expr) -> pl.Expr:
    """Does the topic hit: every required group's flag set (columns "<topic>.<group>") and
    `score`, the noisy-OR of the flags, at the threshold or above."""
    required = [pl.col(f"{topic.id}.{g.name}") for g in topic.groups if g.name in topic.require]
    reaches = score >= topic.threshold
    return pl.all_horizontal(required) & reaches if required else reaches


def _possible(taxonomy: Taxonomy) -> Scope:
    """The rows where each topic could hit, from the groups that could match there: a group's
    flag can only be set where it could match, and the noisy-OR only grows with the flags, so a
    topic that misses its threshold (or a required group) with them misses it with the flags."""

    def scope(could: pl.DataFrame) -> dict[str, pl.Series]:
        possible = could.select(
            _hits(topic, noisy_or(topic.groups, f"{topic.id}.")).alias(topic.id) for topic in taxonomy.topics
        )
        return {f"{t.id}.{g.name}": possible[t.id] for t in taxonomy.topics for g in t.groups}

    # the groups a topic requires are matched first: where they do not match, nothing else is
    required = frozenset(f"{t.id}.{name}" for t in taxonomy.topics for name in t.require)
    return Scope(scope, required)


def score_topics(comments: pl.DataFrame, taxonomy: Taxonomy, key: str = "comment_pk") -> pl.DataFrame:
    """Topic hits of a batch: one row per (key, topic) hit, with score and evidence."""
    schema: dict[str, pl.DataType] = {key: comments.schema[key], **HIT_SCHEMA}
    if not taxonomy.topics:
        return pl.DataFrame(schema=schema)
    base = comments.select(key, prepared_text())
    matcher = _matcher(taxonomy)
    matches = matcher.match(base[TEXT], _possible(taxonomy))
    flagged = pl.concat(
        [base.with_columns(pl.int_range(pl.len(), dtype=pl.Int32).alias("_row")), matches.flags], how="horizontal"
    ).lazy()
    collected = pl.collect_all([_topic_hits(flagged, key, topic) for topic in taxonomy.topics])
    frames = []
    for topic, hits in zip(taxonomy.topics, collected, strict=True):
        found = matcher.extract_many(matches, [(f"{topic.id}.{group.name}", hits["_row"]) for group in topic.groups])
        pieces = [(frame, None) for frame in found]
        frames.append(
            hits.select(key, pl.lit(topic.id).alias("topic"), "score").with_columns(
                combined_evidence(pieces, hits.height).alias("evidence")
            )
        )
    return pl.concat(frames).cast(pl.Schema(schema))


def fingerprint(topic: Topic) -> str:
    """SHA-256 of what decides the topic's hits: its compiled cues, weights, look-alike mask,
    threshold and required groups, and the scorer version; not its label or description.
    Vocabulary lists enter through the compiled cues."""
    definition = {
        "version": VERSION,
        "id": topic.id,
        "threshold": topic.threshold,
        "require": list(topic.require),
        "exclude": topic.exclude,
        "groups": [
            {"name": g.name, "weight": g.weight, "regexes": list(g.regexes), "mask": g.mask} for g in topic.groups
        ],
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
