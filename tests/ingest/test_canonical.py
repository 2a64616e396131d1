"""Canonical tables: comments and articles as CSV, JSON Lines and Parquet."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from readerpulse.ingest.api import ImportOptions, ingest
from readerpulse.ingest.canonical import ARTICLES, COMMENTS, classify
from readerpulse.ingest.passages import Block, body_passages, text_blocks

from tests.conftest import FIXTURES

CANON = FIXTURES / "canonical"


def rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return conn.execute(sql).fetchall()


def test_classify_by_columns() -> None:
    assert classify(["comment_id", "article_id", "text"]) is COMMENTS
    assert classify(["id", "thread_id", "body", "reply_to"]) is COMMENTS
    assert classify(["article_id", "url", "title", "body"]) is ARTICLES
    assert classify(["a", "b"]) is None


def test_jsonl_comments_load_and_bad_lines_are_rejected(conn: duckdb.DuckDBPyConnection) -> None:
    [result] = ingest(conn, [CANON / "comments.jsonl"], ImportOptions(keep_author_names=True))
    assert (result.format, result.status) == ("jsonl", "loaded")
    assert (result.counts.comments, result.counts.rejects) == (5, 4)
    assert rows(
        conn, "SELECT comment_id, parent_id, depth, posted_at FROM comments ORDER BY comment_id"
    ) == [
        ("6", None, 0, datetime(2023, 9, 21, 12, 40, tzinfo=UTC)),
        ("c1", None, 0, datetime(2023, 9, 21, 10, 0, tzinfo=UTC)),
        ("c2", "c1", 1, datetime(2023, 9, 21, 9, 30, tzinfo=UTC)),
        ("c3", "c2", 2, datetime(2023, 9, 21, 12, 0, tzinfo=UTC)),
        ("c7", None, 0, None),
    ]
    rejects = dict(rows(conn, "SELECT location, reason FROM rejects"))
    assert rejects["line 5"].startswith("not valid JSON")
    assert rejects["line 6"] == "an array where a JSON record (object) was expected"
    assert rejects["line 7"] == "unrecognised timestamp in posted_at: yesterday-ish"
    assert rejects["line 8"] == "comment has no comment_id"
    # the file is not UTF-8 (its one non-ASCII byte is Latin-1): read as Windows-1252
    assert rows(conn, "SELECT text FROM comments WHERE comment_id = 'c7'") == [("café in latin-1",)]


def test_same_commenter_gets_the_same_pseudonym(conn: duckdb.DuckDBPyConnection) -> None:
    ingest(conn, [CANON / "comments.jsonl"], ImportOptions())
    keys = dict(rows(conn, "SELECT comment_id, author_key FROM comments"))
    assert keys["c1"] == keys["c3"]  # "Ana" and "ana " are one commenter
    assert keys["c1"] != keys["c2"]
    assert keys["6"] is None
    assert rows(conn, "SELECT count(*) FROM comments WHERE author_name IS NOT NULL") == [(0,)]


def test_csv_with_aliases_multiline_fields_and_ragged_rows(conn: duckdb.DuckDBPyConnection) -> None:
    [result] = ingest(conn, [CANON / "comments.csv"], ImportOptions())
    assert (result.format, result.counts.comments, result.counts.rejects) == ("csv", 3, 2)
    assert rows(conn, "SELECT comment_id, parent_id, text FROM comments ORDER BY comment_id") == [
        ("c1", None, "Plain comment, with a comma."),
        ("c2", "c1", 'A reply "quoted" and\nspanning two lines'),
        ("c5", "c1", "Fine again"),
    ]
    rejects = dict(rows(conn, "SELECT location, reason FROM rejects"))
    assert rejects == {
        "record 3": "unrecognised timestamp in posted_at: not a date",
        "record 4": "8 fields where the header has 7",
    }


def test_articles_file_gives_articles_and_passages(conn: duckdb.DuckDBPyConnection) -> None:
    [result] = ingest(conn, [CANON / "articles.jsonl"], ImportOptions())
    assert (result.counts.articles, result.counts.passages, result.counts.rejects) == (2, 6, 1)
    assert rows(
        conn, "SELECT kind, text FROM passages WHERE article_id = 'a1' ORDER BY passage_no"
    ) == [
        ("title", "Talks begin in Yevlakh"),
        ("paragraph", "First paragraph about the talks."),
        ("paragraph", "Second paragraph about the ceasefire."),
        ("bullet", "A bullet point"),
    ]
    assert rows(conn, "SELECT reason FROM rejects") == [("article has no article_id",)]


def kinds_and_texts(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(row["passage_no"], row["kind"], row["text"]) for row in rows]


def test_plain_body_is_cut_at_blank_lines_else_at_line_ends() -> None:
    assert [b.text for b in text_blocks("One\ntwo\n \nThree")] == ["One\ntwo", "Three"]
    assert [b.text for b in text_blocks("One.\nTwo.")] == ["One.", "Two."]
    rows = body_passages(
        "a", "Title", text_blocks("Title\n\nFirst  line\nsame paragraph.\n\n- item")
    )
    assert kinds_and_texts(rows) == [
        (0, "title", "Title"),
        (1, "paragraph", "First line same paragraph."),  # the repeated title is left out
        (2, "bullet", "item"),
    ]
    assert kinds_and_texts(body_passages("a", None, [])) == []
    assert kinds_and_texts(body_passages("a", "Only a title", [])) == [(0, "title", "Only a title")]


def test_a_kind_stated_by_markup_is_kept() -> None:
    rows = body_passages(
        "a",
        None,
        [
            Block("Guessed heading"),
            Block("Short but a paragraph", "paragraph"),
            Block("A long heading, as an editor wrote it, ending in a question?", "heading"),
            Block("Share this article", "paragraph"),  # boilerplate wherever it comes from
            Block("“A closing quote the article ends on.”", "paragraph"),
        ],
    )
    assert kinds_and_texts(rows) == [
        (1, "heading", "Guessed heading"),
        (2, "paragraph", "Short but a paragraph"),
        (3, "heading", "A long heading, as an editor wrote it, ending in a question?"),
        (4, "paragraph", "“A closing quote the article ends on.”"),
    ]
    # the same closing quote as plain text reads as a page's author bio and is dropped
    guessed = body_passages("a", None, text_blocks("Body text.\n\n“A closing quote.”"))
    assert kinds_and_texts(guessed) == [(1, "paragraph", "Body text.")]


def test_comments_before_their_article_get_a_stub_that_is_filled_later(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    ingest(conn, [CANON / "comments.jsonl"], ImportOptions())
    assert rows(conn, "SELECT article_id, title FROM articles ORDER BY 1") == [
        ("a1", None),
        ("a2", None),
    ]
    ingest(conn, [CANON / "articles.jsonl"], ImportOptions())
    assert rows(conn, "SELECT article_id, title FROM articles ORDER BY 1") == [
        ("a1", "Talks begin in Yevlakh"),
        ("a2", "Exodus continues"),
    ]


def test_parquet_with_native_types(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "comments.parquet"
    pl.DataFrame(
        {
            "comment_id": [1, 2, 3],
            "article_id": ["a", "a", "a"],
            "parent_id": [None, 1, None],
            "author": ["x", "y", None],
            "posted_at": [
                datetime(2023, 9, 21, 10),
                datetime(2023, 9, 21, 11),
                datetime(2023, 9, 21, 12),
            ],
            "text": ["one", "two", None],
        }
    ).write_parquet(path)
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.format, result.counts.comments, result.counts.rejects) == ("parquet", 2, 1)
    assert rows(
        conn, "SELECT comment_id, parent_id, depth, posted_at FROM comments ORDER BY 1"
    ) == [
        ("1", None, 0, datetime(2023, 9, 21, 10, tzinfo=UTC)),
        ("2", "1", 1, datetime(2023, 9, 21, 11, tzinfo=UTC)),
    ]
    assert rows(conn, "SELECT location, reason FROM rejects") == [("row 3", "comment has no text")]


def test_format_is_detected_from_content_not_extension(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    disguised = tmp_path / "export.txt"
    shutil.copy(CANON / "comments.csv", disguised)
    jsonl_as_csv = tmp_path / "comments.csv"
    shutil.copy(CANON / "articles.jsonl", jsonl_as_csv)
    results = ingest(conn, [disguised, jsonl_as_csv], ImportOptions())
    assert [r.format for r in results] == ["csv", "jsonl"]


def test_large_jsonl_is_read_in_blocks(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import readerpulse.ingest.canonical as canonical

    monkeypatch.setattr(canonical, "JSONL_BLOCK_BYTES", 256)
    path = tmp_path / "many.jsonl"
    lines = [
        f'{{"comment_id": "{i}", "article_id": "a", "posted_at": "2023-09-2{i % 7}T10:00:00Z", "text": "comment {i}"}}'
        for i in range(200)
    ]
    lines[150] = '{"comment_id": "150", "broken'
    path.write_text("\n".join(lines) + "\n")
    [result] = ingest(conn, [path], ImportOptions(batch_size=50))
    assert (result.counts.comments, result.counts.rejects) == (199, 1)
    assert rows(conn, "SELECT location FROM rejects") == [("line 151",)]


def test_jsonl_with_a_byte_order_mark_keeps_its_first_record(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf"
        b'{"comment_id": "c1", "article_id": "a", "posted_at": "2023-09-21T10:41Z", "text": "first"}\n'
        b'{"comment_id": "c2", "article_id": "a", "text": "second"}\n'
    )
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.counts.comments, result.counts.rejects) == (2, 0)
    assert rows(conn, "SELECT posted_at FROM comments WHERE comment_id = 'c1'") == [
        (datetime(2023, 9, 21, 10, 41, tzinfo=UTC),)
    ]


def test_numeric_times_outside_seconds_range_are_rejected(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "epochs.parquet"
    pl.DataFrame(
        {"comment_id": ["s", "ms"], "article_id": ["a", "a"], "posted_at": [1695300000, 1695300000000],
         "text": ["seconds", "milliseconds"]}
    ).write_parquet(path)
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.counts.comments, result.counts.rejects) == (1, 1)
    assert rows(conn, "SELECT location, reason FROM rejects") == [
        ("row 2", "unrecognised timestamp in posted_at: 1695300000000")
    ]


@pytest.mark.parametrize(
    "block",
    [b"", b"\n", b"  \n{}", b"{}\n\n{}\n", b"{}\n \t\r\n{}\n", b"{}\n{}\n", b"{}\r\n{}\r\n", b"{} \n{}"],
)
def test_blank_line_test_agrees_with_the_expression(block: bytes) -> None:
    from readerpulse.ingest.canonical import BLANK_LINE, _has_blank_line

    assert _has_blank_line(block) == bool(BLANK_LINE.search(block))


@pytest.mark.parametrize("block_bytes", [1, 2, 3, 5, 8, 64])
def test_jsonl_blocks_end_at_line_ends_and_number_lines_like_the_file(tmp_path: Path, block_bytes: int) -> None:
    import random

    from readerpulse.ingest.scan import blocks as jsonl_blocks

    rng = random.Random(block_bytes)
    for _ in range(200):
        pieces = [b"a", b"bb", b"\n", b"  ", b"{}\n", b"\r\n", b"x" * rng.randint(0, 9)]
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        path = tmp_path / "b.jsonl"
        path.write_bytes(data)
        blocks = list(jsonl_blocks(path, block_bytes))
        assert all(block.endswith(b"\n") for _, block in blocks[:-1])
        numbered = [
            (first + i, line) for first, block in blocks for i, line in enumerate(block.split(b"\n")) if line.strip()
        ]
        expected = [(i, line) for i, line in enumerate(data.split(b"\n"), start=1) if line.strip()]
        assert numbered == expected


def test_white_space_around_values_is_dropped(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "spaces.jsonl"
    path.write_text(
        '{"comment_id": " c1 ", "article_id": "\\ta\\t", "author": " Ana\\n",'
        ' "posted_at": "\\n2023-09-21T10:00:00Z ", "text": "\\n  hello there \\r\\n"}\n'
    )
    [result] = ingest(conn, [path], ImportOptions(keep_author_names=True))
    assert (result.counts.comments, result.counts.rejects) == (1, 0)
    assert rows(conn, "SELECT comment_id, article_id, author_name, posted_at, text FROM comments") == [
        ("c1", "a", "Ana", datetime(2023, 9, 21, 10, tzinfo=UTC), "hello there")
    ]


def test_naive_times_are_read_in_the_zone_given(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    path = tmp_path / "naive.jsonl"
    path.write_text(
        '{"comment_id": "1", "article_id": "a", "posted_at": "2023-09-21 12:00:00", "text": "naive"}\n'
        '{"comment_id": "2", "article_id": "a", "posted_at": "2023-09-21T12:00:00Z", "text": "aware"}\n'
    )
    ingest(conn, [path], ImportOptions(tz=ZoneInfo("Europe/Paris")))
    assert rows(conn, "SELECT comment_id, posted_at FROM comments ORDER BY 1") == [
        ("1", datetime(2023, 9, 21, 10, tzinfo=UTC)),
        ("2", datetime(2023, 9, 21, 12, tzinfo=UTC)),
    ]
    assert rows(conn, "SELECT current_setting('TimeZone')") == [("UTC",)]


def test_a_jsonl_record_nested_too_deep_is_one_reject(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    deep = '{"comment_id": "c2", "article_id": "a", "text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text(
        '{"comment_id": "c1", "article_id": "a", "text": "before"}\n'
        + deep
        + '\n{"comment_id": "c3", "article_id": "a", "text": "after"}\n'
    )
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.counts.comments, result.counts.rejects) == ("loaded", 2, 1)
    assert rows(conn, "SELECT location, reason FROM rejects") == [
        ("line 2", "nested deeper than 1,000 levels of objects and arrays")
    ]


def test_a_jsonl_file_whose_first_record_is_long_is_recognised(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text(
        json.dumps({"comment_id": "c1", "article_id": "a", "text": "long " * 40_000}) + "\n"
        + json.dumps({"comment_id": "c2", "article_id": "a", "text": "short"}) + "\n"
    )
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.format, result.counts.comments) == ("loaded", "jsonl", 2), result.error


TSV_ROWS = [
    ["comment_id", "article_id", "parent_id", "author", "text"],
    ["c1", "a1", "", "Ann", "tabs, not commas; fine"],
    ["c2", "a1", "c1", "Bob", 'a "quoted"\ttab inside'],
]
TSV_COMMENTS = [
    ("c1", "a1", None, "Ann", "tabs, not commas; fine"),
    ("c2", "a1", "c1", "Bob", 'a "quoted"\ttab inside'),
]


def _delimited(delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(TSV_ROWS)
    return out.getvalue()


def _stored(conn: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return rows(conn, "SELECT comment_id, article_id, parent_id, author_name, text FROM comments ORDER BY 1")


@pytest.mark.parametrize(
    ("name", "delimiter", "encoding"),
    [
        ("export.txt", "\t", "utf-16"),  # Excel's "Unicode text": UTF-16 with a byte-order mark, tabs
        ("comments.tsv", "\t", "utf-8"),
        ("comments.csv", "\t", "utf-8"),
        ("comments.txt", ";", "utf-8"),
        ("comments.csv", ",", "utf-8-sig"),
    ],
)
def test_a_delimited_file_is_read_with_the_separator_its_header_uses(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, name: str, delimiter: str, encoding: str
) -> None:
    path = tmp_path / name
    path.write_bytes(_delimited(delimiter).encode(encoding))
    [result] = ingest(conn, [path], ImportOptions(keep_author_names=True))
    assert (result.format, result.status, result.error) == ("csv", "loaded", None)
    assert (result.counts.comments, result.counts.rejects) == (2, 0)
    assert _stored(conn) == TSV_COMMENTS


def test_a_tsv_file_is_read_with_tabs_even_when_its_header_has_commas(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # a comma inside a column name: read with commas, the header would still name comment columns
    path = tmp_path / "comments.tsv.gz"
    text = "comment_id\tarticle_id\ttext\tnote,text\nc1\ta1\tone\tx\nc2\ta1\ttwo\ty\n"
    path.write_bytes(gzip.compress(text.encode()))
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.error, result.counts.comments) == ("loaded", None, 2)
    assert rows(conn, "SELECT comment_id, text FROM comments ORDER BY 1") == [("c1", "one"), ("c2", "two")]


def test_a_ragged_tsv_file_is_read_row_by_row_with_tabs(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "comments.tsv"
    path.write_text(_delimited("\t") + "c3\ta1\n")
    [result] = ingest(conn, [path], ImportOptions(keep_author_names=True))
    assert (result.status, result.error) == ("loaded", None)
    assert _stored(conn) == TSV_COMMENTS
    assert rows(conn, "SELECT location, reason FROM rejects") == [("record 3", "2 fields where the header has 5")]


def test_tab_separated_articles_load(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "articles.tsv"
    path.write_text("article_id\turl\ttitle\tbody\na1\thttps://example.org/a1\tA title\tA body, with a comma.\n")
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.error, result.counts.articles) == ("loaded", None, 1)
    assert rows(conn, "SELECT article_id, title FROM articles") == [("a1", "A title")]


def test_a_header_no_separator_makes_into_columns_is_not_read(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_text("comment_id|article_id|text\nc1|a1|one\n")
    [result] = ingest(conn, [path], ImportOptions(format="csv"))
    assert result.status == "failed"
    assert "the header names no comment or article columns" in str(result.error)
