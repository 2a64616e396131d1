"""`readerpulse evaluate`: measure the scores against labelled data the model never saw.

* Label files (`readerpulse.labels`; the held-out files in `data/heldout/`): every label the
  taxonomy defines that the files label, precision / recall / F1 / support; the reader tone's
  Pearson r against the human -2..2 tone and its 3-class macro-F1, beside VADER's.
* `--cross-validate K`: the training label files, K folds grouped by thread (a reply is always
  in its parent's fold); each fold's rows are scored by a model fitted on the other folds.
* `--external DIR`: the held-out parts of the real labelled sets (`readerpulse.external`): tone
  macro-F1 on tweets and Reddit comments, skepticism on replies to rumours (deny or query).
* `--vader-groundtruth DIR`: VADER against the ICWSM-2014 human ratings, and parity with
  vaderSentiment.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from . import external
from .errors import ReaderpulseError, UsageError
from .labels import SENTIMENT, read_labels, with_parent_text
from .score.classify import score_texts
from .score.model import TONE, Model
from .score.sentiment import PACKAGE_VERSION, SentimentScorer, label_expr
from .score.taxonomy import Taxonomy

GROUNDTRUTH_SUFFIX = "_GroundTruth.txt"
FORMATS = ("table", "json")
CLASSES = ("negative", "neutral", "positive")


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
class ToneMetrics:
    """The model's tone and VADER's compound against the human tone."""

    n: int
    model_r: float | None  # Pearson r against a graded human tone (None: classes only)
    vader_r: float | None
    model_macro_f1: float
    vader_macro_f1: float


@dataclass
class Evaluation:
    """One measurement: what was scored, how, and the figures."""

    name: str
    method: str
    n: int
    model_sha256: str
    taxonomy_sha256: str
    labels: list[LabelMetrics]
    tone: ToneMetrics | None


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


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def label_metrics(label: str, ids: Sequence[str], gold: Sequence[bool], predicted: Sequence[bool]) -> LabelMetrics:
    """Precision, recall and F1 of `predicted` against `gold`, with the misclassified ids."""
    fps = [i for i, g, p in zip(ids, gold, predicted, strict=True) if p and not g]
    fns = [i for i, g, p in zip(ids, gold, predicted, strict=True) if g and not p]
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    return LabelMetrics(
        label, sum(1 for g in gold if g), sum(1 for p in predicted if p), tp, len(fps), len(fns),
        round(_ratio(tp, tp + len(fps)), 4), round(_ratio(tp, tp + len(fns)), 4),
        round(_ratio(2 * tp, 2 * tp + len(fps) + len(fns)), 4), fps, fns,
    )


def share(flags: pl.Series) -> float:
    """The fraction of true values (0 for an empty series)."""
    values = flags.to_list()
    return sum(1 for v in values if v) / len(values) if values else 0.0


def pearson(xs: pl.Series, ys: pl.Series) -> float:
    """Pearson correlation; NaN when either side is constant."""
    value = pl.DataFrame({"x": xs.cast(pl.Float64), "y": ys.cast(pl.Float64)}).select(pl.corr("x", "y")).item()
    return float(value) if value is not None else math.nan


def macro_f1(gold: Sequence[object], predicted: Sequence[object], classes: Sequence[object] = CLASSES) -> float:
    """Mean F1 over the classes (negative, neutral and positive by default)."""
    scores = []
    for cls in classes:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == cls and p == cls)
        scores.append(_ratio(2 * tp, sum(1 for g in gold if g == cls) + sum(1 for p in predicted if p == cls)))
    return round(sum(scores) / len(scores), 4)


def _sign_class(values: pl.Expr) -> pl.Expr:
    return pl.when(values > 0).then(pl.lit("positive")).when(values < 0).then(pl.lit("negative")).otherwise(pl.lit("neutral"))


def tone_metrics(human: pl.Series | None, human_class: pl.Series, tone: pl.Series, tone_label: pl.Series,
                 compound: pl.Series) -> ToneMetrics:
    """Tone figures; `human` is the graded human tone when there is one."""
    vader_class = pl.select(label_expr(pl.lit(compound))).to_series()
    return ToneMetrics(
        n=len(human_class),
        model_r=round(pearson(tone, human), 4) if human is not None else None,
        vader_r=round(pearson(compound, human), 4) if human is not None else None,
        model_macro_f1=macro_f1(human_class.to_list(), tone_label.to_list()),
        vader_macro_f1=macro_f1(human_class.to_list(), vader_class.to_list()),
    )


def _news_tone(frame: pl.DataFrame, predicted: pl.DataFrame, compound: pl.Series) -> ToneMetrics | None:
    """Tone figures of the label-file rows that have a sentiment label (None: no such row);
    `predicted` (tone, tone_label) and `compound` are in the rows' order."""
    known = frame[SENTIMENT].is_not_null()
    if not known.any():
        return None
    human = frame.filter(known)[SENTIMENT]
    guess = predicted.filter(known)
    return tone_metrics(human.cast(pl.Float64), pl.select(_sign_class(pl.lit(human))).to_series(),
                        guess[TONE], guess["tone_label"], compound.filter(known))


