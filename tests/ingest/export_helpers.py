"""Helpers for the comment-platform export tests: import through the public API, then read back
what the database holds (statuses, parents, reply depth, rejects)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest
from readerpulse.ingest.api import FileResult, ImportOptions, ingest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The upstream exports live in the shared folder beside the repository clone.
EXTERNAL = Path(__file__).resolve().parents[2].parent / "shared" / "external" / "comment_exports"


def fixture(fmt: str, name: str) -> Path:
    return FIXTURES / fmt / name


def external(*parts: str) -> Path:
    """A file of the shared upstream exports (skips the test when they are not beside the clone)."""
    path = EXTERNAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path}: the shared upstream exports beside the repository clone")
    return path


def load(conn: duckdb.DuckDBPyConnection, path: Path, **options: Any) -> FileResult:
    """Import one file with author names kept (so tests can check them); it must load."""
    options.setdefault("keep_author_names", True)
    [result] = ingest(conn, [path], ImportOptions(**options))
    assert result.status == "loaded", result.error
    return result


def statuses(conn: duckdb.DuckDBPyConnection) -> Counter[str]:
    return Counter(
        dict(conn.execute("SELECT status, count(*) FROM comments GROUP BY status").fetchall())
    )


def comments(conn: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], dict[str, Any]]:
    """Every comment by (article_id, comment_id)."""
    cursor = conn.execute(
        "SELECT article_id, comment_id, parent_id, depth, author_name, posted_at, text, status"
        " FROM comments ORDER BY article_id, comment_id"
    )
    names = [column[0] for column in cursor.description]
    return {(row[0], row[1]): dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def depths(conn: duckdb.DuckDBPyConnection) -> Counter[int]:
    return Counter(
        dict(conn.execute("SELECT depth, count(*) FROM comments GROUP BY depth").fetchall())
    )


def rejects(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [
        (str(loc), str(reason))
        for loc, reason in conn.execute(
            "SELECT location, reason FROM rejects ORDER BY rowid"
        ).fetchall()
    ]


def articles(conn: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    cursor = conn.execute(
        "SELECT article_id, url, outlet, title, byline, published_at FROM articles"
    )
    names = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def snapshot(conn: duckdb.DuckDBPyConnection) -> tuple[list[Any], ...]:
    return tuple(
        conn.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in ("articles", "comments", "rejects")
    )


def assert_reimport_changes_nothing(conn: duckdb.DuckDBPyConnection, path: Path) -> None:
    before = snapshot(conn)
    [again] = ingest(conn, [path], ImportOptions(keep_author_names=True))
    assert again.status == "unchanged"
    assert snapshot(conn) == before
