"""`readerpulse train`: fit the scoring models from labelled comments (scikit-learn).

Rows come from label files (`readerpulse.labels`) and, optionally, the train parts of the real
labelled sets (`readerpulse.external`): their tweets and Reddit comments teach the tone, their replies
to rumours teach skepticism, each with a weight below the news comments'. Every row is featurised
once (`readerpulse.score.features`: hashed n-grams, VADER, keyword counts of the comment and of its
parent). Then, per binary label, a logistic regression on the rows where that label is known
(balanced classes) with a threshold chosen on out-of-fold predictions (folds grouped by thread);
and a ridge regression for the tone. `cross_validate` gives each row a prediction from models
that never saw its thread.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import sklearn
from scipy import sparse
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold

from . import external
from .errors import UsageError
from .labels import SENTIMENT, LabelSet, label_files, read_labels, with_parent_text
from .score import features
from .score.model import TONE, Model, save
from .score.sentiment import SentimentScorer
from .score.taxonomy import Taxonomy

# keyword counts of texts, one column per label of `labels`
KeywordCounter = Callable[[pl.Series, Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class TrainConfig:
    """Settings of a training run (recorded in the model)."""

    bits: int = 18
    c: float = 4.0  # inverse regularisation of the logistic regressions
    tone_alpha: float = 1.0  # ridge regularisation of the tone
    threshold_folds: int = 4  # grouped folds for the out-of-fold thresholds
    # Weights of the real sets' rows against a news comment's 1 (chosen by cross-validation on
    # the news labels and the real sets' held-out parts; see docs/scoring.md).
    external_tone_weight: float = 0.02  # a tweet or Reddit comment, for the tone
    external_skepticism_weight: float = 0.05  # a reply to a rumour, for skepticism
    min_positives: int = 5  # a label with fewer labelled positives gets no model
    tone_idf: bool = True  # the tone weighs each n-gram bucket by its inverse document frequency


@dataclass
class TrainingRows:
    """What training reads: one row per labelled text.

    `frame`: id, source, thread, text, parent_text (null: not a reply), weight, one Int8 column per
    binary label (null: unknown) and `tone` (Float64 in -1..1, null: unknown)."""

    frame: pl.DataFrame
    labels: tuple[str, ...]
    sources: dict[str, int] = field(default_factory=dict)


def news_rows(label_set: LabelSet) -> pl.DataFrame:
    """The rows of label files, with the text of each reply's parent (from the same file)."""
    frame = label_set.frame
    return with_parent_text(frame).select(
        "id",
        pl.lit("labels").alias("source"),
        # by file name, not path: the folds (and so the thresholds) do not depend on where it lies
        pl.concat_str(pl.col("file").str.replace(r"^.*[/\\]", ""), pl.lit(":"), pl.col("thread")).alias("thread"),
        "text",
        "parent_text",
        pl.lit(1.0).alias("weight"),
        *label_set.labels,
        (pl.col(SENTIMENT).cast(pl.Float64) / 2).alias(TONE),
    )


def external_rows(root: Path, labels: Sequence[str], config: TrainConfig, part: external.Part = "train") -> pl.DataFrame:
    """The real labelled sets' rows (their `part`), shaped like `news_rows`."""
    nulls = [pl.lit(None, pl.Int8).alias(label) for label in labels]
    frames = []
    for name, loader in (("tweeteval", external.tweeteval), ("goemotions", external.goemotions)):
        rows = loader(root, part)
        frames.append(
            rows.select(
                "id", pl.lit(name).alias("source"), pl.col("id").alias("thread"), "text",
                pl.lit(None, pl.String).alias("parent_text"), pl.lit(config.external_tone_weight).alias("weight"),
                *nulls, pl.col("tone_class").replace_strict(external.CLASS_TONE, return_dtype=pl.Float64).alias(TONE),
            )
        )
    if "skepticism" in labels:
        rows = external.rumoureval(root, part)
        frames.append(
            rows.select(
                "id", pl.lit("rumoureval").alias("source"), "thread", "text",
                pl.lit(None, pl.String).alias("parent_text"),
                pl.lit(config.external_skepticism_weight).alias("weight"),
                *(pl.col("skepticism").alias(label) if label == "skepticism" else pl.lit(None, pl.Int8).alias(label) for label in labels),
                pl.lit(None, pl.Float64).alias(TONE),
            )
        )
    return pl.concat(frames, how="vertical")


