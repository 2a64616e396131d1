"""The scoring models: one versioned artefact holding a linear model per label and the tone model.

Every output is a linear function of the same features (`features.py`): the hashed n-grams
(2**bits rows of weights, applied in C) and the dense features. For each binary label (the
topics the model was trained for, and `skepticism`) the output is a logistic probability with a
threshold chosen by cross-validation; the last output is the reader tone, clipped to [-1, 1],
with two cuts that make it a label (negative / neutral / positive).

The artefact is a zip file: `model.json` (labels, thresholds, feature settings, what it was
trained on) and `weights.npz`-style arrays stored as .npy
members (the n-gram weights as float16). Its SHA-256 names it in every scoring run. Members are
written with a fixed date and order, so the same training gives the same bytes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from .. import config
from ..errors import ReaderpulseError
from . import features

FORMAT = "readerpulse-model/1"
TONE = "tone"
MODEL_ENV = config.MODEL_ENV
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)
_ARRAYS = ("sparse_weights", "dense_weights", "bias")


class ModelError(ReaderpulseError):
    """A model file that is missing, unreadable or not a readerpulse model."""

    exit_code = 2


def shipped_path() -> Path:
    """The model trained from the project's labelled comments, shipped in the package."""
    return Path(__file__).resolve().parent / "models" / "readerpulse.model"


def resolve_path(option: str | os.PathLike[str] | None = None, db: str | os.PathLike[str] | None = None) -> Path:
    """The model in force: the option, else $READERPULSE_MODEL, else the project's, else the one
    `train` wrote for the database (`<db>.model` beside it), else the shipped one."""
    named = config.model(option)
    if named is not None:
        return named.path
    if db is not None:
        beside = database_model_path(db)
        if beside.is_file():
            return beside
    return shipped_path()


def database_model_path(db: str | os.PathLike[str]) -> Path:
    """Where `readerpulse train --db FILE` keeps the model of that database."""
    return Path(f"{db}.model")


@dataclass(frozen=True)
class Prediction:
    """What the model says of a batch: `scores` (a probability column per label, `tone`) and,
    when asked for, the words that pushed each label that may be a hit most
    (`features.project_top`; its outputs are the label's place in `labels`)."""

    scores: pl.DataFrame
    words: features.TopWords | None = None


# The words of a (row, label) are found when its probability is at least its threshold less
# this: every hit (a probability rounded to 4 places) and a few near misses, whatever the float
# rounding of the sum (the caller keeps the hits).
NEAR_MISS = 1e-3


@dataclass(frozen=True)
class Model:
    """A trained model; `predict` scores texts with their context."""

    bits: int
    labels: tuple[str, ...]  # binary outputs, in column order; the tone is the last column
    keyword_labels: tuple[str, ...]  # labels whose keyword counts are features
    sparse_weights: np.ndarray  # (2**bits, len(labels) + 1) float32
    dense_weights: np.ndarray  # (len(dense_names), len(labels) + 1) float32
    bias: np.ndarray  # (len(labels) + 1,) float32
    thresholds: dict[str, float]
    tone_cuts: tuple[float, float]
    meta: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    @property
    def outputs(self) -> tuple[str, ...]:
        """The model's outputs, in column order: the labels, then the tone."""
        return (*self.labels, TONE)

    def restricted(self, labels: tuple[str, ...]) -> Model:
        """The same model computing only these labels' outputs (and the tone): less work when
        only some are needed, e.g. re-tagging the topics a taxonomy edit changed."""
        keep = [self.labels.index(label) for label in labels if label in self.labels]
        columns = [*keep, len(self.labels)]
        return replace(
            self,
            labels=tuple(self.labels[i] for i in keep),
            sparse_weights=np.ascontiguousarray(self.sparse_weights[:, columns]),
            dense_weights=self.dense_weights[:, columns],
            bias=self.bias[columns],
            thresholds={self.labels[i]: self.thresholds[self.labels[i]] for i in keep},
        )

    def dense_names(self) -> list[str]:
        """The dense features this model reads."""
        return features.dense_names(self.keyword_labels)

    def predict(
        self,
        texts: pl.Series,
        vader: pl.DataFrame,
        keyword_counts: np.ndarray,
        parent_counts: np.ndarray,
        is_reply: np.ndarray,
        normalised_texts: pl.Series | None = None,
        top: int = 0,
        words: int = 0,
        skip: np.ndarray | None = None,
    ) -> Prediction:
        """Per text: one probability column per label (named as the label) and `tone` in [-1, 1];
        with `top` and `words`, for each (text, label) whose probability comes within NEAR_MISS
        of the label's threshold or above, its distinct words among the `top` that pushed it
        most, at most `words` (`features.project_top`).

        `keyword_counts` and `parent_counts` have one column per `keyword_labels` entry;
        `normalised_texts` (features.normalise of the texts) when the caller has them; `skip`:
        words that are no evidence (`features.bucket_mask`)."""
        dense = features.dense(texts, vader, keyword_counts, parent_counts, is_reply) @ self.dense_weights
        weights, k = self._projected, len(self.outputs)
        if not top:
            z = features.project(texts, self.bits, weights, normalised_texts, k)
            return Prediction(self.outputs_of(z + dense + self.bias))
        bar = self._logit_cuts() - (dense + self.bias)
        z, found = features.project_top(
            texts, self.bits, weights, top, words, normalised_texts, skip, bar.astype(np.float32), k
        )
        return Prediction(self.outputs_of(z + dense + self.bias), found)

    @functools.cached_property
    def _projected(self) -> np.ndarray:
        """The n-gram weights as the projection reads them fastest, made once: rows of 9 to 16
        outputs padded to one cache line each (`features.padded`); fewer outputs (a model
        restricted to a few labels) stay compact."""
        k = self.sparse_weights.shape[1]
        return features.padded(self.sparse_weights) if 8 < k <= features.WIDE else self.sparse_weights

    def _logit_cuts(self) -> np.ndarray:
        """Per output, the linear output from which a label may be a hit (NEAR_MISS below its
        threshold; never for the tone)."""
        cuts = np.full(len(self.outputs), np.inf, dtype=np.float64)
        for i, label in enumerate(self.labels):
            p = self.thresholds[label] - NEAR_MISS
            cuts[i] = -np.inf if p <= 0 else np.inf if p >= 1 else np.log(p / (1 - p))
        return cuts

    def outputs_of(self, z: np.ndarray) -> pl.DataFrame:
        """The linear outputs (rows x outputs) through their link: a probability per label, the
        tone clipped to [-1, 1]."""
        z = np.asarray(z, dtype=np.float64)
        columns = {label: 1.0 / (1.0 + np.exp(-z[:, i])) for i, label in enumerate(self.labels)}
        columns[TONE] = np.clip(z[:, -1], -1.0, 1.0)
        return pl.DataFrame(columns)

    def tone_label(self, tone: pl.Expr) -> pl.Expr:
        """negative / neutral / positive from the tone and the model's cuts."""
        low, high = self.tone_cuts
        return (
            pl.when(tone <= low)
            .then(pl.lit("negative"))
            .when(tone >= high)
            .then(pl.lit("positive"))
            .otherwise(pl.lit("neutral"))
        )


