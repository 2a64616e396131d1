"""Article pages saved as text: the five seed documents and a hand-made page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from readerpulse.ingest.api import ImportOptions, ingest

from tests.conftest import FIXTURES, SAMPLE

SEED_001 = "001_76c7e58964da143c"

SEED_COMMENTS = [
    (
        "Nina Patel",
        datetime(2023, 9, 21, 10, 41, tzinfo=UTC),
        "Keep thinking about the innocent civilians",
    ),
    (
        "Robert Johnson",
        datetime(2023, 9, 21, 15, 58, tzinfo=UTC),
        "Azerbaijan and Armenia back at it again.",
    ),
    ("John Smith", datetime(2023, 9, 21, 17, 57, tzinfo=UTC), "Wow, this is really intense."),
    ("Samantha Clark", datetime(2023, 9, 21, 17, 59, tzinfo=UTC), "Macron’s words seem more like"),
    (
        "Sarah Brown",
        datetime(2023, 9, 21, 19, 26, tzinfo=UTC),
        "Interesting to see how international",
    ),
    ("Emily Williams", datetime(2023, 9, 21, 21, 34, tzinfo=UTC), "I can’t even imagine"),
    (
        "Tom Harris",
        datetime(2023, 9, 21, 21, 52, tzinfo=UTC),
        "It’s not just a regional issue anymore",
    ),
    (
        "Mike Taylor",
        datetime(2023, 9, 21, 21, 55, tzinfo=UTC),
        "Whats the point of having international laws",
    ),
    ("Karen Lee", datetime(2023, 9, 22, 6, 27, tzinfo=UTC), "Public opinion in Armenia seems"),
    (
        "William Davis",
        datetime(2023, 9, 22, 7, 5, tzinfo=UTC),
        "The situation looks bad, but how reliable",
    ),
]


@pytest.fixture
def seeded(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    results = ingest(conn, [SAMPLE], ImportOptions(keep_author_names=True))
    assert [r.status for r in results] == ["loaded"] * 5
    assert {r.format for r in results} == {"page"}
    return conn


def test_all_five_seed_documents_load(seeded: duckdb.DuckDBPyConnection) -> None:
    assert seeded.execute("SELECT count(*) FROM articles").fetchone() == (5,)
    per_article = dict(
        seeded.execute(
            "SELECT article_id, count(*) FROM passages WHERE kind <> 'title' GROUP BY 1"
        ).fetchall()
    )
    assert set(per_article) == {p.stem for p in SAMPLE.glob("*.txt")}
    assert all(count >= 6 for count in per_article.values())
    assert seeded.execute("SELECT count(*) FROM rejects").fetchone() == (0,)


def test_seed_comments_have_authors_times_and_text(seeded: duckdb.DuckDBPyConnection) -> None:
    rows = seeded.sql(
        "SELECT author_name, posted_at, text, parent_id, depth, article_id FROM comments ORDER BY posted_at"
    ).fetchall()
    assert len(rows) == 10
    for (author, posted_at, text, parent, depth, article), (e_author, e_time, e_start) in zip(
        rows, SEED_COMMENTS, strict=True
    ):
        assert author == e_author
        assert posted_at == e_time
        assert text.startswith(e_start)
        assert (parent, depth, article) == (None, 0, SEED_001)
    last = rows[-1][2]
    assert last == (
        "The situation looks bad, but how reliable are these casualty numbers? "
        "Would be nice to have some independent verification."
    )


def test_seed_001_header_body_and_boilerplate(seeded: duckdb.DuckDBPyConnection) -> None:
    title, byline, outlet = seeded.execute(
        "SELECT title, byline, outlet FROM articles WHERE article_id = ?", [SEED_001]
    ).fetchone() or ("", "", "")
    assert title.startswith("Discussions Commence Regarding Nagorno-Karabakh’s Future")
    assert byline == "Sophia Chen"
    assert outlet == "BBN – Big Big News"
    kinds = dict(
        seeded.execute(
            "SELECT kind, count(*) FROM passages WHERE article_id = ? GROUP BY 1", [SEED_001]
        ).fetchall()
    )
    assert kinds["faq_question"] == kinds["faq_answer"] == 10
    assert kinds["title"] == 1
    texts = [
        r[0]
        for r in seeded.execute(
            "SELECT text FROM passages WHERE article_id = ?", [SEED_001]
        ).fetchall()
    ]
    joined = "\n".join(texts)
    for boilerplate in (
        "You may also like",
        "Leave a Comment",
        "Editors' Picks",
        "news portal",
        "© 2023",
        "Role of Russian Peacekeepers in Nagorno-Karabakh",
        "Keep thinking about",
    ):
        assert boilerplate not in joined
    answer = seeded.execute(
        "SELECT heading, text FROM passages WHERE article_id = ? AND kind = 'faq_answer' ORDER BY passage_no LIMIT 1",
        [SEED_001],
    ).fetchone()
    assert answer is not None
    assert answer[0] == "What are the talks between Nagorno-Karabakh and Azerbaijan about?"


def test_seed_000_bullets_narratives_and_date(seeded: duckdb.DuckDBPyConnection) -> None:
    article = "000_9b1a4bb79ebfd41b"
    rows = seeded.execute(
        "SELECT kind, heading, text FROM passages WHERE article_id = ? ORDER BY passage_no",
        [article],
    ).fetchall()
    assert [r[0] for r in rows] == ["title"] + ["bullet"] * 7 + ["narrative", "narrative"]
    assert [r[1] for r in rows[-2:]] == ["Narrative A", "Narrative B"]
    assert rows[-1][2].startswith("Azerbaijan has finally triumphed")
    assert not any(
        "newsletter" in r[2] or "Image credit" in r[2] or "Articles on this story" in r[2]
        for r in rows
    )
    published = seeded.execute(
        "SELECT published_at FROM articles WHERE article_id = ?", [article]
    ).fetchone()
    assert published == (datetime(2023, 9, 21, tzinfo=UTC),)


def test_page_without_title_line_takes_first_sentence_and_drops_author_bio(
    seeded: duckdb.DuckDBPyConnection,
) -> None:
    article = "002_10c94bd3b394e219"
    title = seeded.execute("SELECT title FROM articles WHERE article_id = ?", [article]).fetchone()
    assert title is not None
    assert title[0].startswith("Azerbaijan has regained control")
    last = seeded.execute(
        "SELECT text FROM passages WHERE article_id = ? ORDER BY passage_no DESC LIMIT 1", [article]
    ).fetchone()
    assert last is not None
    assert last[0].startswith("In conclusion")


def test_subheading_inside_body(seeded: duckdb.DuckDBPyConnection) -> None:
    heading = seeded.execute(
        "SELECT text FROM passages WHERE article_id = '004_dde7f7b65fccb1db' AND kind = 'heading'"
    ).fetchall()
    assert heading == [("Nagorno-Karabakh Conflict Between Armenia and Azerbaijan",)]


def test_comment_times_read_in_the_configured_zone(conn: duckdb.DuckDBPyConnection) -> None:
    ingest(conn, [SAMPLE / f"{SEED_001}.txt"], ImportOptions(tz=ZoneInfo("Asia/Yerevan")))
    first = conn.execute("SELECT min(posted_at) FROM comments").fetchone()
    # 10:41 am in Yerevan (UTC+4) is 06:41 UTC
    assert first == (datetime(2023, 9, 21, 6, 41, tzinfo=UTC),)


def test_unreadable_lines_are_rejected_and_the_rest_loads(conn: duckdb.DuckDBPyConnection) -> None:
    [result] = ingest(conn, [FIXTURES / "page" / "encoding.txt"], ImportOptions())
    assert result.status == "loaded"
    assert (result.counts.comments, result.counts.rejects) == (2, 2)
    rejects = conn.execute("SELECT location, reason, raw FROM rejects ORDER BY reason").fetchall()
    assert rejects[0][0] == rejects[1][0] == "line 18"
    assert "text under a header that could not be read" in rejects[0][1]
    assert rejects[0][2] == "Text of the unreadable comment."
    assert rejects[1][1].startswith("not valid UTF-8")
    texts = [r[0] for r in conn.execute("SELECT text FROM comments ORDER BY posted_at").fetchall()]
    assert texts == ["First comment text.", "Second comment,\nover two lines."]
    assert conn.execute("SELECT byline, outlet FROM articles").fetchone() == (
        "Jo Reporter",
        "Test Outlet",
    )


def test_empty_page_fails_with_a_clear_error(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n   \n")
    [result] = ingest(conn, [empty], ImportOptions())
    assert result.status == "failed"
    assert result.error is not None and "not a format readerpulse knows" in result.error


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("comments.json", '[{"id": 1, "text": "a JSON array of comments"}]\n'),
        ("export.xml", '<?xml version="1.0"?>\n<comments><c>unknown export</c></comments>\n'),
        ("semi.csv", "q1;article;text\nq2;A;I doubt it\nq3;A;Fine\n"),
        ("tabs.tsv", "q1\tarticle\ttext\nq2\tA\tfirst\nq3\tA\tsecond\n"),
    ],
)
def test_structured_data_of_no_known_format_fails_instead_of_loading_as_a_page(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    [result] = ingest(conn, [path], ImportOptions())
    assert result.status == "failed"
    assert result.error is not None and "not a format readerpulse knows" in result.error
    assert conn.execute("SELECT count(*) FROM articles").fetchone() == (0,)
