"""Disqus XML exports: threads and posts, replies, statuses, broken elements, safety."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from readerpulse.errors import UnreadableSource
from readerpulse.ingest.api import ImportOptions, ingest
from readerpulse.ingest.disqus import parse
from readerpulse.ingest.model import ParseContext, SourceFile

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


def test_threads_posts_replies_and_statuses(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("disqus", "replies.xml")
    result = load(conn, path)
    assert result.format == "disqus"
    assert statuses(conn) == {"published": 3, "deleted": 2, "spam": 1}
    assert rejects(conn) == []
    rows = comments(conn)
    first = rows[("disqus:10", "1001")]
    assert first["text"] == "Finally & about time!\n\nSecond paragraph\nwith a line break."
    assert first["author_name"] == "Ana Müller"
    assert (first["parent_id"], first["depth"]) == (None, 0)
    reply = rows[("disqus:10", "1002")]
    assert (reply["parent_id"], reply["depth"]) == ("1001", 1)
    assert reply["text"] == "I disagree \u2014 it costs too much."
    assert reply["posted_at"] == datetime(2024, 2, 28, 8, 20, tzinfo=UTC)
    assert reply["author_name"] == "Bo"  # a guest keeps the name readers saw
    nested = rows[("disqus:10", "1003")]
    assert (nested["parent_id"], nested["depth"], nested["author_name"]) == ("1002", 2, None)
    assert rows[("disqus:10", "1005")]["status"] == "deleted"
    assert rows[("disqus:10", "1005")]["text"] == ""
    assert rows[("disqus:10", "1005")]["author_name"] is None  # 'Anonymous' is no name
    assert rows[("disqus:10", "1006")]["status"] == "spam"
    # a post that comes before its thread, in a thread Disqus marks deleted
    assert rows[("disqus:20", "1004")]["status"] == "deleted"
    assert rows[("disqus:20", "1004")]["text"] == "Late to the party, but agreed."
    thread = articles(conn)["disqus:10"]
    assert thread["url"] == "https://bugle.example/news/city-council-vote"
    assert thread["title"] == "City council votes on the new tram line"
    assert thread["outlet"] == "dailybugle"
    assert_reimport_changes_nothing(conn, path)


def test_broken_elements_are_rejected_one_by_one(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("disqus", "broken.xml")
    load(conn, path)
    assert statuses(conn) == {"published": 2}
    rows = comments(conn)
    assert rows[("disqus:10", "2011")]["parent_id"] == "2001"
    assert rows[("disqus:10", "2011")]["depth"] == 1
    expected = [
        ("line 8, <thread>", "broken XML at line 8 (not well-formed (invalid token))"),
        ("line 16, <post>", "broken XML at line 19"),
        ("line 21, <post>", "createdAt '2024-13-45T10:00:00Z' is not a date"),
        ("line 26, <post>", "no dsq:id attribute"),
        ("line 31, <post>", "dsq:id 'x2005' is not a Disqus id"),
        ("line 36, <post>", "isSpam is 'maybe', expected true or false"),
        ("line 41, <post>", "thread 999 is not in this file"),
        ("line 45, <post>", "thread 30 could not be read (see the reject at line 8)"),
        ("line 49, <post>", "broken XML at line 50 (undefined entity"),
        ("line 53, <post>", "never closed"),
    ]
    got = rejects(conn)
    assert [location for location, _ in got] == [location for location, _ in expected]
    for (_, reason), (_, fragment) in zip(got, expected, strict=True):
        assert fragment in reason
    assert_reimport_changes_nothing(conn, path)


def test_declared_latin1_encoding(conn: duckdb.DuckDBPyConnection) -> None:
    load(conn, fixture("disqus", "latin1.xml"))
    row = comments(conn)[("disqus:40", "4001")]
    assert row["text"] == "Très bien, überall ½ Preis"
    assert row["author_name"] == "Jürgen"
    assert articles(conn)["disqus:40"]["title"] == "Café am Straßenrand"


def test_invalid_bytes_cost_only_their_post(conn: duckdb.DuckDBPyConnection) -> None:
    load(conn, fixture("disqus", "bad_bytes.xml"))
    assert statuses(conn) == {"published": 1}
    assert rejects(conn) == [
        ("line 8, <post>", "post skipped: line 9 holds bytes that are not valid utf-8 text")
    ]


def test_utf16_with_bom(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    text = fixture("disqus", "latin1.xml").read_bytes().decode("iso-8859-1")
    path = tmp_path / "export.xml"
    path.write_bytes(text.replace('encoding="ISO-8859-1"', 'encoding="UTF-16"').encode("utf-16"))
    load(conn, path)
    assert comments(conn)[("disqus:40", "4001")]["text"] == "Très bien, überall ½ Preis"


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml"])
def test_dtd_and_entity_declarations_are_refused(
    conn: duckdb.DuckDBPyConnection, name: str
) -> None:
    path = fixture("disqus", name)
    with pytest.raises(UnreadableSource, match="refuses these in XML"):
        list(parse(SourceFile.open_path(path), ParseContext(tz=ZoneInfo("UTC"))))
    [result] = ingest(conn, [path], ImportOptions(format="disqus"))
    assert result.status == "failed"
    assert (
        result.error is not None and "line 2 declares a DTD or entity (<!DOCTYPE)" in result.error
    )
    assert statuses(conn) == {}


def test_not_xml_at_all_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text("<html><body>not an export</body></html>")
    with pytest.raises(UnreadableSource, match="expected a <disqus> document, found <html>"):
        list(parse(SourceFile.open_path(path), ParseContext(tz=ZoneInfo("UTC"))))


def test_small_batches_give_the_same_result(conn: duckdb.DuckDBPyConnection) -> None:
    source = SourceFile.open_path(fixture("disqus", "replies.xml"))
    batches = list(parse(source, ParseContext(tz=ZoneInfo("UTC"), batch_size=2)))
    assert len(batches) > 3
    assert sum(batch.comments.height for batch in batches) == 6
    load(conn, fixture("disqus", "replies.xml"), batch_size=2)
    assert sum(statuses(conn).values()) == 6
    assert depths(conn) == {0: 4, 1: 1, 2: 1}


# --- the upstream fixtures (isso and remark42 test data) ---------------------------------------


def test_isso_fixture(conn: duckdb.DuckDBPyConnection) -> None:
    """isso imports 5: the orphan post (thread 1337 is not in the file) is the one left out."""
    path = external("disqus", "isso", "disqus.xml")
    load(conn, path)
    assert statuses(conn) == {"published": 4, "deleted": 1}
    assert rejects(conn) == [
        (
            "line 66, <post>",
            "post skipped: its thread 1337 is not in this file, so the article is unknown",
        )
    ]
    rows = comments(conn)
    assert (rows[("disqus:2", "5")]["parent_id"], rows[("disqus:2", "5")]["depth"]) == ("4", 1)
    assert rows[("disqus:2", "9")]["status"] == "deleted"
    assert rows[("disqus:2", "9")]["text"] == ""
    assert (rows[("disqus:2", "11")]["parent_id"], rows[("disqus:2", "11")]["depth"]) == ("9", 1)
    assert rows[("disqus:7", "8")]["text"] == "Message from thread with empty title and id"
    assert depths(conn) == {0: 3, 1: 2}
    assert set(articles(conn)) == {"disqus:2", "disqus:3", "disqus:7"}
    assert_reimport_changes_nothing(conn, path)


REMARK42_REJECTS = [
    ("line 102, <post>", "post skipped: it has no dsq:id attribute (Disqus' id for the post)"),
    ("line 135, <post>", "post skipped: broken XML at line 147 (not well-formed (invalid token))"),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # upstream imports 4: the 3 published + the post without dsq:id (keyed on its <id>)
        ("disqus.xml", {"published": 3, "spam": 1}),
        # post 299619020 is deleted: upstream 3
        ("disqus-deleted-post.xml", {"published": 2, "deleted": 1, "spam": 1}),
        # thread 247937687 is deleted, taking its two good posts with it: upstream 2
        ("disqus-deleted-thread.xml", {"published": 1, "deleted": 2, "spam": 1}),
    ],
)
def test_remark42_fixtures(
    conn: duckdb.DuckDBPyConnection, name: str, expected: dict[str, int]
) -> None:
    path = external("disqus", "remark42", name)
    load(conn, path)
    assert statuses(conn) == expected
    assert rejects(conn) == REMARK42_REJECTS
    assert depths(conn) == {0: 4}
    rows = comments(conn)
    assert rows[("disqus:247937687", "299986073")]["status"] == "spam"
    assert rows[("disqus:247937687", "299619020")]["text"] == (
        "The quick brown fox jumps over the lazy dog.\n\nsome link"
    )
    assert rows[("disqus:247918464", "299986072")]["author_name"] == "No Username"
    assert articles(conn)["disqus:247937687"]["title"] == "Радио-Т: Радио-Т 229"
    assert_reimport_changes_nothing(conn, path)


def test_markup_inside_cdata_and_comments_does_not_cut_a_post(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "tricky.xml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<thread dsq:id="1"><link>https://bugle.example/t</link></thread>\n'
        '<post dsq:id="11"><!-- </post> <post> in a comment -->\n'
        '<message><![CDATA[<p>quoting XML: </post><post dsq:id="99"> <!DOCTYPE x></p>]]></message>\n'
        '<thread dsq:id="1"/></post>\n'
        '<post dsq:id="12"><message>next</message><thread dsq:id="1"/><parent dsq:id="11"/></post>\n'
        "</disqus>\n"
        "trailing text after the document is ignored\n"
    )
    load(conn, path)
    rows = comments(conn)
    assert set(rows) == {("disqus:1", "11"), ("disqus:1", "12")}  # no post 99: it is message text
    assert (
        rows[("disqus:1", "11")]["text"] == "quoting XML:"
    )  # the HTML tags themselves are dropped
    assert rows[("disqus:1", "12")]["depth"] == 1
    assert rejects(conn) == []
