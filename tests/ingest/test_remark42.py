"""remark42: the API's nested tree and plain list, and the backup file (plain or gzipped)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests.ingest.export_helpers import (
    articles,
    assert_reimport_changes_nothing,
    comments,
    depths,
    external,
    fixture,
    load,
    rejects,
    statuses,
)

TRAM = "remark42:bugle:https://bugle.example/news/tram/"


def test_nested_tree(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("remark42", "tree.json")
    result = load(conn, path)
    assert result.format == "remark42"
    assert statuses(conn) == {"published": 4, "deleted": 1}
    rows = comments(conn)
    assert rows[(TRAM, "a1")]["text"] == "Top level, HTML only & no orig"
    reply = rows[(TRAM, "a2")]
    assert (reply["text"], reply["parent_id"], reply["depth"]) == (
        "Reply in *Markdown* as written",
        "a1",
        1,
    )
    assert reply["posted_at"] == datetime(2024, 5, 1, 10, 5, tzinfo=UTC)
    from_tree = rows[(TRAM, "a3")]
    assert (from_tree["parent_id"], from_tree["depth"], from_tree["author_name"]) == ("a2", 2, None)
    deleted = rows[(TRAM, "a4")]
    assert (deleted["status"], deleted["text"], deleted["author_name"]) == ("deleted", "", None)
    assert depths(conn) == {0: 2, 1: 1, 2: 2}
    assert rejects(conn) == [
        (
            "comments[0].replies[0].replies[2]",
            "comment skipped: it is not a remark42 comment object",
        ),
        ("comments[0].replies[1]", "comment skipped: it has no id"),
        ("comments[0].replies[2]", "comment skipped: time '2024-05-01 at noon' is not a date"),
        (
            "comments[2]",
            "comment skipped: its locator has no url, so the page it was posted on is unknown",
        ),
    ]
    assert articles(conn)[TRAM]["title"] == "Tram line approved"
    assert articles(conn)[TRAM]["url"] == "https://bugle.example/news/tram/"
    assert_reimport_changes_nothing(conn, path)


@pytest.mark.parametrize("name", ["backup.txt", "userbackup-bugle-20240501.gz"])
def test_backup_file(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    path = fixture("remark42", name)
    result = load(conn, path)
    assert result.format == "remark42"
    assert statuses(conn) == {"published": 2, "deleted": 1}
    rows = comments(conn)
    assert (
        rows[(TRAM, "k1")]["text"] == "Backup comment, [link](https://x.example)"
    )  # orig, as written
    second = rows[(TRAM, "k2")]
    assert (second["text"], second["author_name"]) == ("Zweite Antwort – grüß dich", "Jürgen")
    assert second["posted_at"] == datetime(2024, 5, 1, 15, 5, tzinfo=UTC)
    assert (rows[(TRAM, "k6")]["parent_id"], rows[(TRAM, "k6")]["depth"]) == ("k2", 2)
    assert rejects(conn) == [
        ("line 4", "line skipped: not valid JSON (Unterminated string starting at column 30)"),
        ("line 6", "comment skipped: it is not a remark42 comment object"),
        ("line 7", "comment skipped: time 'yesterday' is not a date"),
    ]
    assert_reimport_changes_nothing(conn, path)


def test_plain_list(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    first = json.loads(fixture("remark42", "backup.txt").read_text().splitlines()[1])
    reply = dict(first, id="k9", pid="k1", orig="", text="<p>plain &lt;3</p>")
    path = tmp_path / "plain.json"
    path.write_text(json.dumps({"comments": [first, reply], "info": {"count": 2}}))
    load(conn, path)
    rows = comments(conn)
    assert rows[(TRAM, "k9")]["text"] == "plain <3"
    assert rows[(TRAM, "k9")]["depth"] == 1


def test_upstream_tree_fixture(conn: duckdb.DuckDBPyConnection) -> None:
    """12 comments, 4 at top level, nested 3 levels; all text and names are empty."""
    path = external("remark42_tree", "remark42", "tree.json")
    load(conn, path)
    assert statuses(conn) == {"published": 12}
    assert rejects(conn) == []
    assert depths(conn) == {0: 4, 1: 6, 2: 2}
    rows = comments(conn)
    assert {key[0] for key in rows} == {"remark42:site:url"}
    assert (
        rows[("remark42:site:url", "132")]["parent_id"],
        rows[("remark42:site:url", "132")]["depth"],
    ) == ("13", 2)
    assert {row["text"] for row in rows.values()} == {""}
    assert {row["author_name"] for row in rows.values()} == {None}
    assert_reimport_changes_nothing(conn, path)
