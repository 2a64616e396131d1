"""Topics, skepticism and reader tone of a batch of comments, from the model and the keywords.

For each topic of the taxonomy and for skepticism:

* with a model for it (the label was trained), the score is the model's probability and a hit
  needs the model's threshold, chosen in training (the taxonomy's `threshold` is for keywords);
  a comment with no word at all (empty, or only punctuation or emoji) is no model hit;
* without one (a topic added since the model was trained), the keywords decide alone: the score
  is 1 - 0.5**k for k distinct keywords matched, a hit when it reaches the topic's `threshold`
  in the taxonomy (0.5, one keyword, unless the file says otherwise).

A hit's evidence is the keywords it matched, then up to three words or word pairs of the comment
that pushed the model's output most (found by the C projection for the (comment, label) pairs
that may be hits, `features.project_top`; function words are not evidence). The tone is the model's.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..text.stopwords import STOPWORDS
from . import features
from .evidence import hit_evidence
from .keywords import keyword_matches, keyword_score, normalised_text
from .model import TONE, Model, Prediction
from .taxonomy import SKEPTICISM, Taxonomy

NEVER = 1.01  # a threshold no score reaches
TONE_SCORER = "tone"
TONE_VERSION = "tone-1"
EVIDENCE_WORDS = 3  # model evidence words per hit
MIN_PART = 10_000  # rows: a smaller part is not worth a thread
CANDIDATE_WORDS = EVIDENCE_WORDS + 1  # ranked per output while scoring: a repeated word takes two places


@dataclass(frozen=True)
class Decision:
    """How one label is decided: by the model (with its threshold) or by keywords alone."""

    label: str
    threshold: float
    by_model: bool


@dataclass
class Classified:
    """The scores of a batch, shaped like the score tables (key column first)."""

    topic_hits: pl.DataFrame  # key, topic, score, evidence
    skepticism: pl.DataFrame  # key, score, skeptical, cues
    tone: pl.DataFrame  # key, tone, tone_label
    scores: pl.DataFrame  # every label's score per row (key, <label>...): for explain


def decisions(taxonomy: Taxonomy, model: Model) -> list[Decision]:
    """Each topic's and skepticism's decision rule under this model: the model's threshold for a
    label it was trained for, else the taxonomy's keyword threshold (no [skepticism] table and
    no skepticism model: nothing is skeptical)."""
    result = []
    for topic in taxonomy.topics:
        if topic.id in model.labels:
            result.append(Decision(topic.id, model.thresholds[topic.id], True))
        else:
            result.append(Decision(topic.id, topic.threshold, False))
    if SKEPTICISM in model.labels:
        result.append(Decision(SKEPTICISM, model.thresholds[SKEPTICISM], True))
    else:
        threshold = taxonomy.skepticism.threshold if taxonomy.skepticism is not None else NEVER
        result.append(Decision(SKEPTICISM, threshold, False))
    return result


def keyword_counts(matches: pl.DataFrame, labels: tuple[str, ...]) -> np.ndarray:
    """Distinct keywords matched per label (0 for a label the taxonomy does not have)."""
    n = matches.height
    columns = [
        matches[label].list.len().fill_null(0).to_numpy() if label in matches.columns else np.zeros(n)
        for label in labels
    ]
    return np.stack(columns, axis=1).astype(np.float32) if columns else np.zeros((n, 0), dtype=np.float32)


def _predict(
    comments: pl.DataFrame, vader: pl.DataFrame, taxonomy: Taxonomy, model: Model, top: int
) -> tuple[pl.Series, pl.DataFrame, pl.Series, Prediction]:
    """The model's outputs for comments (text, parent_text), with the texts, their keyword
    matches and their lower-cased normalised words (for the evidence)."""
    texts = comments["text"].fill_null("")
    parents = comments["parent_text"] if "parent_text" in comments.columns else pl.Series([None] * comments.height, dtype=pl.String)
    kept = pl.select(normalised_text(pl.lit(texts))).to_series()  # once, for keywords and n-grams
    matches = keyword_matches(texts, taxonomy, kept)
    normal = kept.str.to_lowercase()
    counts = keyword_counts(matches, model.keyword_labels)
    prediction = model.predict(
        texts,
        vader,
        counts,
        parent_keyword_counts(parents, taxonomy, model.keyword_labels, (texts, counts)),
        parents.is_not_null().cast(pl.Float32).to_numpy(),
        normal,
        top=top,
        words=EVIDENCE_WORDS if top else 0,
        skip=_function_words(model.bits) if top else None,
    )
    return texts, matches, normal, prediction


@functools.cache
def _function_words(bits: int) -> np.ndarray:
    """The buckets of function words ("the", "and"): no evidence an analyst can read."""
    return features.bucket_mask(sorted({word.replace("'", "") for word in STOPWORDS}), bits)


def classify(
    comments: pl.DataFrame,
    vader: pl.DataFrame,
    taxonomy: Taxonomy,
    model: Model,
    key: str = "comment_pk",
    workers: int = 1,
) -> Classified:
    """Score a batch: `comments` has `key`, `text` and `parent_text` (null: not a reply);
    `vader` has neg, neu, pos, compound for the same rows in the same order.

    `workers` > 1 scores that many consecutive parts of a large batch on threads of their own
    (polars and the C projection release the GIL) and puts them together: the same rows."""
    parts = min(workers, comments.height // MIN_PART)
    if parts <= 1:
        return _classify(comments, vader, taxonomy, model, key)
    size = -(-comments.height // parts)
    with ThreadPoolExecutor(max_workers=parts, thread_name_prefix="classify") as pool:
        done = list(
            pool.map(
                lambda start: _classify(comments.slice(start, size), vader.slice(start, size), taxonomy, model, key),
                range(0, comments.height, size),
            )
        )
    return Classified(
        *(pl.concat([getattr(part, name) for part in done]) for name in ("topic_hits", "skepticism", "tone", "scores"))
    )


def _classify(comments: pl.DataFrame, vader: pl.DataFrame, taxonomy: Taxonomy, model: Model, key: str) -> Classified:
    texts, matches, normal, prediction = _predict(comments, vader, taxonomy, model, CANDIDATE_WORDS)
    predicted = prediction.scores
    rules = decisions(taxonomy, model)
    keys = comments.select(key)
    wordless = normal.str.len_bytes() == 0
    scores = pl.concat([keys, matches.select(d.label for d in rules)], how="horizontal").select(
        key,
        *(
            (
                pl.when(pl.lit(wordless)).then(0.0).otherwise(pl.lit(predicted[d.label]).round(4))
                if d.by_model
                else keyword_score(d.label)
            ).alias(d.label)
            for d in rules
        ),
    )
    hits = _hits(scores, rules, key)
    written = sorted({keyword.text for label in taxonomy.labels for keyword in label.keywords})
    hits = hits.with_columns(hit_evidence(hits, matches, model, prediction.words, written))
    topic_hits = hits.filter(pl.col("label") != SKEPTICISM).select(key, pl.col("label").alias("topic"), "score", "evidence")
    skeptic = next(d for d in rules if d.label == SKEPTICISM)
    cues = hits.filter(pl.col("label") == SKEPTICISM).select("_row", pl.col("evidence").alias("cues"))
    skepticism = (
        scores.with_row_index("_row")
        .select("_row", key, pl.col(SKEPTICISM).alias("score"), (pl.col(SKEPTICISM) >= skeptic.threshold).alias("skeptical"))
        .join(cues, on="_row", how="left")
        .select(key, "score", "skeptical", pl.col("cues").fill_null(pl.lit([], pl.List(pl.String))))
    )
    tone = keys.with_columns(pl.lit(predicted[TONE]).round(4).alias(TONE)).with_columns(
        model.tone_label(pl.col(TONE)).alias("tone_label")
    )
    return Classified(topic_hits, skepticism, tone, scores)


def _hits(scores: pl.DataFrame, rules: list[Decision], key: str) -> pl.DataFrame:
    """One row per (row, label) hit: _row, key, label, score."""
    indexed = scores.with_row_index("_row")
    frames = [
        indexed.filter(pl.col(d.label) >= d.threshold).select(
            "_row", key, pl.lit(d.label).alias("label"), pl.col(d.label).alias("score")
        )
        for d in rules
    ]
    return pl.concat(frames) if frames else indexed.select("_row", key, pl.lit("").alias("label"), pl.lit(0.0).alias("score")).clear()


def parent_keyword_counts(
    parents: pl.Series, taxonomy: Taxonomy, labels: tuple[str, ...], known: tuple[pl.Series, np.ndarray] | None = None
) -> np.ndarray:
    """keyword_counts of the parents (0 for a row without one). `known`: texts whose counts are
    at hand (a batch's own comments, when replies and their parents arrive together): a parent
    with one of those texts takes its counts, which depend on the text alone; the other parents
    are matched, each distinct text once."""
    counts = np.zeros((len(parents), len(labels)), dtype=np.float32)
    rows = pl.DataFrame({"text": parents}, schema={"text": pl.String}).with_row_index("_row").drop_nulls("text")
    if not labels or rows.height == 0:
        return counts
    if known is not None:
        texts, known_counts = known
        at = pl.DataFrame({"text": texts}, schema={"text": pl.String}).with_row_index("_at").unique("text")
        rows = rows.join(at, on="text", how="left")
        found = rows.filter(pl.col("_at").is_not_null())
        counts[found["_row"].to_numpy()] = known_counts[found["_at"].to_numpy()]
        rows = rows.filter(pl.col("_at").is_null()).drop("_at")
    if rows.height:
        distinct = rows.select(pl.col("text").unique()).with_row_index("_at")
        matched = keyword_counts(keyword_matches(distinct["text"], taxonomy), labels)
        rows = rows.join(distinct, on="text", how="left")
        counts[rows["_row"].to_numpy()] = matched[rows["_at"].to_numpy()]
    return counts


def score_texts(
    texts: list[str] | pl.Series,
    taxonomy: Taxonomy,
    model: Model,
    parent_texts: list[str | None] | pl.Series | None = None,
) -> tuple[pl.DataFrame, Classified]:
    """Score texts without a database: VADER's scores (row, neg, neu, pos, compound) and the
    classification, keyed by `row` (0-based position)."""
    from .sentiment import SentimentScorer

    series = pl.Series("text", texts, dtype=pl.String)
    parents = pl.Series("parent_text", parent_texts if parent_texts is not None else [None] * len(series), dtype=pl.String)
    with SentimentScorer() as scorer:
        vader = scorer.comment_scores(series.fill_null("").to_list())
    frame = pl.DataFrame({"row": pl.int_range(len(series), eager=True), "text": series, "parent_text": parents})
    return vader.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64)), classify(frame, vader, taxonomy, model, key="row")


def uncertainty(comments: pl.DataFrame, taxonomy: Taxonomy, model: Model, batch: int = 50_000) -> pl.Series:
    """How unsure the model is of each comment (text, parent_text): minus the smallest distance
    of any of its label probabilities to that label's threshold (higher = less sure). Labels the
    keywords decide do not count; without any model label every comment is equally sure (0).
    Scored `batch` comments at a time, without evidence."""
    from .sentiment import SentimentScorer

    by_model = [d for d in decisions(taxonomy, model) if d.by_model]
    if not by_model:
        return pl.Series("uncertainty", [0.0] * comments.height, dtype=pl.Float64)
    distance = pl.min_horizontal(*((pl.col(d.label) - d.threshold).abs() for d in by_model))
    parts = []
    with SentimentScorer() as scorer:
        for start in range(0, comments.height, batch):
            chunk = comments.slice(start, batch)
            vader = scorer.comment_scores(chunk["text"].fill_null("").to_list())
            prediction = _predict(chunk, vader, taxonomy, model, 0)[3]
            parts.append(prediction.scores.select((-distance).alias("uncertainty")).to_series())
    return pl.concat(parts) if parts else pl.Series("uncertainty", [], dtype=pl.Float64)
