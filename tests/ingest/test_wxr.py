"""WordPress WXR exports: items, their bodies as passages and their comments; approval states,
dates, broken comments; article ids unique across blogs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

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

POST = "wxr:bugle.example:101"  # the channel's <link> names the blog
ISSO_POST = "wxr:example.tld:18"  # no channel address: the host of the item's link
ISSO_LINK = "wxr:example.tld:http://example.tld/?p=4"  # no post id: the item's link


def passages(conn: duckdb.DuckDBPyConnection, article_id: str) -> list[tuple[str, str]]:
    return [
        (str(kind), str(text))
        for kind, text in conn.execute(
            "SELECT kind, text FROM passages WHERE article_id = ? ORDER BY passage_no",
            [article_id],
        ).fetchall()
    ]


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
    first = rows[(POST, "201")]
    assert first["text"] == "Line one\nline two\nline three & more"
    assert first["posted_at"] == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)  # the GMT date wins
    local_only = rows[(POST, "202")]
    # no GMT date (0000-00-00): the local date is read in --tz Europe/Berlin (UTC+2 in May)
    assert local_only["posted_at"] == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    assert local_only["text"] == "Local time only.\n\nSecond paragraph."
    assert (local_only["parent_id"], local_only["depth"]) == ("201", 1)
    held = rows[(POST, "203")]
    assert (held["status"], held["parent_id"], held["depth"]) == ("deleted", "202", 2)
    assert rows[(POST, "204")]["status"] == "spam"
    assert rows[(POST, "205")]["status"] == "deleted"
    assert rows[(POST, "207")]["author_name"] is None
    assert (
        rows[("wxr:bugle.example:https://bugle.example/?p=7", "301")]["text"] == "Keyed on the link"
    )
    assert depths(conn) == {0: 5, 1: 1, 2: 1}
    found = articles(conn)
    # the attachment without comments is no article
    assert set(found) == {
        POST,
        "wxr:bugle.example:103",
        "wxr:bugle.example:https://bugle.example/?p=7",
    }
    assert found[POST] == {
        "article_id": POST,
        "url": "https://bugle.example/2024/05/tram-line/",
        "outlet": "The Daily Bugle",
        "title": "Tram line approved",
        "byline": "Jane Reporter",
        "published_at": datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
    }
    assert passages(conn, POST) == [
        ("title", "Tram line approved"),
        ("paragraph", "The council approved the tram line."),
    ]
    assert passages(conn, "wxr:bugle.example:103") == []  # the page has no content
    assert_reimport_changes_nothing(conn, path)


def test_broken_comments_are_rejected_one_by_one(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("wxr", "broken.xml")
    load(conn, path)
    assert statuses(conn) == {"published": 2}
    reply = comments(conn)[("wxr:broken.example:500", "507")]
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
    row = comments(conn)[("wxr:cafe.example:9", "91")]
    assert row["text"] == "5 € for a café – too much!"
    assert row["author_name"] == "Zoë"
    assert articles(conn)["wxr:cafe.example:9"]["title"] == "“Prices” in €"
    assert articles(conn)["wxr:cafe.example:9"]["outlet"] == "Café Blog"


def test_isso_fixture(conn: duckdb.DuckDBPyConnection) -> None:
    """isso expects 2 threads and 8 comments; comment 11 appears in both items and both load."""
    path = external("wordpress_wxr", "isso", "wordpress.xml")
    load(conn, path)
    assert statuses(conn) == {"published": 8}
    assert rejects(conn) == []
    rows = comments(conn)
    assert {key[0] for key in rows} == {ISSO_POST, ISSO_LINK}
    assert [
        (r["comment_id"], r["parent_id"], r["depth"]) for r in rows.values() if r["parent_id"]
    ] == [
        ("7", "6", 1),
        ("8", "7", 2),
        ("9", "7", 2),
    ]
    assert depths(conn) == {0: 5, 1: 1, 2: 2}
    assert rows[(ISSO_POST, "2")]["text"] == "Erster!1"  # CDATA after white space
    assert rows[(ISSO_POST, "7")]["text"] == "Drölfter!"
    assert rows[(ISSO_POST, "7")]["posted_at"] == datetime(2014, 4, 29, 15, 21, 35, tzinfo=UTC)
    multiline = rows[(ISSO_POST, "10")]
    assert (
        multiline["text"]
        == "When you have a comment with multiple lines:\nWordPress exports it like this."
    )
    assert multiline["posted_at"] == datetime(2022, 6, 6, 2, 13, 14, tzinfo=UTC)  # GMT, not local
    assert rows[(ISSO_LINK, "11")]["author_name"] is None  # "Anonymous"
    # the item without comments is an article too (3 items, 2 with comments)
    assert articles(conn)[ISSO_POST]["title"] == "Hello, World…"
    assert len(articles(conn)) == 3
    assert conn.execute("SELECT count(*) FROM passages").fetchone() == (0,)  # no content:encoded
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


def test_block_editor_body_becomes_passages(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("wxr", "bodies.xml")
    result = load(conn, path, tz=ZoneInfo("Europe/Berlin"))
    assert (result.counts.articles, result.counts.passages, result.counts.rejects) == (4, 14, 0)
    article_id = "wxr:bugle.example:11"
    assert passages(conn, article_id) == [
        ("title", "Tram line approved"),
        ("paragraph", "The council approved the tram line on Tuesday, after a long debate."),
        ("heading", "What changes for riders?"),  # an <h2>, though it ends in a question mark
        ("bullet", "Trams every 10 minutes"),
        ("bullet", "Fares stay at €2.50"),
        ("paragraph", "“We will not back down.”"),  # <blockquote>; the &nbsp; spacer is no passage
    ]
    assert articles(conn)[article_id]["byline"] == "Jane Reporter"
    assert articles(conn)[article_id]["published_at"] == datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    assert ("wxr:bugle.example:11", "1") in comments(conn)
    assert_reimport_changes_nothing(conn, path)


def test_classic_editor_body_and_date_fallbacks(conn: duckdb.DuckDBPyConnection) -> None:
    """Plain text with blank lines between paragraphs goes through the plain-text classifier."""
    load(conn, fixture("wxr", "bodies.xml"), tz=ZoneInfo("Europe/Berlin"))
    assert passages(conn, "wxr:bugle.example:12") == [
        ("title", "Budget vote delayed"),
        (
            "paragraph",
            "The vote on the budget is delayed by a week. The mayor said so on Thursday.",
        ),
        ("heading", "Next steps"),  # short, no closing full stop: read as a heading
        ("heading", "Who decides, and when?"),  # an <h3>
        ("bullet", "The finance committee meets on Monday."),
        ("paragraph", "Read & weep."),
    ]
    found = articles(conn)
    budget = found["wxr:bugle.example:12"]
    assert (budget["byline"], budget["published_at"]) == (
        "Sam Writer",
        datetime(2024, 5, 2, 8, 15, tzinfo=UTC),  # no GMT date: <pubDate>, not the local date
    )
    # a draft: no GMT date, pubDate "30 Nov -0001": the local date read in Europe/Berlin
    draft = found["wxr:bugle.example:13"]
    assert draft["published_at"] == datetime(2024, 5, 3, 10, 0, tzinfo=UTC)
    assert passages(conn, "wxr:bugle.example:13") == []  # empty content: no passages at all
    keyed_on_link = "wxr:bugle.example:https://bugle.example/?p=14"
    assert passages(conn, keyed_on_link) == [
        ("title", "An item keyed on its link"),
        ("paragraph", "Only a link to go by."),
    ]
    assert found[keyed_on_link]["published_at"] is None


def test_two_blogs_with_the_same_post_ids_do_not_collide(conn: duckdb.DuckDBPyConnection) -> None:
    """Blog two of a multisite network: its own address, not the network's base_site_url."""
    load(conn, fixture("wxr", "bodies.xml"))
    load(conn, fixture("wxr", "network-blog2.xml"))
    assert passages(conn, "wxr:network.example/blog2:11") == [
        ("title", "Same post id, another blog"),
        ("paragraph", "A different article with the same post id."),
    ]
    assert passages(conn, "wxr:bugle.example:11")[0] == ("title", "Tram line approved")
    assert {key for key in comments(conn) if key[1] == "1"} == {
        ("wxr:bugle.example:11", "1"),
        ("wxr:network.example/blog2:11", "1"),
    }


def test_an_export_without_any_address(conn: duckdb.DuckDBPyConnection) -> None:
    load(conn, fixture("wxr", "misnamed.csv"))
    assert set(articles(conn)) == {"wxr::1"}


def test_a_post_repeated_in_one_export_keeps_its_first_body(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    item = (
        "<item><title>{title}</title><wp:post_id>5</wp:post_id>"
        "<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item>"
    )
    path = tmp_path / "twice.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<link>https://twice.example/</link>"
        + item.format(title="First", text="First body.")
        + item.format(title="Second", text="Second body.")
        + "</channel></rss>\n"
    )
    load(conn, path)
    assert passages(conn, "wxr:twice.example:5") == [
        ("title", "First"),
        ("paragraph", "First body."),
    ]
