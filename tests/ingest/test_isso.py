"""isso's generic JSON import format: threads with flat comment lists."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import duckdb

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


def test_threads_and_bad_records(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("isso", "threads.json")
    result = load(conn, path, tz=ZoneInfo("America/New_York"))
    assert result.format == "isso"
    assert statuses(conn) == {"published": 3}
    rows = comments(conn)
    first = rows[("isso:/news/tram/", "1")]
    assert first["text"] == "Markdown *kept* as written\n\nSecond paragraph — ünïcode"
    assert first["posted_at"] == datetime(2024, 5, 1, 16, 0, tzinfo=UTC)  # 12:00 in New York (EDT)
    assert rows[("isso:/news/tram/", "2")]["author_name"] is None
    assert rows[("isso:/news/budget/", "1")]["author_name"] == "Eve"  # same id, other thread
    assert depths(conn) == {0: 3}
    assert rejects(conn) == [
        ("[0].comments[3]", "comment skipped: created '01/05/2024' is not a date"),
        ("[0].comments[4]", "comment skipped: it has no id"),
        ("[0].comments[5]", "comment skipped: it is not a JSON object"),
        ("[2].comments[0]", "comment skipped: its thread has no id, so the article is unknown"),
        ("[3]", "thread skipped: its comments are not a list"),
        ("[4]", "thread skipped: it is not a JSON object"),
        ("[0].comments[2]", "comment id repeats an earlier comment of the same article"),
    ]
    assert articles(conn)["isso:/news/tram/"]["url"] == "/news/tram/"
    assert_reimport_changes_nothing(conn, path)


def test_isso_upstream_fixture(conn: duckdb.DuckDBPyConnection) -> None:
    """2 threads, 2 comments (both with id 0, in different threads), no nesting."""
    path = external("isso_generic_json", "isso", "generic.json")
    load(conn, path)
    assert statuses(conn) == {"published": 2}
    assert rejects(conn) == []
    rows = comments(conn)
    poker = rows[("isso:/posts/0001/", "0")]
    assert (poker["author_name"], poker["posted_at"]) == (
        "texas holdem",
        datetime(2005, 2, 24, 4, 3, 37, tzinfo=UTC),
    )
    assert rows[("isso:/posts/0007/", "0")]["text"] == "Ja-make-a me crazzy mon :)\n"
    assert depths(conn) == {0: 2}
    assert articles(conn)["isso:/posts/0007/"]["title"] == "Nat+%26+Miguel"  # as written
    assert_reimport_changes_nothing(conn, path)
