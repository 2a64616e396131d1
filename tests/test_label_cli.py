"""`readerpulse label import` and `label export`: one line per file, exit codes, no tracebacks."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from readerpulse.cli import main
from readerpulse.store import connect

from tests.store.label_helpers import RAW_NAMES, add_comments, write_csv, write_taxonomy

HEADER = ["id", "author", "posted_at", "parent_id", "text", "aid", "un_role", "skepticism", "sentiment"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def taxonomy(tmp_path: Path) -> Path:
    return write_taxonomy(tmp_path)


@pytest.fixture
def stored(db_path: Path) -> Path:
    """A database with the helper comments."""
    conn = connect(db_path)
    add_comments(conn)
    conn.close()
    return db_path


def count(db_path: Path, sql: str) -> int:
    with connect(db_path, read_only=True) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_import_prints_a_line_per_file_then_unchanged(
    runner: CliRunner, db_path: Path, tmp_path: Path, taxonomy: Path
) -> None:
    a = write_csv(tmp_path / "a.csv", HEADER, [["c1", "", "", "", "Aid", 1, 0, "", ""], ["", "", "", "", "x", 1, "", "", ""]])
    b = write_csv(tmp_path / "b.csv", HEADER, [["n1", "", "", "", "Elsewhere", "", "", 1, -2]])
    args = ["label", "import", str(a), str(b), "--db", str(db_path), "--taxonomy", str(taxonomy)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"imported {a}: 1 comments, 2 labels, 1 rejects",
        f"imported {b}: 1 comments, 2 labels, 0 rejects",
    ]
    again = runner.invoke(main, args)
    assert again.exit_code == 0
    assert [line.split(" (")[0] for line in again.stdout.splitlines()] == [f"unchanged {a}", f"unchanged {b}"]
    assert count(db_path, "SELECT count(*) FROM labels") == 4


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.csv", "missing.csv: no such file or folder"),
        (lambda d: write_csv(d / "nolabel.csv", ["id", "text", "other"], [["c1", "x", "1"]]), "no label column"),
        (lambda d: write_csv(d / "noid.csv", ["key", "text", "aid"], [["c1", "x", "1"]]), "no column id"),
    ],
)
def test_a_bad_file_is_one_line_exit_2_and_nothing_written(
    runner: CliRunner, db_path: Path, tmp_path: Path, taxonomy: Path, make: object, message: str
) -> None:
    good = write_csv(tmp_path / "good.csv", HEADER, [["c1", "", "", "", "Aid", 1, "", "", ""]])
    bad = make(tmp_path)  # type: ignore[operator]
    result = runner.invoke(
        main, ["label", "import", str(good), str(bad), "--db", str(db_path), "--taxonomy", str(taxonomy)]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")
    assert message in result.stderr and "Traceback" not in result.output
    assert count(db_path, "SELECT count(*) FROM labels") == 0
    assert count(db_path, "SELECT count(*) FROM sources") == 0


def test_export_writes_the_sample_and_refuses_to_overwrite(
    runner: CliRunner, stored: Path, tmp_path: Path, taxonomy: Path
) -> None:
    out = tmp_path / "sample.csv"
    args = ["label", "export", str(out), "--db", str(stored), "--taxonomy", str(taxonomy), "-n", "2", "--seed", "3",
            "--random"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}: 2 of 6 unlabelled comments (random sample)\n"
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["id", "article_id", "author", "posted_at", "parent_id", "text", "parent_text",
                       "aid", "un_role", "skepticism", "sentiment"]
    assert len(rows) == 3 and not any(name in cell for row in rows for cell in row for name in RAW_NAMES)

    again = runner.invoke(main, args)
    assert again.exit_code == 2 and "use --force" in again.stderr and "Traceback" not in again.output
    assert runner.invoke(main, [*args, "--force"]).exit_code == 0


def test_export_needs_an_existing_database(runner: CliRunner, tmp_path: Path, taxonomy: Path) -> None:
    missing = tmp_path / "none.duckdb"
    result = runner.invoke(
        main, ["label", "export", str(tmp_path / "o.csv"), "--db", str(missing), "--taxonomy", str(taxonomy)]
    )
    assert result.exit_code == 1 and "no such database" in result.stderr
    assert not missing.exists()


def test_export_fill_import_through_the_command(
    runner: CliRunner, stored: Path, tmp_path: Path, taxonomy: Path
) -> None:
    out = tmp_path / "sample.csv"
    common = ["--db", str(stored), "--taxonomy", str(taxonomy)]
    assert runner.invoke(main, ["label", "export", str(out), *common]).exit_code == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["sentiment"] = "1" if row["id"] in {"c1", "c3"} else ""
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(main, ["label", "import", str(out), *common])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"imported {out}: 2 comments, 2 labels, 0 rejects\n"
    assert count(
        stored,
        "SELECT count(*) FROM labels l JOIN comments c ON c.comment_id = l.comment_key AND c.text = l.text",
    ) == 2


def test_export_puts_the_comments_the_model_is_least_sure_about_first(
    runner: CliRunner, stored: Path, tmp_path: Path, taxonomy: Path
) -> None:
    import polars as pl
    from readerpulse.score.classify import uncertainty
    from readerpulse.score.model import load
    from readerpulse.score.taxonomy import load_taxonomy

    from tests.model_helpers import saved, trained_model

    model_path = tmp_path / "m.model"
    model = saved(trained_model(("aid", "skepticism")), model_path)
    out = tmp_path / "unsure.csv"
    result = runner.invoke(main, ["label", "export", str(out), "--db", str(stored), "--taxonomy", str(taxonomy),
                                  "--model", str(model_path), "-n", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}: 3 of 6 unlabelled comments (least sure first)\n"
    written = pl.read_csv(out, infer_schema=False)
    # the same order as the model's uncertainty of the six candidates, most unsure first
    with connect(stored, read_only=True) as conn:
        candidates = conn.sql(
            "SELECT c.comment_id, c.text, p.text AS parent_text FROM comments c LEFT JOIN comments p"
            " ON p.article_id = c.article_id AND p.comment_id = c.parent_id"
            " WHERE c.status = 'published' AND c.comment_id NOT IN (SELECT comment_key FROM labels)"
        ).pl()
    scores = uncertainty(candidates, load_taxonomy(taxonomy), load(model_path))
    ranked = candidates.with_columns(scores.alias("u")).sort("u", descending=True)["comment_id"].to_list()
    assert written["id"].to_list() == ranked[:3]
    assert model.labels == ("aid", "skepticism")
