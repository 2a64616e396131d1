"""Commento JSON exports: comments joined to commenters, replies via parentHex, states."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
from readerpulse.ingest.api import ImportOptions, ingest

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


def test_comments_replies_authors_and_states(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("commento", "replies.json")
    result = load(conn, path)
    assert result.format == "commento"
    assert statuses(conn) == {"published": 4, "deleted": 2, "spam": 1}
    assert rejects(conn) == []
    rows = comments(conn)
    tram = "commento:bugle.example/news/tram"
    assert rows[(tram, "c1")]["text"] == "Markdown **kept** as _written_ — naïve café"
    assert rows[(tram, "c1")]["author_name"] == "Ana"
    assert (rows[(tram, "c2")]["parent_id"], rows[(tram, "c2")]["depth"]) == ("c1", 1)
    assert rows[(tram, "c2")]["author_name"] == "Bø"
    assert rows[(tram, "c2")]["posted_at"] == datetime(2024, 5, 1, 10, 5, 0, 123456, tzinfo=UTC)
    third = rows[(tram, "c3")]
    assert (third["parent_id"], third["depth"], third["author_name"]) == ("c2", 2, None)
    assert third["posted_at"] == datetime(2024, 5, 1, 10, 10, tzinfo=UTC)
    assert (rows[(tram, "c4")]["status"], rows[(tram, "c4")]["text"]) == ("deleted", "[deleted]")
    assert (rows[(tram, "c5")]["status"], rows[(tram, "c5")]["author_name"]) == ("spam", None)
    assert rows[(tram, "c6")]["status"] == "deleted"  # unapproved: never shown to readers
    other = rows[("commento:other.example/page", "c7")]
    assert (other["text"], other["author_name"]) == ("Only HTML & no markdown", None)
    assert depths(conn) == {0: 5, 1: 1, 2: 1}
    assert articles(conn)[tram]["url"] == "https://bugle.example/news/tram"
    assert_reimport_changes_nothing(conn, path)


def test_bad_records_are_rejected(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("commento", "broken.json")
    load(conn, path)
    assert statuses(conn) == {"published": 2}
    assert comments(conn)[("commento:bugle.example/a", "ok2")]["depth"] == 1
    assert rejects(conn) == [
        (
            "commenters[1]",
            "commenter skipped: it is not a JSON object; their comments load without a name",
        ),
        ("comments[1]", "comment skipped: it is not a JSON object"),
        ("comments[2]", "comment skipped: it has no commentHex (Commento's id for the comment)"),
        ("comments[3]", "comment skipped: it has no url, so the page it was posted on is unknown"),
        ("comments[4]", "comment skipped: creationDate 'last Tuesday' is not a date"),
        (
            "comments[5]",
            "comment skipped: its state 'pending-review' is not one Commento writes (approved, unapproved, flagged)",
        ),
    ]
    assert_reimport_changes_nothing(conn, path)


def test_truncated_json_fails_with_one_clear_line(conn: duckdb.DuckDBPyConnection) -> None:
    [result] = ingest(conn, [fixture("commento", "truncated.json")], ImportOptions())
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.endswith("not valid JSON (Invalid control character at line 5, column 86)")
    assert statuses(conn) == {}


def test_encodings(conn: duckdb.DuckDBPyConnection) -> None:
    load(conn, fixture("commento", "bom.json"))
    assert comments(conn)[("commento:bugle.example/m", "m1")]["text"] == "BOM and ünïcödé"
    # told an encoding that does not fit: the file fails, naming the encoding
    [result] = ingest(conn, [fixture("commento", "latin1.json")], ImportOptions(encoding="utf-8"))
    assert result.status == "failed"
    assert result.error is not None and "not valid utf-8 text (invalid continuation byte at byte" in result.error
    # not UTF-8: read as Windows-1252 (a superset of Latin-1's letters)
    load(conn, fixture("commento", "latin1.json"))
    assert comments(conn)[("commento:bugle.example/m", "m1")]["text"] == "café"


def test_remark42_migrator_fixture(conn: duckdb.DuckDBPyConnection) -> None:
    """remark42 imports 3: two pages, one reply, one anonymous author."""
    path = external("commento", "remark42-migrator", "commento.json")
    load(conn, path)
    assert statuses(conn) == {"published": 3}
    assert rejects(conn) == []
    assert depths(conn) == {0: 2, 1: 1}
    rows = comments(conn)
    post1 = "commento:example.com/blog/post/1"
    reply = rows[(post1, "ea5f7bcd6ac9bb7b657f7d0569831104e1bcf9c253d03c1e16bf9654c49a5ce9")]
    assert reply["parent_id"] == "7d77e39fcd813241d6281478cc8f21ab5f807d043c750bc1a936bc23b34fb854"
    assert (reply["text"], reply["author_name"]) == ("Great reply!", "Saturnin Uf")
    anonymous = rows[
        (
            "commento:example.com/blog/post/2",
            "e7069a7dfcfaed43caf62300a9b0edb1c124ad79d0f5887c93649c15d7f69945",
        )
    ]
    assert anonymous["author_name"] is None
    assert anonymous["posted_at"] == datetime(2021, 3, 12, 11, 21, 56, tzinfo=UTC)
    assert set(articles(conn)) == {post1, "commento:example.com/blog/post/2"}
    assert_reimport_changes_nothing(conn, path)


def test_remark42_rest_api_fixture(conn: duckdb.DuckDBPyConnection) -> None:
    """7 comments on one page, 2 replies, every text empty, one commenter named 'blank'."""
    path = external("commento", "remark42-rest-api", "commento.json")
    load(conn, path)
    assert statuses(conn) == {"published": 7}
    assert rejects(conn) == []
    assert depths(conn) == {0: 5, 1: 2}
    rows = comments(conn).values()
    assert {row["text"] for row in rows} == {""}
    assert {row["author_name"] for row in rows} == {"blank"}
    assert set(articles(conn)) == {"commento:example.com/example"}
    assert_reimport_changes_nothing(conn, path)
