"""Reddit API JSON: /comments/{id} threads, /api/morechildren things, plain Listings; self posts'
text as passages."""

from __future__ import annotations

from datetime import UTC, datetime

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

THREAD = "reddit:abc123"


def passages(conn: duckdb.DuckDBPyConnection, article_id: str) -> list[tuple[str, str]]:
    return [
        (str(kind), str(text))
        for kind, text in conn.execute(
            "SELECT kind, text FROM passages WHERE article_id = ? ORDER BY passage_no",
            [article_id],
        ).fetchall()
    ]


def test_thread_tree(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("reddit", "thread.json")
    result = load(conn, path)
    assert result.format == "reddit"
    assert statuses(conn) == {"published": 4, "deleted": 2, "spam": 1}
    rows = comments(conn)
    first = rows[(THREAD, "c1")]
    assert first["text"] == "First paragraph.\n\nSecond paragraph été \U0001f68b"
    assert (first["parent_id"], first["depth"], first["author_name"]) == (None, 0, "Ana")
    assert first["posted_at"] == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert (rows[(THREAD, "c2")]["parent_id"], rows[(THREAD, "c2")]["depth"]) == ("c1", 1)
    assert rows[(THREAD, "c2")]["text"] == "Reply with a link"
    assert (rows[(THREAD, "c3")]["parent_id"], rows[(THREAD, "c3")]["depth"]) == ("c2", 2)
    assert rows[(THREAD, "c3")]["text"] == "Third level & deepest"
    deleted = rows[(THREAD, "c4")]
    assert (deleted["status"], deleted["text"], deleted["author_name"]) == (
        "deleted",
        "[deleted]",
        None,
    )
    assert rows[(THREAD, "c5")]["status"] == "deleted"  # removed by a moderator
    assert rows[(THREAD, "c6")]["status"] == "spam"
    assert rows[(THREAD, "c9")]["text"] == "Only **markdown** body"  # no body_html: body as written
    assert depths(conn) == {0: 5, 1: 1, 2: 1}
    assert rejects(conn) == [
        ("[1].children[4]", "skipped: created_utc 'soon' is not a time (seconds since 1970)"),
        ("[1].children[5]", "skipped: the comment has no id"),
        (
            "[1].children[7]",
            "skipped: a 't5' thing is neither a comment (t1) nor a submission (t3)",
        ),
    ]
    assert articles(conn)[THREAD] == {
        "article_id": THREAD,
        "url": "https://bugle.example/news/tram/",
        "outlet": "r/news",
        "title": "Tram line approved",
        "byline": "bugle_social",
        "published_at": datetime(2024, 5, 1, 7, 53, 20, tzinfo=UTC),
    }
    assert passages(conn, THREAD) == []  # a link post: its text is on the linked page
    assert_reimport_changes_nothing(conn, path)


def test_morechildren_flat_things(conn: duckdb.DuckDBPyConnection) -> None:
    path = fixture("reddit", "morechildren.json")
    load(conn, path)
    assert statuses(conn) == {"published": 3}  # the 'more' stub is not a comment
    rows = comments(conn)
    # m1's parent c1 is not in the file: it still points at it, and counts as depth 1
    assert [(r["comment_id"], r["parent_id"], r["depth"]) for r in rows.values()] == [
        ("m1", "c1", 1),
        ("m2", "m1", 2),
        ("m3", None, 0),
    ]
    assert rejects(conn) == [
        ("things[4]", "skipped: not a Reddit thing (an object with kind and data)")
    ]
    assert (
        articles(conn)[THREAD]["url"]
        == "https://www.reddit.com/r/news/comments/abc123/tram_line_approved/"
    )
    assert_reimport_changes_nothing(conn, path)


def test_thread_then_more_comments_join_the_same_tree(conn: duckdb.DuckDBPyConnection) -> None:
    load(conn, fixture("reddit", "thread.json"))
    load(conn, fixture("reddit", "morechildren.json"))
    rows = comments(conn)
    assert rows[(THREAD, "m1")]["depth"] == 1
    assert rows[(THREAD, "m2")]["depth"] == 2
    assert articles(conn)[THREAD]["title"] == "Tram line approved"  # kept from the thread


def test_plain_listing(conn: duckdb.DuckDBPyConnection) -> None:
    load(conn, fixture("reddit", "listing.json"))
    assert statuses(conn) == {"published": 1}
    article = articles(conn)["reddit:def456"]
    assert (article["title"], article["url"]) == (
        "Budget vote",
        "https://bugle.example/news/budget/",
    )


def test_go_reddit_post(conn: duckdb.DuckDBPyConnection) -> None:
    """GET /comments/{id}: the t3 submission plus testc1 and its reply testc2."""
    path = external("reddit", "go-reddit", "post", "post.json")
    load(conn, path)
    assert statuses(conn) == {"published": 2}
    assert rejects(conn) == []
    rows = comments(conn)
    assert (
        rows[("reddit:testpost", "testc1")]["text"],
        rows[("reddit:testpost", "testc1")]["depth"],
    ) == ("Hi", 0)
    reply = rows[("reddit:testpost", "testc2")]
    assert (reply["text"], reply["parent_id"], reply["depth"]) == ("Hello", "testc1", 1)
    assert reply["posted_at"] == datetime(2020, 7, 18, 10, 32, 28, tzinfo=UTC)
    assert reply["author_name"] == "testuser"
    assert articles(conn)["reddit:testpost"]["title"] == "Test"
    assert passages(conn, "reddit:testpost") == [("title", "Test"), ("paragraph", "Hello")]
    assert_reimport_changes_nothing(conn, path)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # def → t1_abc (absent), ghi → t1_def, jkl → t3_123 (top level); the 'more' stub is skipped
        (("post", "more.json"), [("def", "abc", 1), ("ghi", "def", 2), ("jkl", None, 0)]),
        # def → t1_abc, ghi → t1_abc (both absent), jkl → t1_def
        (("comment", "more.json"), [("def", "abc", 1), ("ghi", "abc", 1), ("jkl", "def", 2)]),
    ],
)
def test_go_reddit_morechildren(
    conn: duckdb.DuckDBPyConnection,
    parts: tuple[str, str],
    expected: list[tuple[str, str | None, int]],
) -> None:
    path = external("reddit", "go-reddit", *parts)
    load(conn, path)
    assert statuses(conn) == {"published": 3}
    assert rejects(conn) == []
    rows = comments(conn)
    assert [(r["comment_id"], r["parent_id"], r["depth"]) for r in rows.values()] == expected
    assert {key[0] for key in rows} == {"reddit:123"}
    assert articles(conn)["reddit:123"]["outlet"] == "r/AskReddit"
    assert_reimport_changes_nothing(conn, path)


