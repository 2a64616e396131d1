"""`readerpulse score`, and `readerpulse ingest` scoring new comments by default."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from readerpulse.cli import main

from tests.conftest import SAMPLE

pytest.importorskip("readerpulse.ingest.page")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def scalar(db_path: Path, sql: str) -> object:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_ingest_scores_new_comments_by_default(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(main, ["ingest", str(SAMPLE), "--db", str(db_path), "-q"])
    assert result.exit_code == 0, result.output
    assert "scored 10 comments (24 sentences)" in result.stdout
    assert "runs sentiment #1, topics #2, skepticism #3, tone #4, links #5" in result.stdout
    assert scalar(db_path, "SELECT count(*) FROM comment_facts WHERE compound IS NOT NULL") == 10
    assert scalar(db_path, "SELECT count(*) FROM comment_facts WHERE skeptical") == 1


def test_ingest_no_score_then_score(runner: CliRunner, db_path: Path) -> None:
    result = runner.invoke(main, ["ingest", str(SAMPLE), "--db", str(db_path), "--no-score", "-q"])
    assert result.exit_code == 0, result.output
    assert "scored" not in result.stdout
    assert scalar(db_path, "SELECT count(*) FROM sentiment") == 0
    result = runner.invoke(main, ["score", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "[10/10] comments scored" in result.stderr
    assert result.stdout.startswith("scored 10 comments")
    assert "topic hits: " in result.stdout and "skeptical: 1; linked to a passage: 10" in result.stdout
    again = runner.invoke(main, ["score", "--db", str(db_path)])
    assert again.stdout == "scored 0 comments: every published comment is already scored\n"


def test_score_all_rescores_with_another_taxonomy(runner: CliRunner, db_path: Path, tmp_path: Path) -> None:
    runner.invoke(main, ["ingest", str(SAMPLE), "--db", str(db_path), "-q"])
    taxonomy = tmp_path / "mine.toml"
    taxonomy.write_text('format = 2\n[topics.un]\nlabel = "UN"\nkeywords = ["UN"]\n', "utf-8")
    result = runner.invoke(main, ["score", "--db", str(db_path), "--all", "--taxonomy", str(taxonomy), "-q"])
    assert result.exit_code == 0, result.output
    assert "scored 10 comments" in result.stdout and "topic hits: un 3;" in result.stdout
    assert result.stderr == ""
    assert scalar(db_path, "SELECT list(topic) FROM topics") == ["un"]


def test_score_all_for_some_scorers_after_a_taxonomy_edit(runner: CliRunner, db_path: Path, tmp_path: Path) -> None:
    runner.invoke(main, ["ingest", str(SAMPLE), "--db", str(db_path), "-q"])
    sentences = scalar(db_path, "SELECT count(*) FROM sentence_sentiment")
    taxonomy = tmp_path / "mine.toml"
    taxonomy.write_text('format = 2\n[topics.un]\nlabel = "UN"\nkeywords = ["UN"]\n', "utf-8")
    result = runner.invoke(main, ["score", "--db", str(db_path), "--all", "--taxonomy", str(taxonomy),
                                  "--scorer", "topics", "--scorer", "skepticism", "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("scored 10 comments in ")
    # mine.toml has no [skepticism] table: no cues, so no comment is skeptical
    assert "runs topics #6, skepticism #7" in result.stdout and "topic hits: un 3; skeptical: 0\n" in result.stdout
    assert scalar(db_path, "SELECT count(*) FROM sentence_sentiment") == sentences
    bad = runner.invoke(main, ["score", "--db", str(db_path), "--scorer", "vibes"])
    assert bad.exit_code == 2 and "'vibes' is not one of" in bad.stderr


def test_taxonomy_from_the_environment(runner: CliRunner, db_path: Path, tmp_path: Path) -> None:
    taxonomy = tmp_path / "env.toml"
    taxonomy.write_text('format = 2\n[topics.ru]\nlabel = "RU"\nkeywords = ["russia*"]\n', "utf-8")
    result = runner.invoke(main, ["ingest", str(SAMPLE), "--db", str(db_path), "-q"],
                           env={"READERPULSE_TAXONOMY": str(taxonomy)})
    assert result.exit_code == 0, result.output
    assert "topic hits: ru 3;" in result.stdout  # russia* finds "Russia’s" too ("russia" would not)


def test_bad_taxonomy_stops_ingest_before_importing(runner: CliRunner, db_path: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["ingest", str(SAMPLE), "--db", str(db_path), "--taxonomy", str(tmp_path / "no.toml")])
    assert result.exit_code == 2
    assert "error: taxonomy file not found:" in result.stderr
    assert not db_path.exists()


def test_score_needs_an_existing_database(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["score", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no such database (run `readerpulse ingest` first)" in result.stderr


def test_score_help_names_the_options(runner: CliRunner) -> None:
    result = runner.invoke(main, ["score", "--help"])
    assert all(option in result.stdout for option in ("--all", "--taxonomy", "--workers", "--db", "--scorer"))
