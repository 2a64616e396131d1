"""Training: models that learn, an artefact that round-trips byte for byte, grouped folds."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from readerpulse.errors import UsageError
from readerpulse.score import model as model_module
from readerpulse.train import TrainConfig, TrainingRows, cross_validate, fit

from tests.model_helpers import no_keywords, synthetic_rows

LABELS = ("alpha", "skepticism")
CONFIG = TrainConfig(bits=12, threshold_folds=3)


def test_fit_learns_each_label_and_the_tone() -> None:
    model = fit(synthetic_rows(), no_keywords, CONFIG)
    assert model.labels == LABELS
    texts = pl.Series(["the ferry again, lovely", "who checked these numbers? awful", "another day"])
    vader = pl.DataFrame({"neg": [0.0] * 3, "neu": [1.0] * 3, "pos": [0.0] * 3, "compound": [0.0] * 3})
    zeros = np.zeros((3, len(model.keyword_labels)), dtype=np.float32)
    predicted = model.predict(texts, vader, zeros, zeros, np.zeros(3, dtype=np.float32)).scores
    alpha = predicted["alpha"].to_list()
    assert alpha[0] > model.thresholds["alpha"] > alpha[2]
    skeptic = predicted["skepticism"].to_list()
    assert skeptic[1] > model.thresholds["skepticism"] > skeptic[0]
    tone = predicted["tone"].to_list()
    assert tone[0] > 0 > tone[1]


def test_artefact_round_trip_and_reproducible(tmp_path: Path) -> None:
    first = fit(synthetic_rows(), no_keywords, CONFIG)
    sha_1 = model_module.save(first, tmp_path / "a.model")
    sha_2 = model_module.save(fit(synthetic_rows(), no_keywords, CONFIG), tmp_path / "b.model")
    assert sha_1 == sha_2
    assert (tmp_path / "a.model").read_bytes() == (tmp_path / "b.model").read_bytes()
    loaded = model_module.load(tmp_path / "a.model")
    assert loaded.sha256 == sha_1
    assert loaded.labels == first.labels and loaded.thresholds == first.thresholds
    assert np.array_equal(loaded.sparse_weights, first.sparse_weights.astype(np.float16).astype(np.float32))


def test_bad_model_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"not a zip")
    with pytest.raises(model_module.ModelError, match="bad.model: not a readable readerpulse model"):
        model_module.load(bad)
    with pytest.raises(model_module.ModelError, match="no model file"):
        model_module.load_model(tmp_path / "missing.model")


def test_label_with_too_few_positives_gets_no_model() -> None:
    data = synthetic_rows()
    frame = data.frame.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(1).otherwise(0).cast(pl.Int8).alias("alpha"))
    model = fit(TrainingRows(frame, LABELS, data.sources), no_keywords, CONFIG)
    assert model.labels == ("skepticism",)
    assert model.meta["untrained"] == ["alpha"]


def test_cross_validation_keeps_threads_together(monkeypatch: pytest.MonkeyPatch) -> None:
    import readerpulse.train as train_module
    from sklearn.model_selection import GroupKFold

    data = synthetic_rows()
    threads = data.frame["thread"].to_numpy()
    test_folds: list[set[str]] = []

    class Recording(GroupKFold):  # type: ignore[misc]
        def split(self, x, y=None, groups=None):  # type: ignore[no-untyped-def]
            for train_index, test_index in super().split(x, y, groups):
                if len(x) == data.frame.height:  # the outer folds (inner ones see fewer rows)
                    test_folds.append({str(t) for t in threads[test_index]})
                yield train_index, test_index

    monkeypatch.setattr(train_module, "GroupKFold", Recording)
    result = cross_validate(data, no_keywords, 4, CONFIG)
    assert len(test_folds) == 4
    for i, fold in enumerate(test_folds):
        for other in test_folds[i + 1 :]:
            assert fold.isdisjoint(other)
    assert result.height == data.frame.height
    assert set(result.columns) >= {"id", "alpha", "skepticism", "tone", "tone_label"}
    # a model that never saw the row's thread still finds the obvious cue
    joined = result.join(data.frame.select("id", pl.col("alpha").alias("gold")), on="id")
    agree = (joined["alpha"] == (joined["gold"] == 1)).mean()
    assert agree is not None and float(agree) > 0.9
    with pytest.raises(UsageError, match="folds"):
        cross_validate(data, no_keywords, 1, CONFIG)


def test_each_output_reads_only_its_own_keywords() -> None:
    def counts(texts: pl.Series, labels: Sequence[str]) -> np.ndarray:
        # a keyword count per label that follows the label's cue ("ferry" or "who checked")
        cues = {"alpha": "ferry", "skepticism": "who checked"}
        return np.stack([texts.str.contains(cues[label]).cast(pl.Float32).to_numpy() for label in labels], axis=1)

    model = fit(synthetic_rows(), counts, CONFIG)
    names = model.dense_names()
    for column, output in enumerate(model.outputs):
        for row, name in enumerate(names):
            if name.startswith(("keywords_", "parent_keywords_")) and not name.endswith(f"_{output}"):
                assert model.dense_weights[row, column] == 0.0, (output, name)
    assert model.dense_weights[names.index("keywords_alpha"), model.labels.index("alpha")] > 0


def test_a_restricted_model_gives_the_same_outputs() -> None:
    model = fit(synthetic_rows(), no_keywords, CONFIG)
    texts = pl.Series(["the ferry again, lovely", "who checked these numbers? awful"])
    vader = pl.DataFrame({"neg": [0.1, 0.5], "neu": [0.8, 0.5], "pos": [0.1, 0.0], "compound": [0.2, -0.6]})
    zeros = np.zeros((2, len(model.keyword_labels)), dtype=np.float32)
    full = model.predict(texts, vader, zeros, zeros, np.zeros(2, dtype=np.float32)).scores
    part = model.restricted(("skepticism",))
    assert part.labels == ("skepticism",) and part.sha256 == model.sha256
    some = part.predict(texts, vader, zeros, zeros, np.zeros(2, dtype=np.float32)).scores
    assert some.columns == ["skepticism", "tone"]
    assert np.allclose(some.to_numpy(), full.select("skepticism", "tone").to_numpy(), atol=1e-6)


def test_a_label_with_one_class_only_gets_no_model() -> None:
    data = synthetic_rows()
    frame = data.frame.with_columns(pl.lit(1, pl.Int8).alias("skepticism"))
    model = fit(TrainingRows(frame, LABELS, data.sources), no_keywords, CONFIG)
    assert model.labels == ("alpha",) and model.meta["untrained"] == ["skepticism"]


def test_a_threshold_without_any_positive_found_stays_at_one_half() -> None:
    from readerpulse.train import _best_threshold

    assert _best_threshold(np.array([1, 1, 0]), np.array([0.1, 0.1, 0.1])) == 0.5
    assert _best_threshold(np.array([1, 0, 0]), np.array([0.9, 0.1, 0.1])) == 0.2  # the first best cut


@pytest.mark.parametrize(
    "meta_edit",
    [
        lambda meta: [],  # not an object
        lambda meta: {**meta, "thresholds": []},
        lambda meta: {**meta, "thresholds": {}},
        lambda meta: {**meta, "tone_cuts": []},
        lambda meta: {**meta, "bits": 40},
    ],
)
def test_bad_model_metadata_is_one_model_error(tmp_path: Path, meta_edit) -> None:  # type: ignore[no-untyped-def]
    import json
    import zipfile

    good = tmp_path / "good.model"
    model_module.save(fit(synthetic_rows(), no_keywords, CONFIG), good)
    bad = tmp_path / "bad.model"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "model.json":
                data = json.dumps(meta_edit(json.loads(data))).encode()
            target.writestr(name, data)
    with pytest.raises(model_module.ModelError, match="bad.model"):
        model_module.load(bad)


def test_a_corrupt_member_is_one_model_error(tmp_path: Path) -> None:
    path = tmp_path / "m.model"
    model_module.save(fit(synthetic_rows(), no_keywords, CONFIG), path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(model_module.ModelError, match="m.model"):
        model_module.load(path)


def test_an_unwritable_model_path_is_one_model_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    with pytest.raises(model_module.ModelError, match="cannot write the model"):
        model_module.save(fit(synthetic_rows(), no_keywords, CONFIG), blocker / "m.model")