def test_self_post_text_becomes_passages(conn: duckdb.DuckDBPyConnection) -> None:
    """Read from selftext_html: the kinds come from the markup, entities are unescaped."""
    path = fixture("reddit", "selfpost.json")
    result = load(conn, path)
    assert (result.counts.articles, result.counts.passages, result.counts.comments) == (1, 7, 1)
    assert passages(conn, "reddit:self1") == [
        ("title", "Tram line approved: ask me anything"),
        ("paragraph", "The council approved the tram line & the depot."),
        ("heading", "What changes?"),
        ("bullet", "Trams every 10 minutes"),
        ("bullet", "Fares stay the same"),
        ("paragraph", "We will not back down."),  # a quote
        ("paragraph", "Edit: typo"),  # a <p>: not guessed to be a heading
    ]
    article = articles(conn)["reddit:self1"]
    assert (article["byline"], article["published_at"]) == (
        "council_press",
        datetime(2024, 5, 1, 7, 53, 20, tzinfo=UTC),
    )
    assert list(comments(conn)) == [("reddit:self1", "s1")]
    assert_reimport_changes_nothing(conn, path)


def test_self_post_markdown_without_html(conn: duckdb.DuckDBPyConnection) -> None:
    """Only selftext: the markdown is cut at blank lines and classified as plain text."""
    path = fixture("reddit", "submissions.json")
    result = load(conn, path)
    assert (result.counts.articles, result.counts.passages, result.counts.rejects) == (3, 4, 0)
    assert passages(conn, "reddit:md1") == [
        ("title", "Budget vote delayed"),
        ("paragraph", "The vote is delayed by a week. The mayor said so on Thursday."),
        ("heading", "Next steps"),
        ("bullet", "The committee meets on Monday."),
    ]
    found = articles(conn)
    assert (found["reddit:md1"]["byline"], found["reddit:md1"]["published_at"]) == (
        None,  # [deleted]
        datetime(2024, 5, 2, 8, 53, 20, tzinfo=UTC),
    )
    assert passages(conn, "reddit:gone1") == []  # [removed]
    assert passages(conn, "reddit:link1") == []  # a link post
    assert found["reddit:link1"]["byline"] == "bugle_social"
    assert_reimport_changes_nothing(conn, path)