def _binary_metrics(frame: pl.DataFrame, labels: Sequence[str], predicted: pl.DataFrame) -> list[LabelMetrics]:
    """Per label the rows of `frame` that label it, against `predicted` (same rows, Boolean
    columns named as the labels)."""
    metrics = []
    for label in labels:
        if label not in frame.columns or label not in predicted.columns:
            continue
        known = frame[label].is_not_null()
        if not known.any():
            continue
        gold = frame.filter(known)
        guess = predicted.filter(known)[label].fill_null(False)
        metrics.append(label_metrics(label, gold["id"].to_list(), (gold[label] == 1).to_list(), guess.to_list()))
    return metrics


def predictions(frame: pl.DataFrame, taxonomy: Taxonomy, model: Model) -> pl.DataFrame:
    """Score rows (text, parent_text) as `score` would: row, a Boolean per label, tone, tone_label, compound."""
    vader, result = score_texts(frame["text"], taxonomy, model, frame["parent_text"])
    n = frame.height
    rows = pl.DataFrame({"row": pl.int_range(n, eager=True, dtype=pl.Int64)})
    hits = result.topic_hits.select("row", "topic").with_columns(pl.lit(True).alias("hit"))
    wide = hits.pivot(on="topic", index="row", values="hit") if hits.height else pl.DataFrame({"row": []}, schema={"row": pl.Int64})
    labels = [t.id for t in taxonomy.topics]
    out = rows.join(wide, on="row", how="left").with_columns(
        *(pl.col(t).fill_null(False) if t in wide.columns else pl.lit(False).alias(t) for t in labels)
    )
    return (
        out.join(result.skepticism.select("row", pl.col("skeptical").alias("skepticism")), on="row")
        .join(result.tone, on="row")
        .join(vader.select("row", "compound"), on="row")
        .sort("row")
    )


def evaluate_files(paths: Sequence[str | Path], taxonomy: Taxonomy, model: Model) -> Evaluation:
    """Score the label files' texts and compare with their labels."""
    topic_ids = [t.id for t in taxonomy.topics]
    label_set = read_labels(paths, topic_ids)
    if label_set.frame.height == 0:
        raise UsageError("no labelled rows in " + ", ".join(str(p) for p in paths))
    frame = with_parent_text(label_set.frame)
    predicted = predictions(frame, taxonomy, model)
    tone = _news_tone(frame, predicted, predicted["compound"])
    return Evaluation(
        name=", ".join(str(p) for p in paths), method="the model in force", n=frame.height,
        model_sha256=model.sha256, taxonomy_sha256=taxonomy.sha256,
        labels=_binary_metrics(frame, label_set.labels, predicted), tone=tone,
    )


