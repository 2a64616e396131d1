"""WordPress WXR exports: items and their comments, approval states, dates, broken comments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from analysis.ingest.api import ImportOptions, ingest
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


def test_items_comments_statuses_and_dates(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("wxr", "replies.xml")
    result = load(conn, path, tz=ZoneInfo("Europe/Berlin"))
    assert result.format == "wxr"
    assert statuses(conn) == {"published": 4, "deleted": 2, "spam": 1}
    assert rejects(conn) == [
        (
            "line 70, <wp:comment>",
            "comment skipped: it is a pingback (an automatic link notice), not a reader comment",
        )
    ]
    rows = comments(conn)
    first = rows[("wxr:101", "201")]
    assert first["text"] == "Line one\nline two\nline three & more"
    assert first["posted_at"] == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)  # the GMT date wins
    local_only = rows[("wxr:101", "202")]
    # no GMT date (0000-00-00): the local date is read in --tz Europe/Berlin (UTC+2 in May)
    assert local_only["posted_at"] == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    assert local_only["text"] == "Local time only.\n\nSecond paragraph."
    assert (local_only["parent_id"], local_only["depth"]) == ("201", 1)
    held = rows[("wxr:101", "203")]
    assert (held["status"], held["parent_id"], held["depth"]) == ("deleted", "202", 2)
    assert rows[("wxr:101", "204")]["status"] == "spam"
    assert rows[("wxr:101", "205")]["status"] == "deleted"
    assert rows[("wxr:101", "207")]["author_name"] is None
    assert rows[("wxr:https://bugle.example/?p=7", "301")]["text"] == "Keyed on the link"
    assert depths(conn) == {0: 5, 1: 1, 2: 1}
    found = articles(conn)
    assert set(found) == {"wxr:101", "wxr:103", "wxr:https://bugle.example/?p=7"}  # no attachment
    assert found["wxr:101"] == {
        "article_id": "wxr:101",
        "url": "https://bugle.example/2024/05/tram-line/",
        "outlet": "The Daily Bugle",
        "title": "Tram line approved",
        "byline": "Jane Reporter",
        "published_at": datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
    }
    assert_reimport_changes_nothing(conn, path)


def test_broken_comments_are_rejected_one_by_one(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("wxr", "broken.xml")
    load(conn, path)
    assert statuses(conn) == {"published": 2}
    reply = comments(conn)[("wxr:500", "507")]
    assert (reply["parent_id"], reply["depth"]) == ("501", 1)
    expected = [
        ("line 5, <wp:comment>", "outside any <item>"),
        ("line 20, <wp:comment>", "broken XML at line 22 (undefined entity"),
        ("line 24, <wp:comment>", "it has no wp:comment_id"),
        ("line 28, <wp:comment>", "comment_date_gmt 'yesterday' is not a date"),
        ("line 33, <wp:comment>", "wp:comment_approved is 'maybe'"),
        ("line 38, <wp:comment>", "never closed"),
        ("line 51, <wp:comment>", "its <item> (line 49) has neither wp:post_id nor link"),
    ]
    got = rejects(conn)
    assert [location for location, _ in got] == [location for location, _ in expected]
    for (_, reason), (_, fragment) in zip(got, expected, strict=True):
        assert fragment in reason
    assert_reimport_changes_nothing(conn, path)


def test_declared_windows_1252_encoding(conn: duckdb.DuckDBPyConnection) -> None:
    load(conn, fixture("wxr", "cp1252.xml"))
    row = comments(conn)[("wxr:9", "91")]
    assert row["text"] == "5 € for a café – too much!"
    assert row["author_name"] == "Zoë"
    assert articles(conn)["wxr:9"]["title"] == "“Prices” in €"
    assert articles(conn)["wxr:9"]["outlet"] == "Café Blog"


def test_isso_fixture(conn: duckdb.DuckDBPyConnection) -> None:
    """isso expects 2 threads and 8 comments; comment 11 appears in both items and both load."""
    path = external("wordpress_wxr", "isso", "wordpress.xml")
    load(conn, path)
    assert statuses(conn) == {"published": 8}
    assert rejects(conn) == []
    rows = comments(conn)
    assert {key[0] for key in rows} == {"wxr:18", "wxr:http://example.tld/?p=4"}
    assert [
        (r["comment_id"], r["parent_id"], r["depth"]) for r in rows.values() if r["parent_id"]
    ] == [
        ("7", "6", 1),
        ("8", "7", 2),
        ("9", "7", 2),
    ]
    assert depths(conn) == {0: 5, 1: 1, 2: 2}
    assert rows[("wxr:18", "2")]["text"] == "Erster!1"  # CDATA after white space
    assert rows[("wxr:18", "7")]["text"] == "Drölfter!"
    assert rows[("wxr:18", "7")]["posted_at"] == datetime(2014, 4, 29, 15, 21, 35, tzinfo=UTC)
    multiline = rows[("wxr:18", "10")]
    assert (
        multiline["text"]
        == "When you have a comment with multiple lines:\nWordPress exports it like this."
    )
    assert multiline["posted_at"] == datetime(2022, 6, 6, 2, 13, 14, tzinfo=UTC)  # GMT, not local
    assert rows[("wxr:http://example.tld/?p=4", "11")]["author_name"] is None  # "Anonymous"
    # the item without comments is an article too (3 items, 2 with comments)
    assert articles(conn)["wxr:18"]["title"] == "Hello, World…"
    assert len(articles(conn)) == 3
    assert_reimport_changes_nothing(conn, path)


def test_entity_declarations_are_refused(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    path = tmp_path / "laughs.xml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rss [<!ENTITY lol0 "lol">{laughs}]>\n'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id>'
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>&lol9;</wp:comment_content>"
        "</wp:comment></item></channel></rss>\n"
    )
    [result] = ingest(conn, [path], ImportOptions())
    assert result.status == "failed"
    assert (
        result.error is not None and "line 2 declares a DTD or entity (<!DOCTYPE)" in result.error
    )
    assert statuses(conn) == {}
