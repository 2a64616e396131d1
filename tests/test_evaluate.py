"""`readerpulse evaluate`: metrics, the dev-set targets, VADER's ICWSM figures, the command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.cli import main
from analysis.errors import ReaderpulseError, UsageError
from analysis.evaluate import (
    GOLD_COLUMNS,
    evaluate_gold,
    evaluate_groundtruth,
    label_metrics,
    pearson,
    read_gold,
    render_gold,
    render_groundtruth,
)
from analysis.score.taxonomy import load_taxonomy
from tests.conftest import REPO, shared_path

HELDOUT = REPO / "tests" / "score" / "data"
HEADER = "id,author,posted_at,parent_id,text,un_inaction,russia_role,casualty_trust,skepticism,sentiment\n"


def test_label_metrics() -> None:
    m = label_metrics("x", ["a", "b", "c", "d"], [True, True, False, False], [True, False, True, False])
    assert (m.tp, m.fp, m.fn, m.precision, m.recall, m.f1) == (1, 1, 1, 0.5, 0.5, 0.5)
    assert (m.false_positives, m.false_negatives) == (["c"], ["b"])
    empty = label_metrics("x", ["a"], [False], [False])
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)


def test_pearson() -> None:
    assert pearson(pl.Series([1, 2, 3]), pl.Series([2, 4, 6])) == pytest.approx(1.0)
    assert math.isnan(pearson(pl.Series([1, 1, 1]), pl.Series([1, 2, 3])))


def test_gold_file_problems_are_clear(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        read_gold(tmp_path / "missing.csv")
    (tmp_path / "cols.csv").write_text("id,text\n1,hi\n", "utf-8")
    with pytest.raises(ReaderpulseError, match="missing column"):
        read_gold(tmp_path / "cols.csv")
    (tmp_path / "bad.csv").write_text(HEADER + "g1,a,,,hi,maybe,0,0,0,0\n", "utf-8")
    with pytest.raises(ReaderpulseError, match="labels must be 0/1"):
        read_gold(tmp_path / "bad.csv")


def test_small_gold_file_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "gold.csv"
    path.write_text(
        HEADER
        + 'g1,a,,,"The Kremlin sold them out, the UN did nothing.",1,1,0,0,-2\n'
        + 'g2,b,,,"Who verified the death toll? Propaganda.",0,0,1,1,-1\n'
        + "g3,c,,,Thank you volunteers!,0,0,0,0,2\n",
        "utf-8",
    )
    report = evaluate_gold(path)
    assert report.n == 3
    assert {m.label: m.f1 for m in report.labels} == {
        "un_inaction": 1.0, "russia_role": 1.0, "casualty_trust": 1.0, "skepticism": 1.0,
    }
    # VADER: 0.0 (neutral, human -2), -0.7096 (negative, -1), 0.4199 (positive, 2).
    assert report.sentiment.accuracy == pytest.approx(2 / 3, abs=1e-4)
    assert report.sentiment.pearson_r == pytest.approx(
        pearson(pl.Series([0.0, -0.7096, 0.4199]), pl.Series([-2, -1, 2])), abs=1e-4
    )
    table = render_gold(report, show_errors=True)
    assert "un_inaction" in table and "Pearson r" in table
    assert json.loads(render_gold(report, "json"))["labels"][0]["label"] == "un_inaction"


# Accuracy is measured with `readerpulse evaluate` and reported in docs/scoring.md, not gated
# here: the suite scores with its own small taxonomy (tests/fixtures/taxonomy), so an analyst's
# edit of data/topics.toml cannot fail a test.


def test_evaluate_uses_the_taxonomy_given(tmp_path: Path) -> None:
    path = tmp_path / "gold.csv"
    path.write_text(HEADER + 'g1,a,,,"The Kremlin knew.",0,1,0,0,-1\n', "utf-8")
    taxonomy = tmp_path / "t.toml"
    taxonomy.write_text('format = 2\n[topics.russia_role]\nlabel = "R"\nkeywords = ["moscow"]\n', "utf-8")
    report = evaluate_gold(path, load_taxonomy(taxonomy))
    assert report.taxonomy == str(taxonomy)
    assert {m.label: (m.tp, m.fn) for m in report.labels}["russia_role"] == (0, 1)


def test_heldout_files_have_the_gold_format() -> None:
    for path in HELDOUT.glob("*.csv"):
        assert tuple(c for c in read_gold(path).columns if c in GOLD_COLUMNS) == GOLD_COLUMNS


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
    path = tmp_path / "gold.csv"
    path.write_text(HEADER + "g1,a,,,Moscow knew.,0,1,0,0,-1\n", "utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["n"] == 1
    assert [m["label"] for m in document["labels"]] == ["un_inaction", "russia_role", "casualty_trust", "skepticism"]
    assert set(document["sentiment"]) == {"n", "accuracy", "pearson_r"}


def test_evaluate_command_table_with_errors() -> None:
    gold = shared_path("gold", "comments_dev.csv")
    result = CliRunner().invoke(main, ["evaluate", str(gold), "--show-errors"])
    assert result.exit_code == 0, result.output
    assert "label           gold  predicted  tp  fp  fn  precision  recall     f1" in result.stdout
    assert "sentiment: 3-class accuracy" in result.stdout


@pytest.mark.parametrize("args", [["evaluate"], ["evaluate", "x.csv", "--vader-groundtruth", "."]])
def test_evaluate_needs_exactly_one_input(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "give either a gold CSV or --vader-groundtruth DIR" in result.stderr
