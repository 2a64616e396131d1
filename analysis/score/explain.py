"""`readerpulse explain TEXT`: every topic's and skepticism's score, threshold and why.

A model's output is a sum: bias, plus each n-gram's weight times its value, plus each dense
feature's weight times its value. `explain` splits that sum exactly, by word: a word's share is its
own feature and its char n-grams; a word pair's share is its pair feature; the dense features
(VADER's scores, keyword counts of the comment and its parent, marks, length) are listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from . import features
from .classify import (
    Decision,
    decisions,
    keyword_counts,
    parent_keyword_counts,
    score_texts,
)
from .keywords import keyword_matches
from .model import TONE, Model
from .taxonomy import Taxonomy
from .vader import COLUMNS as VADER_COLUMNS

SHOWN = 4  # words pushing each way


@dataclass
class Explanation:
    """Why one label got its score."""

    label: str
    score: float
    threshold: float
    hit: bool
    decided_by: str  # "model" or "keywords"
    keywords: list[str]
    pushed_up: list[tuple[str, float]] = field(default_factory=list)
    pushed_down: list[tuple[str, float]] = field(default_factory=list)
    context: list[tuple[str, float]] = field(default_factory=list)  # dense features and bias


@dataclass
class ExplainReport:
    """The explanation of one text: its labels, its tone and VADER's compound."""

    text: str
    labels: list[Explanation]
    tone: float
    tone_label: str
    vader_compound: float
    model_sha256: str


def word_contributions(text: str, model: Model, column: int) -> dict[str, float]:
    """Each word's and word pair's share of output `column`'s n-gram sum (a word's occurrences
    added up)."""
    normal = features.normalise(pl.Series([text], dtype=pl.String)).item()
    shares: dict[str, float] = {}
    for piece, value in features.word_shares(normal, model.bits, model.sparse_weights[:, column]):
        shares[piece] = shares.get(piece, 0.0) + value
    return shares


def dense_shares(model: Model, dense: np.ndarray, column: int) -> list[tuple[str, float]]:
    """Each non-zero dense feature's share of output `column`, and the bias, largest first."""
    shares = [
        (name, float(value * model.dense_weights[i, column]))
        for i, (name, value) in enumerate(zip(model.dense_names(), dense, strict=True))
        if value
    ]
    shares.append(("bias", float(model.bias[column])))
    return sorted(shares, key=lambda item: -abs(item[1]))


def explain(text: str, taxonomy: Taxonomy, model: Model, parent_text: str | None = None) -> ExplainReport:
    """Scores of one text (with its parent's, for a reply) and the reasons for each."""
    vader, result = score_texts([text], taxonomy, model, [parent_text])
    scores = result.scores.row(0, named=True)
    texts = pl.Series([text], dtype=pl.String)
    parents = pl.Series([parent_text], dtype=pl.String)
    matches = keyword_matches(texts, taxonomy)
    matched = matches.row(0, named=True)
    dense = features.dense(
        texts, vader.select(VADER_COLUMNS), keyword_counts(matches, model.keyword_labels),
        parent_keyword_counts(parents, taxonomy, model.keyword_labels),
        parents.is_not_null().cast(pl.Float32).to_numpy(),
    )[0]
    explanations = [_explain_label(d, text, scores, matched, model, dense) for d in decisions(taxonomy, model)]
    tone = result.tone.row(0, named=True)
    return ExplainReport(
        text=text, labels=explanations, tone=float(tone[TONE]), tone_label=str(tone["tone_label"]),
        vader_compound=float(vader["compound"][0]), model_sha256=model.sha256,
    )


def _explain_label(d: Decision, text: str, scores: dict[str, float], matched: dict[str, list[str] | None],
                   model: Model, dense: np.ndarray) -> Explanation:
    score = float(scores[d.label])
    keywords = list(matched.get(d.label) or [])
    explanation = Explanation(d.label, score, d.threshold, score >= d.threshold,
                              "model" if d.by_model else "keywords", keywords)
    if d.by_model:
        column = model.labels.index(d.label)
        shares = sorted(word_contributions(text, model, column).items(), key=lambda item: -item[1])
        explanation.pushed_up = [(w, round(s, 3)) for w, s in shares if s > 0][:SHOWN]
        explanation.pushed_down = [(w, round(s, 3)) for w, s in reversed(shares) if s < 0][:SHOWN]
        explanation.context = [(name, round(s, 3)) for name, s in dense_shares(model, dense, column)][:SHOWN]
    return explanation


def render(report: ExplainReport) -> str:
    """The explanation as text for the terminal."""
    lines = [
        f"tone {report.tone:+.3f} ({report.tone_label}); VADER compound {report.vader_compound:+.4f}",
        f"model {report.model_sha256[:12]}",
        "",
    ]
    for e in report.labels:
        mark = "HIT " if e.hit else "    "
        lines.append(f"{mark}{e.label:<20} score {e.score:.3f}  threshold {e.threshold:.3f}  ({e.decided_by})")
        if e.keywords:
            lines.append(f"      keywords: {', '.join(e.keywords)}")
        if e.pushed_up:
            lines.append("      pushed up by: " + ", ".join(f"{w} {s:+.2f}" for w, s in e.pushed_up))
        if e.pushed_down:
            lines.append("      pushed down by: " + ", ".join(f"{w} {s:+.2f}" for w, s in e.pushed_down))
        if e.context:
            lines.append("      other features: " + ", ".join(f"{w} {s:+.2f}" for w, s in e.context))
    return "\n".join(lines) + "\n"


__all__ = ["ExplainReport", "Explanation", "explain", "render", "word_contributions"]
