"""`readerpulse evaluate`: metrics, label files, cross-validation, the real sets' held-out parts, VADER's ICWSM figures, the command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from readerpulse.cli import main
from readerpulse.errors import ReaderpulseError, UsageError
from readerpulse.evaluate import (
    evaluate_external,
    evaluate_files,
    evaluate_groundtruth,
    label_metrics,
    macro_f1,
    pearson,
    render,
    render_groundtruth,
)
from readerpulse.score.taxonomy import load_taxonomy

from tests.conftest import TEST_MODEL, TEST_TAXONOMY, shared_path

HEADER = "id,author,posted_at,parent_id,text,un_inaction,russia_role,casualty_trust,skepticism,sentiment\n"


def test_label_metrics() -> None:
    m = label_metrics("x", ["a", "b", "c", "d"], [True, True, False, False], [True, False, True, False])
    assert (m.tp, m.fp, m.fn, m.precision, m.recall, m.f1) == (1, 1, 1, 0.5, 0.5, 0.5)
    assert (m.false_positives, m.false_negatives) == (["c"], ["b"])
    empty = label_metrics("x", ["a"], [False], [False])
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)


def test_pearson_and_macro_f1() -> None:
    assert pearson(pl.Series([1, 2, 3]), pl.Series([2, 4, 6])) == pytest.approx(1.0)
    assert math.isnan(pearson(pl.Series([1, 1, 1]), pl.Series([1, 2, 3])))
    gold = ["negative", "negative", "neutral", "positive"]
    assert macro_f1(gold, gold) == 1.0
    # negative: P 1, R 0.5 -> 2/3; neutral: P 0.5, R 1 -> 2/3; positive: 1
    assert macro_f1(gold, ["negative", "neutral", "neutral", "positive"]) == pytest.approx((2 / 3 + 2 / 3 + 1) / 3, abs=1e-4)


def write_labels(path: Path) -> Path:
    # the suite's taxonomy (tests/fixtures/taxonomy) and keyword model: un_inaction needs two
    # keywords, skepticism two cues; g4 labels no topic and g5 no sentiment
    path.write_text(
        HEADER
        + 'g1,a,,,"The Kremlin sold them out, the UN did nothing.",1,1,0,0,-2\n'
        + 'g2,b,,,"Who verified the death toll? Propaganda.",0,0,1,1,-1\n'
        + "g3,c,,g1,Thank you volunteers!,0,0,0,0,2\n"
        + "g4,d,,,Moscow again.,,,,,0\n"
        + "g5,e,,,Killed? Fake.,0,0,0,1,\n",
        "utf-8",
    )
    return path


def test_label_files_end_to_end(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(TEST_TAXONOMY)
    from readerpulse.score.model import load

    report = evaluate_files([write_labels(tmp_path / "labels.csv")], taxonomy, load(TEST_MODEL))
    assert report.n == 5
    figures = {m.label: (m.support, m.tp, m.fp, m.fn) for m in report.labels}
    assert figures == {
        "un_inaction": (1, 1, 0, 0),  # UN + did nothing: the two keywords its threshold needs
        "russia_role": (1, 1, 0, 0),  # g4 (Moscow) labels no topic: not counted
        "casualty_trust": (1, 1, 1, 0),  # g5 "killed" is a casualty keyword
        "skepticism": (2, 2, 0, 0),  # humanitarian: no column in the file, not measured
    }
    assert [m.label for m in report.labels] == ["un_inaction", "russia_role", "casualty_trust", "skepticism"]
    assert report.tone is not None and report.tone.n == 4
    # the suite's model says VADER's compound: its tone figures are VADER's
    assert report.tone.model_r == report.tone.vader_r
    table = render([report], show_errors=True)
    assert "un_inaction" in table and "Pearson r" in table
    assert json.loads(render([report], "json"))[0]["labels"][0]["label"] == "un_inaction"


@pytest.mark.slow
def test_vader_groundtruth_figures_match_the_package() -> None:
    report = evaluate_groundtruth(shared_path("external", "vader_icwsm2014"))
    r = {f.file.split("_")[0]: f.pearson_r for f in report.files}
    assert len(report.files) == 4 and all(f.parity and f.mismatches == 0 for f in report.files)
    assert r["tweets"] == pytest.approx(0.872, abs=0.005)
    assert r["nytEditorialSnippets"] == pytest.approx(0.503, abs=0.005)
    assert r["movieReviewSnippets"] == pytest.approx(0.427, abs=0.005)
    assert r["amazonReviewSnippets"] == pytest.approx(0.590, abs=0.005)
    assert "identical" in render_groundtruth(report)
    assert json.loads(render_groundtruth(report, "json"))["vader_version"] == "3.3.2"


def test_groundtruth_folder_problems(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a directory"):
        evaluate_groundtruth(tmp_path / "nope")
    with pytest.raises(UsageError, match="no \\*_GroundTruth.txt files"):
        evaluate_groundtruth(tmp_path)
    (tmp_path / "x_GroundTruth.txt").write_text("1\t0.5\n", "utf-8")
    with pytest.raises(ReaderpulseError, match="line 1 is not id<TAB>rating<TAB>text"):
        evaluate_groundtruth(tmp_path)


def test_evaluate_command_json(tmp_path: Path) -> None:
    path = write_labels(tmp_path / "labels.csv")
    result = CliRunner().invoke(main, ["evaluate", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    (document,) = json.loads(result.stdout)
    assert document["n"] == 5
    assert [m["label"] for m in document["labels"]] == ["un_inaction", "russia_role", "casualty_trust", "skepticism"]
    assert set(document["tone"]) == {"n", "model_r", "vader_r", "model_macro_f1", "vader_macro_f1"}


def test_cross_validation_command(tmp_path: Path) -> None:
    rows = "".join(
        f'c{i},a,,,"{"the kremlin again" if i % 2 else "quiet day"} {"who verified?" if i % 3 == 0 else ""}",'
        f"0,{i % 2},0,{int(i % 3 == 0)},{(i % 5) - 2}\n"
        for i in range(40)
    )
    path = tmp_path / "train.csv"
    path.write_text(HEADER + rows, "utf-8")
    result = CliRunner().invoke(main, ["evaluate", "--cross-validate", "4", str(path)])
    assert result.exit_code == 0, result.output
    assert "4-fold cross-validation grouped by thread" in result.stdout
    assert "russia_role" in result.stdout and "tone (40 labelled)" in result.stdout
    too_many = CliRunner().invoke(main, ["evaluate", "--cross-validate", "41", str(path)])
    assert too_many.exit_code == 2 and "folds" in too_many.stderr


def test_external_held_out_parts() -> None:
    taxonomy = load_taxonomy(TEST_TAXONOMY)
    from readerpulse.score.model import load

    reports = evaluate_external(shared_path("external"), taxonomy, load(TEST_MODEL))
    assert [r.name.split()[0] for r in reports] == ["tweeteval", "goemotions", "rumoureval"]
    for report in reports[:2]:
        assert report.tone is not None and report.tone.model_r is None
        # the suite's model gives VADER's compound as the tone, with VADER's cuts
        assert report.tone.model_macro_f1 == report.tone.vader_macro_f1
    assert [m.label for m in reports[2].labels] == ["skepticism"]


@pytest.mark.parametrize("args", [["evaluate"], ["evaluate", "--format", "json"]])
def test_evaluate_needs_something_to_measure(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "give label files, --cross-validate K, --external DIR or --vader-groundtruth DIR" in result.stderr