def save(model: Model, path: str | os.PathLike[str]) -> str:
    """Write the artefact; return its SHA-256. Same model, same bytes."""
    meta = {
        "format": FORMAT,
        "bits": model.bits,
        "labels": list(model.labels),
        "keyword_labels": list(model.keyword_labels),
        "dense_features": model.dense_names(),
        "thresholds": model.thresholds,
        "tone_cuts": list(model.tone_cuts),
        "meta": model.meta,
    }
    arrays: dict[str, np.ndarray] = {
        "sparse_weights": model.sparse_weights.astype(np.float16),
        "dense_weights": model.dense_weights.astype(np.float32),
        "bias": model.bias.astype(np.float32),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write(archive, "model.json", json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False).encode())
        for name in _ARRAYS:
            member = io.BytesIO()
            np.save(member, arrays[name], allow_pickle=False)
            _write(archive, f"{name}.npy", member.getvalue())
    data = buffer.getvalue()
    target = Path(path)
    temporary = target.with_name(target.name + ".tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        temporary.replace(target)  # whole or not at all
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise ModelError(f"{target}: cannot write the model ({exc.strerror or exc})") from None
    return hashlib.sha256(data).hexdigest()


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def load(path: str | os.PathLike[str]) -> Model:
    """Read an artefact written by `save`; a bad file is a ModelError naming it."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model ({exc.strerror or exc})") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            meta = json.loads(archive.read("model.json"))
            arrays = {
                name: np.load(io.BytesIO(archive.read(f"{name}.npy")), allow_pickle=False) for name in _ARRAYS
            }
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            found = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
            raise ModelError(f"{path}: not a {FORMAT} file (format {found!r})")
        labels = tuple(str(label) for label in meta["labels"])
        bits = int(meta["bits"])
        thresholds, cuts = meta["thresholds"], meta["tone_cuts"]
        if not 4 <= bits <= 24:
            raise ModelError(f"{path}: bits {bits} is not between 4 and 24")
        if not isinstance(thresholds, dict) or set(thresholds) != set(labels):
            raise ModelError(f"{path}: the thresholds do not name the labels {', '.join(labels)}")
        if not isinstance(cuts, list) or len(cuts) != 2:
            raise ModelError(f"{path}: tone_cuts must be two numbers")
        k = len(labels) + 1
        keyword_labels = tuple(meta["keyword_labels"])
        n_dense = len(features.dense_names(keyword_labels))
        shapes = {"sparse_weights": (1 << bits, k), "dense_weights": (n_dense, k), "bias": (k,)}
        for name, shape in shapes.items():
            if arrays[name].shape != shape:
                raise ModelError(f"{path}: {name} has shape {arrays[name].shape}, expected {shape}")
        return Model(
            bits=bits,
            labels=labels,
            keyword_labels=keyword_labels,
            sparse_weights=np.ascontiguousarray(arrays["sparse_weights"], dtype=np.float32),
            dense_weights=arrays["dense_weights"].astype(np.float32),
            bias=arrays["bias"].astype(np.float32),
            thresholds={str(k): float(v) for k, v in thresholds.items()},
            tone_cuts=(float(cuts[0]), float(cuts[1])),
            meta=dict(meta.get("meta", {})),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    except ModelError:
        raise
    except (zipfile.BadZipFile, zlib.error, KeyError, IndexError, AttributeError, ValueError, TypeError, OSError) as exc:
        raise ModelError(f"{path}: not a readable readerpulse model ({exc})") from None


def load_model(option: str | os.PathLike[str] | None = None, db: str | os.PathLike[str] | None = None) -> Model:
    """The model in force (see `resolve_path`)."""
    path = resolve_path(option, db)
    if not path.is_file():
        raise ModelError(f"{path}: no model file (train one with `readerpulse train`)")
    return load(path)