def training_rows(label_set: LabelSet, external_root: Path | None, config: TrainConfig) -> TrainingRows:
    """The label files' rows, and the real sets' train parts when `external_root` is given."""
    frames = [news_rows(label_set)]
    if external_root is not None:
        frames.append(external_rows(external_root, label_set.labels, config))
    frame = pl.concat(frames, how="vertical")
    sources = dict(frame.group_by("source").len().sort("source").iter_rows())
    return TrainingRows(frame, label_set.labels, {str(k): int(v) for k, v in sources.items()})


@dataclass
class Featurised:
    """The feature matrix of some rows (sparse n-grams, then the dense columns)."""

    matrix: sparse.csr_matrix
    keyword_labels: tuple[str, ...]

    def rows(self, index: np.ndarray) -> sparse.csr_matrix:
        """The matrix restricted to these rows."""
        return self.matrix[index]

    def for_output(self, label: str | None) -> Featurised:
        """The features one output reads: the keyword counts of its own label only (none for the
        tone, `label` None), so that editing a topic's keywords changes that topic alone."""
        names = features.dense_names(self.keyword_labels)
        own = {f"keywords_{label}", f"parent_keywords_{label}"}
        keep = [not name.startswith(("keywords_", "parent_keywords_")) or name in own for name in names]
        sparse_columns = self.matrix.shape[1] - len(names)
        mask = np.concatenate([np.ones(sparse_columns), np.asarray(keep, dtype=np.float64)])
        return Featurised((self.matrix @ sparse.diags(mask.astype(np.float32))).tocsr(), self.keyword_labels)


def featurise(
    frame: pl.DataFrame, keyword_labels: Sequence[str], keyword_counts: KeywordCounter, bits: int
) -> Featurised:
    """Features of every row of a `TrainingRows.frame`."""
    texts = frame["text"].fill_null("")
    parents = frame["parent_text"]
    with SentimentScorer() as scorer:
        vader = scorer.comment_scores(texts.to_list())
    counts = keyword_counts(texts, keyword_labels)
    parent_counts = keyword_counts(parents.fill_null(""), keyword_labels)
    is_reply = parents.is_not_null().cast(pl.Float32).to_numpy()
    dense = features.dense(texts, vader, counts, parent_counts, is_reply)
    matrix = sparse.hstack([features.hashed(texts, bits), sparse.csr_matrix(dense)], format="csr")
    return Featurised(matrix, tuple(keyword_labels))


def _idf(matrix: sparse.csr_matrix, dim: int) -> np.ndarray:
    """Smoothed inverse document frequency of each n-gram bucket over these rows."""
    n = matrix.shape[0]
    present = matrix[:, :dim].copy()
    present.sum_duplicates()
    df = np.bincount(present.indices, minlength=dim)
    return np.asarray(np.log((1.0 + n) / (1.0 + df)) + 1.0, dtype=np.float64)


