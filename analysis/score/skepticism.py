"""Skepticism about verification: does a comment doubt the reliability or truth of reported facts?

Until a model decides it, the cues of the taxonomy's [skepticism] table do (keywords, exclude
phrases, threshold; analysis.score.keywords): the score is 1 - 0.5**k for the k distinct cues
found, rounded to 4 places, and the comment is skeptical when the score reaches the threshold.
The cues found are kept as written in the taxonomy. A taxonomy without a [skepticism] table has
no cues: every comment scores 0 and none is skeptical.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import polars as pl

from analysis.score.keywords import keyword_matches, keyword_score
from analysis.score.taxonomy import SKEPTICISM, Taxonomy

SCORER = "skepticism"
VERSION = "skepticism-2-keywords"


def lexicon_hash(taxonomy: Taxonomy) -> str:
    """SHA-256 of the skepticism cues in force (keywords, exclude phrases, threshold) and the
    scorer version: recorded in scoring_runs.lexicon_hash."""
    table = taxonomy.skepticism
    payload = {
        "version": VERSION,
        "keywords": [k.text for k in table.keywords] if table else [],
        "exclude": [k.text for k in table.exclude] if table else [],
        "threshold": table.threshold if table else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def score_skepticism(comments: pl.DataFrame, taxonomy: Taxonomy, key: str = "comment_pk") -> pl.DataFrame:
    """One row per comment, in order: key, score (0..1), skeptical, cues (as written)."""
    table = taxonomy.skepticism
    matches = keyword_matches(comments["text"], dataclasses.replace(taxonomy, topics=()))
    threshold = table.threshold if table else 1.0
    return pl.concat([comments.select(key), matches.select(SKEPTICISM)], how="horizontal").select(
        key,
        keyword_score(SKEPTICISM).alias("score"),
        ((keyword_score(SKEPTICISM) >= threshold) & pl.lit(table is not None)).alias("skeptical"),
        pl.col(SKEPTICISM).alias("cues"),
    )
