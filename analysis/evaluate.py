"""`readerpulse evaluate`: measure the scorers against labelled data.

Two kinds of labelled data:

* a gold CSV (columns id, author, posted_at, parent_id, text, un_inaction, russia_role,
  casualty_trust, skepticism, sentiment): per 0/1 label precision, recall and F1, and for
  sentiment (-2..2) the 3-class accuracy of VADER's label and the Pearson r of its compound;
* the VADER ICWSM-2014 ground-truth files (id TAB mean rating TAB text): per file the Pearson r
  of compound against the human mean, the 3-class accuracy, and whether every compound equals
  the one vaderSentiment itself computes (parity).

The scorers run on the texts exactly as `readerpulse score` runs them on a database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.errors import ReaderpulseError, UsageError
from analysis.score.sentiment import PACKAGE_VERSION, SentimentScorer, label_expr
from analysis.score.skepticism import score_skepticism
from analysis.score.taxonomy import Taxonomy, load_taxonomy
from analysis.score.topics import score_topics

GOLD_COLUMNS = ("id", "text", "un_inaction", "russia_role", "casualty_trust", "skepticism", "sentiment")
TOPIC_LABELS = ("un_inaction", "russia_role", "casualty_trust")
ALL_LABELS = (*TOPIC_LABELS, "skepticism")
GROUNDTRUTH_SUFFIX = "_GroundTruth.txt"
FORMATS = ("table", "json")


@dataclass
class LabelMetrics:
    """Binary classification figures for one label."""

    label: str
    support: int
    predicted: int
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)


@dataclass
class SentimentMetrics:
    """VADER's label against the sign of the human -2..2 label, and r of compound against it."""

    n: int
    accuracy: float
    pearson_r: float


@dataclass
class GoldReport:
    """Everything `evaluate GOLD.csv` prints."""

    path: str
    n: int
    taxonomy: str
    taxonomy_sha256: str
    labels: list[LabelMetrics]
    sentiment: SentimentMetrics


@dataclass
class GroundTruthFile:
    """One ICWSM file: Pearson r, 3-class accuracy, and how many compounds differ from the package's."""

    file: str
    n: int
    pearson_r: float
    accuracy: float
    parity: bool
    mismatches: int


@dataclass
class GroundTruthReport:
    """Everything `evaluate --vader-groundtruth DIR` prints."""

    directory: str
    vader_version: str
    files: list[GroundTruthFile]


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def label_metrics(label: str, ids: Sequence[str], gold: Sequence[bool], predicted: Sequence[bool]) -> LabelMetrics:
    """Precision, recall and F1 of `predicted` against `gold`, with the misclassified ids."""
    fps = [i for i, g, p in zip(ids, gold, predicted, strict=True) if p and not g]
    fns = [i for i, g, p in zip(ids, gold, predicted, strict=True) if g and not p]
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    precision = _ratio(tp, tp + len(fps))
    recall = _ratio(tp, tp + len(fns))
    f1 = _ratio(2 * tp, 2 * tp + len(fps) + len(fns))
    return LabelMetrics(
        label, sum(gold), sum(predicted), tp, len(fps), len(fns),
        round(precision, 4), round(recall, 4), round(f1, 4), fps, fns,
    )


def share(flags: pl.Series) -> float:
    """The fraction of true values (0 for an empty series)."""
    values = flags.to_list()
    return sum(1 for v in values if v) / len(values) if values else 0.0


def pearson(xs: pl.Series, ys: pl.Series) -> float:
    """Pearson correlation; NaN when either side is constant."""
    value = pl.DataFrame({"x": xs.cast(pl.Float64), "y": ys.cast(pl.Float64)}).select(
        pl.corr("x", "y")
    ).item()
    return float(value) if value is not None else math.nan


def read_gold(path: str | Path) -> pl.DataFrame:
    """The gold CSV, checked for the columns the evaluation needs."""
    path = Path(path)
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ReaderpulseError(f"{path}: not a readable CSV ({exc})") from exc
    missing = [c for c in GOLD_COLUMNS if c not in frame.columns]
    if missing:
        raise ReaderpulseError(f"{path}: missing column(s) {', '.join(missing)}")
    try:
        return frame.with_columns(
            pl.col("text").fill_null(""),
            *(pl.col(c).str.strip_chars().cast(pl.Int8).cast(pl.Boolean) for c in ALL_LABELS),
            pl.col("sentiment").str.strip_chars().cast(pl.Int8),
        )
    except pl.exceptions.PolarsError as exc:
        raise ReaderpulseError(f"{path}: labels must be 0/1 and sentiment -2..2 ({exc})") from exc


def _sentiment_metrics(gold: pl.DataFrame, compound: pl.Series) -> SentimentMetrics:
    human = gold["sentiment"]
    human_label = (
        pl.when(human > 0).then(pl.lit("positive")).when(human < 0).then(pl.lit("negative")).otherwise(pl.lit("neutral"))
    )
    labels = pl.DataFrame({"human": human, "compound": compound}).select(
        (human_label == label_expr(pl.col("compound"))).alias("agree")
    )
    return SentimentMetrics(
        n=gold.height,
        accuracy=round(share(labels["agree"]), 4),
        pearson_r=round(pearson(compound, human), 4),
    )