def _best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability cut with the best F1 on these out-of-fold predictions."""
    best, best_f1 = 0.5, 0.0  # no cut finds a positive: keep 0.5, not the loosest cut
    for cut in np.arange(0.2, 0.81, 0.025):
        predicted = p >= cut
        tp = float(np.sum(predicted & (y == 1)))
        f1 = 2 * tp / (np.sum(predicted) + np.sum(y == 1)) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(cut), f1
    return round(best, 3)


def _tone_cuts(y: np.ndarray, tone: np.ndarray) -> tuple[float, float]:
    """The cuts of the tone that give the best macro-F1 against the sign of the human tone."""
    from .evaluate import macro_f1

    gold = np.sign(np.round(y * 4)).astype(int)
    best, best_f1 = (-0.15, 0.15), -1.0
    for low in np.arange(-0.4, -0.01, 0.025):
        for high in np.arange(0.025, 0.41, 0.025):
            predicted = np.where(tone <= low, -1, np.where(tone >= high, 1, 0))
            f1 = macro_f1(gold.tolist(), predicted.tolist(), (-1, 0, 1))
            if f1 > best_f1 + 1e-9:
                best, best_f1 = (round(float(low), 3), round(float(high), 3)), f1
    return best


def _classifier(config: TrainConfig) -> LogisticRegression:
    return LogisticRegression(C=config.c, class_weight="balanced", solver="liblinear", max_iter=1000, random_state=0)


def _fit_label(x: sparse.csr_matrix, y: np.ndarray, w: np.ndarray, config: TrainConfig) -> tuple[np.ndarray, float]:
    model = _classifier(config).fit(x, y, sample_weight=w)
    return np.asarray(model.coef_[0], dtype=np.float64), float(model.intercept_[0])


def _fit_tone(x: sparse.csr_matrix, y: np.ndarray, w: np.ndarray, config: TrainConfig) -> tuple[np.ndarray, float]:
    model = Ridge(alpha=config.tone_alpha, solver="auto").fit(x, y, sample_weight=w)
    return np.asarray(model.coef_, dtype=np.float64), float(model.intercept_)


def _out_of_fold(
    feats: Featurised, tone_feats: Featurised, frame: pl.DataFrame, labels: Sequence[str], config: TrainConfig, folds: int
) -> dict[str, np.ndarray]:
    """Per label and for the tone: a prediction of each row from models fitted without its
    thread (NaN where the label is unknown)."""
    n = frame.height
    groups = frame["thread"].to_numpy()
    weights = frame["weight"].to_numpy()
    out = {name: np.full(n, np.nan) for name in (*labels, TONE)}
    splits = list(GroupKFold(n_splits=folds).split(np.zeros(n), groups=groups))
    for label in labels:
        own = feats.for_output(label)
        y = frame[label].to_numpy()
        known = ~np.isnan(y.astype(np.float64))
        for train_index, test_index in splits:
            mask = known[train_index]
            y_train = y[train_index][mask].astype(int)
            if len(set(y_train)) < 2:
                continue
            coef, intercept = _fit_label(own.rows(train_index)[mask], y_train, weights[train_index][mask], config)
            out[label][test_index] = 1 / (1 + np.exp(-(own.rows(test_index) @ coef + intercept)))
    tone = frame[TONE].to_numpy()
    for train_index, test_index in splits:
        mask = ~np.isnan(tone[train_index])
        t_train, t_test = tone_feats.rows(train_index), tone_feats.rows(test_index)
        coef, intercept = _fit_tone(t_train[mask], tone[train_index][mask], weights[train_index][mask], config)
        out[TONE][test_index] = np.clip(t_test @ coef + intercept, -1, 1)
    return out


def fit(
    rows: TrainingRows,
    keyword_counts: KeywordCounter,
    config: TrainConfig | None = None,
    feats: Featurised | None = None,
) -> Model:
    """Fit the model of every label with enough labelled positives, and the tone model."""
    config = config or TrainConfig()
    frame = rows.frame
    feats = feats or featurise(frame, rows.labels, keyword_counts, config.bits)
    positives = {label: int(frame[label].fill_null(0).sum()) for label in rows.labels}
    negatives = {label: int((frame[label] == 0).sum()) for label in rows.labels}
    # a model needs examples of both kinds
    labels = tuple(
        label for label in rows.labels if positives[label] >= config.min_positives and negatives[label] > 0
    )
    if frame[TONE].is_null().all():
        raise UsageError("no labelled tone (sentiment) in the training rows")
    dim = 1 << config.bits
    idf = _idf(feats.matrix, dim) if config.tone_idf else np.ones(dim)
    scale = sparse.diags(np.concatenate([idf, np.ones(feats.matrix.shape[1] - dim)]).astype(np.float32))
    tone_feats = Featurised((feats.matrix @ scale).tocsr(), feats.keyword_labels).for_output(None)
    folds = min(config.threshold_folds, frame["thread"].n_unique())
    oof = _out_of_fold(feats, tone_feats, frame, labels, config, folds) if folds >= 2 else {}
    weights = frame["weight"].to_numpy()
    columns, intercepts, thresholds = [], [], {}
    for label in labels:
        y = frame[label].to_numpy().astype(np.float64)
        known = ~np.isnan(y)
        own = feats.for_output(label)
        coef, intercept = _fit_label(own.rows(np.flatnonzero(known)), y[known].astype(int), weights[known], config)
        columns.append(coef)
        intercepts.append(intercept)
        news = known & (frame["source"] == "labels").to_numpy()
        thresholds[label] = _best_threshold(y[news].astype(int), oof[label][news]) if label in oof else 0.5
    tone = frame[TONE].to_numpy().astype(np.float64)
    known = ~np.isnan(tone)
    coef, intercept = _fit_tone(tone_feats.rows(np.flatnonzero(known)), tone[known], weights[known], config)
    # the idf is folded into the tone's n-gram weights: scoring multiplies raw features by them
    coef[:dim] *= idf
    columns.append(coef)
    intercepts.append(intercept)
    news = known & (frame["source"] == "labels").to_numpy()
    cuts = _tone_cuts(tone[news], oof[TONE][news]) if TONE in oof else (-0.15, 0.15)
    weights_all = np.stack(columns, axis=1)
    sparse_weights = weights_all[:dim].astype(np.float32)
    model = Model(
        bits=config.bits,
        labels=labels,
        keyword_labels=feats.keyword_labels,
        sparse_weights=sparse_weights,
        dense_weights=weights_all[dim:].astype(np.float32),
        bias=np.asarray(intercepts, dtype=np.float32),
        thresholds=thresholds,
        tone_cuts=cuts,
        meta={
            "config": asdict(config),
            "rows": rows.sources,
            "positives": {label: positives[label] for label in rows.labels},
            "untrained": [label for label in rows.labels if label not in labels],
            "scikit_learn": sklearn.__version__,
        },
    )
    return model


def cross_validate(
    rows: TrainingRows, keyword_counts: KeywordCounter, folds: int, config: TrainConfig | None = None
) -> pl.DataFrame:
    """Each label-file row's prediction from a model fitted on the other folds (grouped by thread:
    a reply is never in another fold than its parent), thresholds chosen inside those folds.

    Columns: id, one Boolean per label (null where no model), tone; rows of the label files only."""
    config = config or TrainConfig()
    frame = rows.frame
    feats = featurise(frame, rows.labels, keyword_counts, config.bits)
    groups = frame["thread"].to_numpy()
    news = (frame["source"] == "labels").to_numpy()
    threads = np.unique(groups[news])
    if folds < 2 or folds > len(threads):
        raise UsageError(f"--cross-validate needs 2 to {len(threads)} folds (one per thread at most)")
    result = {label: np.full(frame.height, None, dtype=object) for label in rows.labels}
    tone = np.full(frame.height, np.nan)
    tone_label = np.full(frame.height, None, dtype=object)
    splitter = GroupKFold(n_splits=folds)
    news_index = np.flatnonzero(news)
    for _train_part, test_part in splitter.split(news_index, groups=groups[news_index]):
        test_index = news_index[test_part]
        train_mask = np.ones(frame.height, dtype=bool)
        train_mask[test_index] = False
        train_index = np.flatnonzero(train_mask)
        sub = TrainingRows(frame[train_index], rows.labels, rows.sources)
        model = fit(sub, keyword_counts, config, Featurised(feats.rows(train_index), feats.keyword_labels))
        weights = np.vstack([model.sparse_weights, model.dense_weights])
        outputs = model.outputs_of(feats.rows(test_index) @ weights + model.bias)
        for label in model.labels:
            result[label][test_index] = (outputs[label] >= model.thresholds[label]).to_numpy()
        tone[test_index] = outputs[TONE].to_numpy()
        tone_label[test_index] = outputs.select(model.tone_label(pl.col(TONE)).alias("label"))["label"].to_numpy()
    columns: dict[str, pl.Series] = {"id": frame["id"]}
    for label in rows.labels:
        columns[label] = pl.Series(label, list(result[label]), dtype=pl.Boolean)
    columns[TONE] = pl.Series(TONE, tone)
    columns["tone_label"] = pl.Series("tone_label", list(tone_label), dtype=pl.String)
    return pl.DataFrame(columns).filter(pl.Series(news))


def keyword_counter(taxonomy: Taxonomy) -> KeywordCounter:
    """Counts of the taxonomy's keywords, as scoring computes them."""
    from .score.classify import keyword_counts
    from .score.keywords import keyword_matches

    def count(texts: pl.Series, labels: Sequence[str]) -> np.ndarray:
        return keyword_counts(keyword_matches(texts, taxonomy), tuple(labels))

    return count


