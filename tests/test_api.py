"""readerpulse.api: the calls behind the commands (docs/api.md's example is tests/test_api_docs.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import readerpulse
from readerpulse import api
from readerpulse.errors import ReaderpulseError, UsageError

from tests.conftest import FIXTURES


def test_ingest_then_query_on_a_path(tmp_path: Path) -> None:
    db = tmp_path / "n.duckdb"
    done = api.ingest([FIXTURES / "canonical" / "comments.csv"], db, score=False)
    assert done.database == db and [r.status for r in done.files] == ["loaded"] and done.scored is None
    frame = api.sql("SELECT count(*) AS n FROM comments", db)
    assert frame is not None and frame.item() == 3
    assert api.sql("SELECT 1 WHERE false", db) is not None


def test_sql_errors_and_writes_to_a_file_opened_read_only_are_one_line(tmp_path: Path) -> None:
    db = tmp_path / "n.duckdb"
    api.ingest([FIXTURES / "canonical" / "comments.csv"], db, score=False)
    with pytest.raises(ReaderpulseError, match="nonsense") as found:
        api.sql("SELECT nonsense FROM comments", db)
    assert "\n" not in str(found.value)
    with pytest.raises(ReaderpulseError, match="read-only"):
        api.sql("DELETE FROM comments", db)
    assert api.sql("SELECT count(*) FROM comments", db).item() == 3  # type: ignore[union-attr]


def test_a_connection_is_used_and_left_open(reader_week: duckdb.DuckDBPyConnection) -> None:
    frame = api.query("top_commenters", {"start": "2023-09-18"}, reader_week)
    assert frame.height > 0
    assert reader_week.execute("SELECT 1").fetchone() == (1,)


def test_parameters_are_checked_before_the_database_is_opened(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="has no parameter 'stat'"):
        api.query("daily_tone", {"stat": "2023-W38"}, tmp_path / "none.duckdb")
    with pytest.raises(ReaderpulseError, match="no such database"):
        api.query("daily_tone", {"start": "2023-W38"}, tmp_path / "none.duckdb")


def test_chart_names_its_choices(reader_week: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UsageError, match="has no chart 'headline'; its charts: topic-volume, tone"):
        api.chart("headline", reader_week)  # a section shown as figures, not a chart
    with pytest.raises(UsageError, match="give article_id"):
        api.chart("passages", reader_week)
    with pytest.raises(ReaderpulseError, match="nothing to chart"):
        api.chart("passages", reader_week, week="2023-W38", article_id="nope")


def test_score_texts_keeps_the_order_and_needs_one_parent_per_text() -> None:
    frame = api.score_texts(["first", "second", "third"])
    assert frame["text"].to_list() == ["first", "second", "third"]
    assert frame["row"].to_list() == [0, 1, 2]
    with pytest.raises(UsageError, match="3 texts but 1 parents"):
        api.score_texts(["first", "second", "third"], parents=["p"])


def test_the_package_reexports_the_notebook_calls() -> None:
    assert readerpulse.query is api.query and readerpulse.chart is api.chart
    with pytest.raises(AttributeError):
        readerpulse.no_such_call  # noqa: B018