def evaluate_gold(path: str | Path, taxonomy: Taxonomy | None = None, workers: int = 2) -> GoldReport:
    """Score the gold CSV's texts and compare with its labels."""
    gold = read_gold(path)
    taxonomy = taxonomy or load_taxonomy()
    frame = gold.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("comment_pk"), "text")
    hits = score_topics(frame, taxonomy)
    skeptical = score_skepticism(frame, taxonomy).sort("comment_pk")["skeptical"].to_list()
    with SentimentScorer(workers=workers) as scorer:
        compound = scorer.score(gold["text"].to_list(), sentences=False).comments["compound"]
    ids = gold["id"].to_list()
    metrics = []
    for label in TOPIC_LABELS:
        hit_rows = set(hits.filter(pl.col("topic") == label)["comment_pk"].to_list())
        predicted = [row in hit_rows for row in range(gold.height)]
        metrics.append(label_metrics(label, ids, gold[label].to_list(), predicted))
    metrics.append(label_metrics("skepticism", ids, gold["skepticism"].to_list(), skeptical))
    return GoldReport(
        path=str(path),
        n=gold.height,
        taxonomy=taxonomy.source,
        taxonomy_sha256=taxonomy.sha256,
        labels=metrics,
        sentiment=_sentiment_metrics(gold, compound),
    )


def read_groundtruth(path: Path) -> pl.DataFrame:
    """One ICWSM-2014 file: id, mean (human mean rating, -4..4), text. CRLF, no header."""
    rows = [line.split("\t", 2) for line in path.read_text("utf-8").splitlines() if line]
    bad = [i for i, row in enumerate(rows, start=1) if len(row) != 3]
    if bad:
        raise ReaderpulseError(f"{path}: line {bad[0]} is not id<TAB>rating<TAB>text")
    return pl.DataFrame(
        {"id": [r[0] for r in rows], "mean": [float(r[1]) for r in rows], "text": [r[2] for r in rows]},
        schema={"id": pl.String, "mean": pl.Float64, "text": pl.String},
    )


def _groundtruth_file(path: Path, scorer: SentimentScorer, reference: SentimentIntensityAnalyzer) -> GroundTruthFile:
    data = read_groundtruth(path)
    texts = data["text"].to_list()
    compound = scorer.score(texts, sentences=False).comments["compound"]
    expected = [reference.polarity_scores(text)["compound"] for text in texts]
    mismatches = sum(1 for ours, theirs in zip(compound.to_list(), expected, strict=True) if ours != theirs)
    scaled = data["mean"] / 4
    human = pl.when(scaled >= 0.05).then(pl.lit("positive")).when(scaled <= -0.05).then(pl.lit("negative"))
    agree = pl.DataFrame({"h": scaled, "c": compound}).select(
        (human.otherwise(pl.lit("neutral")) == label_expr(pl.col("c"))).alias("agree")
    )["agree"]
    return GroundTruthFile(
        file=path.name,
        n=data.height,
        pearson_r=round(pearson(compound, data["mean"]), 4),
        accuracy=round(share(agree), 4),
        parity=mismatches == 0,
        mismatches=mismatches,
    )


def evaluate_groundtruth(directory: str | Path, workers: int = 2) -> GroundTruthReport:
    """Pearson r, 3-class accuracy and parity for each *_GroundTruth.txt in `directory`."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory")
    paths = sorted(directory.glob(f"*{GROUNDTRUTH_SUFFIX}"))
    if not paths:
        raise UsageError(f"{directory}: no *{GROUNDTRUTH_SUFFIX} files")
    reference = SentimentIntensityAnalyzer()
    with SentimentScorer(workers=workers) as scorer:
        files = [_groundtruth_file(path, scorer, reference) for path in paths]
    return GroundTruthReport(str(directory), PACKAGE_VERSION, files)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_gold(report: GoldReport, fmt: str = "table", show_errors: bool = False) -> str:
    """The report as an aligned table (with the misclassified ids when asked) or JSON."""
    if fmt == "json":
        return json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n"
    if fmt != "table":
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    rows = [
        (m.label, m.support, m.predicted, m.tp, m.fp, m.fn, f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}")
        for m in report.labels
    ]
    out = [
        f"{report.path}: {report.n} comments; taxonomy {report.taxonomy} (sha256 {report.taxonomy_sha256[:12]})",
        "",
        _table(("label", "gold", "predicted", "tp", "fp", "fn", "precision", "recall", "f1"), rows),
        "",
        f"sentiment: 3-class accuracy {report.sentiment.accuracy:.3f}, "
        f"Pearson r (compound vs human -2..2) {report.sentiment.pearson_r:.3f}",
    ]
    if show_errors:
        for m in report.labels:
            if m.false_positives or m.false_negatives:
                out.append(f"{m.label}: false positives {', '.join(m.false_positives) or '-'}; "
                           f"false negatives {', '.join(m.false_negatives) or '-'}")
    return "\n".join(out) + "\n"


def render_groundtruth(report: GroundTruthReport, fmt: str = "table") -> str:
    """The ICWSM report as an aligned table or JSON."""
    if fmt == "json":
        return json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n"
    if fmt != "table":
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    rows = [
        (f.file, f.n, f"{f.pearson_r:.3f}", f"{f.accuracy:.3f}", "identical" if f.parity else f"{f.mismatches} differ")
        for f in report.files
    ]
    header = f"{report.directory}: VADER (vaderSentiment {report.vader_version}) compound vs human mean rating"
    table = _table(("file", "n", "pearson_r", "3-class acc", "parity"), rows)
    return f"{header}\n\n{table}\n"