def default_labels() -> Path:
    """data/labels of the source tree this package runs from (an installed wheel has none)."""
    path = Path(__file__).resolve().parents[1] / "data" / "labels"
    if not path.is_dir():
        raise UsageError("no labelled comments come with an installed readerpulse: name label files or folders")
    return path


@dataclass(frozen=True)
class TrainResult:
    """What `train` wrote."""

    path: Path
    sha256: str
    model: Model
    seconds: float


def train(
    label_paths: Sequence[str | Path],
    taxonomy: Taxonomy,
    out: str | os.PathLike[str],
    external_root: Path | None = None,
    config: TrainConfig | None = None,
) -> TrainResult:
    """Fit a model from label files (and the real sets' train parts) and write it to `out`."""
    started = time.perf_counter()
    config = config or TrainConfig()
    label_set = read_labels(label_paths, [t.id for t in taxonomy.topics])
    if label_set.frame.height == 0:
        raise UsageError("no labelled rows in " + ", ".join(str(p) for p in label_paths))
    rows = training_rows(label_set, external_root, config)
    model = fit(rows, keyword_counter(taxonomy), config)
    model.meta["label_files"] = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in label_files(label_paths)
    }
    model.meta["taxonomy_sha256"] = taxonomy.sha256
    sha = save(model, out)
    return TrainResult(Path(out), sha, model, time.perf_counter() - started)
