"""The command line: thin wrappers, clear messages, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from readerpulse.cli import main

from tests.conftest import FIXTURES, SAMPLE


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_ingest_prints_progress_and_a_summary(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(main, ["ingest", str(SAMPLE), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "[2/5] loaded" in result.stderr
    assert (
        "001_76c7e58964da143c.txt [page]: 1 articles, 47 passages, 10 comments, 0 rejects"
        in result.stderr
    )
    assert (
        "5 files loaded, 0 unchanged, 0 failed; new: 5 articles, 84 passages, 10 comments, 0 rejects"
        in result.stdout
    )


def test_ingest_fails_with_exit_1_but_loads_the_other_files(
    runner: CliRunner, db_path: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x00")
    result = runner.invoke(
        main,
        ["ingest", str(bad), str(FIXTURES / "canonical" / "comments.csv"), "--db", str(db_path)],
    )
    assert result.exit_code == 1
    assert f"error: {bad}: not a format readerpulse knows" in result.stderr
    assert "1 file loaded, 0 unchanged, 1 failed" in result.stdout


def test_database_from_environment(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("READERPULSE_DB", str(db))
    result = runner.invoke(main, ["ingest", str(FIXTURES / "canonical" / "comments.csv")])
    assert result.exit_code == 0, result.output
    assert db.exists()
    out = runner.invoke(main, ["sql", "SELECT count(*) AS n FROM comments", "--format", "csv"])
    assert out.stdout == "n\n3\n"


def test_sql_formats(runner: CliRunner, db_path: Path) -> None:
    runner.invoke(
        main, ["ingest", str(FIXTURES / "canonical" / "comments.csv"), "--db", str(db_path)]
    )
    query = "SELECT comment_id, posted_at FROM comments ORDER BY comment_id LIMIT 1"
    as_json = runner.invoke(main, ["sql", query, "--db", str(db_path), "--format", "json"])
    assert json.loads(as_json.stdout) == [
        {"comment_id": "c1", "posted_at": "2023-09-21T10:00:00+00:00"}
    ]
    table = runner.invoke(main, ["sql", query, "--db", str(db_path)])
    assert "| comment_id | posted_at" in table.stdout and "| c1 " in table.stdout


def test_sql_errors_are_one_line(runner: CliRunner, db_path: Path) -> None:
    missing = runner.invoke(main, ["sql", "SELECT 1", "--db", str(db_path)])
    assert missing.exit_code == 1
    assert "no such database" in missing.stderr
    runner.invoke(
        main, ["ingest", str(FIXTURES / "canonical" / "comments.csv"), "--db", str(db_path)]
    )
    wrong = runner.invoke(main, ["sql", "SELECT nope FROM comments", "--db", str(db_path)])
    assert wrong.exit_code == 1
    assert wrong.stderr.startswith("error: Binder Error")


def test_unknown_time_zone_is_a_usage_error(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(
        main, ["ingest", str(SAMPLE), "--db", str(db_path), "--tz", "Mars/Olympus"]
    )
    assert result.exit_code == 2
    assert "unknown time zone 'Mars/Olympus'" in result.stderr


def test_formats_lists_every_reader(runner: CliRunner) -> None:
    result = runner.invoke(main, ["formats"])
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert {"page", "csv", "jsonl", "parquet"} <= set(names)
    assert names[-1] == "page"


def test_sql_is_read_only_unless_asked(runner: CliRunner, db_path: Path) -> None:
    runner.invoke(main, ["ingest", str(FIXTURES / "canonical" / "comments.csv"), "--db", str(db_path), "--no-score"])
    refused = runner.invoke(main, ["sql", "DELETE FROM comments", "--db", str(db_path)])
    assert refused.exit_code == 1
    assert "read-only" in refused.stderr
    count = runner.invoke(main, ["sql", "SELECT count(*) AS n FROM comments", "--db", str(db_path), "--format", "csv"])
    assert count.stdout == "n\n3\n"
    allowed = runner.invoke(main, ["sql", "DELETE FROM rejects", "--db", str(db_path), "--write"])
    assert allowed.exit_code == 0, allowed.output
