"""Helpers for the label tests: a tiny taxonomy, a few stored comments, label files written here."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import duckdb
from readerpulse.score.taxonomy import load_taxonomy

# Two topics; only their ids matter here.
TAXONOMY = """
format = 2

[topics.aid]
label = "Aid"
keywords = ["aid"]

[topics.un_role]
label = "The UN"
keywords = ["un"]
"""

# Published comments c1..c5 on two articles (c3 replies to c2), a deleted and a spam comment, and
# 'x1' stored under both articles. Raw names are kept for some, to check they never leave.
COMMENTS_SQL = """
INSERT INTO comments (comment_pk, article_id, comment_id, parent_id, depth, author_key, author_name,
                      posted_at, text, status, source_id) VALUES
    (1, 'a1', 'c1', NULL, 0, 'u_aaaa', 'Dana Reader', TIMESTAMPTZ '2023-09-21 10:00:00+02',
     'Aid, at last: "finally" 🙏', 'published', 1),
    (2, 'a1', 'c2', NULL, 0, 'u_bbbb', 'Omar Khan', TIMESTAMPTZ '2023-09-21 11:00:00+00',
     'Where is the UN?
Nobody, as usual.', 'published', 1),
    (3, 'a1', 'c3', 'c2', 1, 'u_cccc', NULL, TIMESTAMPTZ '2023-09-21 12:00:00+00',
     '  Agreed, "nobody" — sad ', 'published', 1),
    (4, 'a2', 'c4', NULL, 0, 'u_aaaa', 'Dana Reader', TIMESTAMPTZ '2023-09-22 08:00:00+00',
     'Trucks crossed today.', 'published', 1),
    (5, 'a2', 'c5', NULL, 0, 'u_dddd', NULL, TIMESTAMPTZ '2023-09-22 09:00:00+00',
     'Who counted these?', 'published', 1),
    (6, 'a2', 'c6', NULL, 0, 'u_eeee', NULL, TIMESTAMPTZ '2023-09-22 10:00:00+00',
     'removed text', 'deleted', 1),
    (7, 'a2', 'c7', NULL, 0, 'u_ffff', NULL, TIMESTAMPTZ '2023-09-22 11:00:00+00',
     'buy now', 'spam', 1),
    (8, 'a1', 'x1', NULL, 0, 'u_gggg', NULL, NULL, 'Same id, first article.', 'published', 1),
    (9, 'a2', 'x1', NULL, 0, 'u_gggg', NULL, NULL, 'Same id, second article.', 'published', 1);
"""
PUBLISHED = {"c1", "c2", "c3", "c4", "c5", "x1"}  # ids export may write (x1 once)
RAW_NAMES = ("Dana Reader", "Omar Khan")


def write_taxonomy(folder: Path) -> Path:
    path = folder / "topics.toml"
    path.write_text(TAXONOMY, encoding="utf-8")
    return path


def topic_ids(taxonomy: Path) -> list[str]:
    return [topic.id for topic in load_taxonomy(taxonomy).topics]


def add_comments(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(COMMENTS_SQL)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """A label file written with the csv module (standard quoting), as a spreadsheet saves one."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    return path


def table(conn: duckdb.DuckDBPyConnection, name: str) -> list[tuple[object, ...]]:
    """Every row of a table, sorted: to compare contents before and after."""
    return sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