def evaluate_cross_validation(paths: Sequence[str | Path], taxonomy: Taxonomy, folds: int,
                              external_root: Path | None) -> Evaluation:
    """K-fold cross-validation grouped by thread on the label files (and the external train parts
    as extra training rows, as `train` uses them)."""
    from .train import TrainConfig, cross_validate, keyword_counter, training_rows

    topic_ids = [t.id for t in taxonomy.topics]
    label_set = read_labels(paths, topic_ids)
    rows = training_rows(label_set, external_root, TrainConfig())
    oof = cross_validate(rows, keyword_counter(taxonomy), folds)
    frame = label_set.frame
    with SentimentScorer() as scorer:
        compound = scorer.comment_scores(frame["text"].to_list())["compound"]
    tone = _news_tone(frame, oof, compound)
    return Evaluation(
        name=", ".join(str(p) for p in paths), method=f"{folds}-fold cross-validation grouped by thread",
        n=frame.height, model_sha256="(one model per fold)", taxonomy_sha256=taxonomy.sha256,
        labels=_binary_metrics(frame, label_set.labels, oof), tone=tone,
    )


def evaluate_external(root: Path, taxonomy: Taxonomy, model: Model) -> list[Evaluation]:
    """The held-out parts of the real labelled sets: tone on tweets and Reddit comments,
    skepticism (deny or query) on replies to rumours."""
    results = []
    for name, loader in (("tweeteval", external.tweeteval), ("goemotions", external.goemotions)):
        rows = loader(root, "heldout").with_columns(pl.lit(None, pl.String).alias("parent_text"))
        predicted = predictions(rows, taxonomy, model)
        tone = tone_metrics(None, rows["tone_class"], predicted[TONE], predicted["tone_label"], predicted["compound"])
        results.append(Evaluation(f"{name} held-out part", "the model in force", rows.height, model.sha256,
                                  taxonomy.sha256, [], tone))
    rows = external.rumoureval(root, "heldout").with_columns(pl.lit(None, pl.String).alias("parent_text"))
    predicted = predictions(rows, taxonomy, model)
    results.append(Evaluation("rumoureval held-out part (deny or query = skeptical)", "the model in force", rows.height,
                              model.sha256, taxonomy.sha256, _binary_metrics(rows, ["skepticism"], predicted), None))
    return results


def render(evaluations: Sequence[Evaluation], fmt: str = "table", show_errors: bool = False) -> str:
    """The evaluations as aligned tables (with the misclassified ids when asked) or JSON."""
    if fmt == "json":
        return json.dumps([asdict(e) for e in evaluations], indent=2, ensure_ascii=False) + "\n"
    if fmt != "table":
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    out: list[str] = []
    for e in evaluations:
        model = e.model_sha256[:12] if len(e.model_sha256) == 64 else e.model_sha256
        out.append(f"{e.name}: {e.n} comments; {e.method}; model {model}, taxonomy {e.taxonomy_sha256[:12]}")
        if e.labels:
            rows = [(m.label, m.support, m.predicted, m.tp, m.fp, m.fn, f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}")
                    for m in e.labels]
            out += ["", _table(("label", "support", "predicted", "tp", "fp", "fn", "precision", "recall", "f1"), rows)]
        if e.tone is not None:
            t = e.tone
            r = f"Pearson r {t.model_r:.3f} (VADER {t.vader_r:.3f}); " if t.model_r is not None and t.vader_r is not None else ""
            out += ["", f"tone ({t.n} labelled): {r}3-class macro-F1 {t.model_macro_f1:.3f} (VADER {t.vader_macro_f1:.3f})"]
        if show_errors:
            for m in e.labels:
                if m.false_positives or m.false_negatives:
                    out.append(f"{m.label}: false positives {', '.join(m.false_positives) or '-'}; "
                               f"false negatives {', '.join(m.false_negatives) or '-'}")
        out.append("")
    return "\n".join(out)


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
