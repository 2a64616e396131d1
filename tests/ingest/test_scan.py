"""Canonical comment files read by DuckDB (ingest/scan.py): columns the readers must not trip on."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from readerpulse.ingest import scan
from readerpulse.ingest.api import ImportOptions, ingest
from readerpulse.store import connect

Records = list[dict[str, object]]


def _jsonl(path: Path, records: Records) -> Path:
    path = path.with_suffix(".jsonl")
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _csv(path: Path, records: Records) -> Path:
    path = path.with_suffix(".csv")
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(records[0]))
        writer.writerows([list(r.values()) for r in records])
    return path


def _parquet(path: Path, records: Records) -> Path:
    path = path.with_suffix(".parquet")
    names = list(records[0])
    pl.DataFrame([list(r.values()) for r in records], schema=names, orient="row").write_parquet(path)
    return path


WRITERS: dict[str, Callable[[Path, Records], Path]] = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}


def _comments(conn: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return conn.execute("SELECT comment_id, text FROM comments ORDER BY comment_id").fetchall()


def _rejects(conn: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return conn.execute("SELECT location, reason FROM rejects ORDER BY location").fetchall()


@pytest.mark.parametrize("fmt", WRITERS)
@pytest.mark.parametrize("name", ["ord", "ORD", "file_row_number"])
def test_a_column_named_like_the_readers_row_number_is_ignored(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, fmt: str, name: str
) -> None:
    records: Records = [
        {name: "x", "comment_id": "c1", "article_id": "a", "text": "first"},
        {name: "y", "comment_id": "c2", "article_id": "a", "text": None},
        {name: "z", "comment_id": "c3", "article_id": "a", "text": "third"},
    ]
    [result] = ingest(conn, [WRITERS[fmt](tmp_path / "comments", records)], ImportOptions())
    assert (result.status, result.error) == ("loaded", None)
    assert _comments(conn) == [("c1", "first"), ("c3", "third")]
    # the rows are still numbered by the reader, not by the file's column
    where = {"jsonl": "line 2", "csv": "record 2", "parquet": "row 2"}[fmt]
    assert _rejects(conn) == [(where, "comment has no text")]


def test_a_jsonl_key_ord_in_later_records_only_is_ignored(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "comments.jsonl"
    path.write_text(
        '{"comment_id": "c1", "article_id": "a", "text": "one"}\n'
        '{"comment_id": "c2", "article_id": "a", "text": "two", "ord": 7}\n'
        "not json\n"
    )
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.counts.comments) == ("loaded", 2)
    assert [location for location, _ in _rejects(conn)] == ["line 3"]


@pytest.mark.parametrize("fmt", WRITERS)
def test_names_differing_only_in_case_read_the_first_in_the_file(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, fmt: str
) -> None:
    records: Records = [
        {"comment_id": "c1", "article_id": "a", "Text": "first wins", "text": "second loses"},
        {"comment_id": "c2", "article_id": "a", "Text": "again first", "text": "again second"},
    ]
    [result] = ingest(conn, [WRITERS[fmt](tmp_path / "comments", records)], ImportOptions())
    assert (result.status, result.error) == ("loaded", None)
    assert _comments(conn) == [("c1", "first wins"), ("c2", "again first")]


def test_csv_read_row_by_row_also_reads_the_first_of_names_differing_in_case(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "comments.csv"
    # the ragged last record makes DuckDB's strict reader give up: the file is read row by row
    path.write_text("comment_id,article_id,Text,text\nc1,a,first,second\nc2,a,again first,again second\nc3,a,x,y,z\n")
    [result] = ingest(conn, [path], ImportOptions())
    assert result.status == "loaded"
    assert _comments(conn) == [("c1", "first"), ("c2", "again first")]
    assert _rejects(conn) == [("record 3", "5 fields where the header has 4")]


def test_jsonl_keys_in_capitals_are_read(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "comments.jsonl"
    path.write_text(
        '{"Comment_ID": "c1", "Article_ID": "a", "Text": "capitals"}\n'
        '{"Comment_ID": "c2", "Article_ID": "a", "Text": "again"}\n'
    )
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.error) == ("loaded", None)
    assert _comments(conn) == [("c1", "capitals"), ("c2", "again")]


def test_a_csv_whose_ragged_row_is_longer_than_the_header_keeps_its_records(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "comments.csv"
    # DuckDB's sniffer took the last line for the header: the file "loaded" with nothing in it
    path.write_text("comment_id,article_id,text\nc1,a,one\nc2,a,two\nc3,a,three,and,more\n")
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.counts.comments, result.counts.rejects) == ("loaded", 2, 1)
    assert _comments(conn) == [("c1", "one"), ("c2", "two")]
    assert _rejects(conn) == [("record 3", "5 fields where the header has 3")]


@pytest.mark.parametrize("name", ["ord", "ORD"])
def test_a_csv_read_row_by_row_ignores_a_column_named_ord(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, name: str
) -> None:
    path = tmp_path / "comments.csv"
    path.write_text(f"{name},comment_id,article_id,text\nx,c1,a,one\ny,c2,a\nz,c3,a,three\n")
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.error) == ("loaded", None)
    assert _comments(conn) == [("c1", "one"), ("c3", "three")]
    assert _rejects(conn) == [("record 2", "3 fields where the header has 4")]


def test_a_failed_file_is_told_in_one_line(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a reader that DuckDB cannot bind: its message comes with a LINE 1 / ^^^ block
    monkeypatch.setitem(scan.SQL, "read_jsonl", "SELECT row_number() OVER () AS ord, no_such_column FROM read_json($path, columns = $columns)")
    path = _jsonl(tmp_path / "comments", [{"comment_id": "c1", "article_id": "a", "text": "one"}])
    [result] = ingest(conn, [path], ImportOptions())
    assert result.status == "failed" and result.error is not None
    [(reason,)] = conn.execute("SELECT reason FROM rejects").fetchall()
    for message in (result.error, str(reason)):
        assert "\n" not in message and "LINE 1" not in message and "^" not in message
        assert "import failed and was rolled back: BinderException: Binder Error:" in message
        assert "no_such_column" in message


def _record(text: str) -> str:
    return '{"comment_id": "x", "article_id": "a", "text": ' + text + "}"


DEEP = "[" * 1001 + "]" * 1001  # with its record, 1,002 levels
TOO_DEEP = "nested deeper than 1,000 levels of objects and arrays"
# a line that is not a comment, and what its reject says
BROKEN_LINES = {
    "brackets only": ("[" * 1001, TOO_DEEP),
    "a deep text": (_record(DEEP), TOO_DEEP),
    "a deep object as text": (_record('{"a": ' * 1000 + "1" + "}" * 1000), TOO_DEEP),
    "a deep id": ('{"comment_id": ' + DEEP + ', "article_id": "a", "text": "t"}', TOO_DEEP),
    "a deep value under a key not read, no text": ('{"comment_id": "x", "article_id": "a", "body": ' + DEEP + "}", TOO_DEEP),
    "text of 1,000 levels": (_record("[" * 1000 + "]" * 1000), TOO_DEEP),
    "not JSON": ('{"comment_id": "x", ', "not valid JSON: Expecting property name enclosed in double quotes at column 21"),
    "two records on a line": (_record('"t"') + _record('"u"'), "not valid JSON: Extra data at column 52"),
    "an array": ("[1, 2]", "an array where a JSON record (object) was expected"),
    "a string": ('"hello"', "a string where a JSON record (object) was expected"),
    "null": ("null", "null where a JSON record (object) was expected"),
    "no text": ('{"comment_id": "x", "article_id": "a"}', "comment has no text"),
    "an empty record": ("{}", "comment has no text"),
    "a null text": (_record("null"), "comment has no text"),
    "an empty text": (_record('"  "'), "comment has no text"),
    "an array as text": (_record('["a"]'), "text is an array, not a string"),
    "a shallow array of 999 levels as text": (_record("[" * 998 + "]" * 998), "text is an array, not a string"),
    "an object as text": (_record('{"a": 1}'), "text is an object, not a string"),
    "a number as text": (_record("5"), "text is a number, not a string"),
    "a boolean as text": (_record("true"), "text is a boolean, not a string"),
}


@pytest.mark.parametrize("case", BROKEN_LINES)
def test_a_jsonl_line_that_is_no_comment_is_one_reject_saying_why(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, case: str
) -> None:
    line, reason = BROKEN_LINES[case]
    path = tmp_path / "comments.jsonl"
    # a blank line before it: its location is its line, not its place among the records
    path.write_text(
        '{"comment_id": "c1", "article_id": "a", "text": "before"}\n\n'
        + line
        + '\n{"comment_id": "c3", "article_id": "a", "text": "after"}\n'
    )
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.error) == ("loaded", None)
    assert _comments(conn) == [("c1", "before"), ("c3", "after")]
    assert _rejects(conn) == [("line 3", reason)]
    [(raw,)] = conn.execute("SELECT raw FROM rejects").fetchall()
    if case == "an empty text":  # judged without a look at the line: the record as read
        assert json.loads(raw)["text"] == ""
    else:  # the line as written
        assert raw == line[:2000]


# values that text alone may mistake for a broken line, which load as they are
LINES_THAT_LOAD = {
    "a text of 1,001 brackets": ('"' + "[" * 1001 + '"', "[" * 1001),
    "a text like a deep array": ('"' + DEEP + '"', DEEP),
    "a text like an array": ('"[quote] yes [/quote]"', "[quote] yes [/quote]"),
    "a text like an object": ('"{x}"', "{x}"),
    "a text like a number": ('"5"', "5"),
    "a text like a boolean": ('"true"', "true"),
}


@pytest.mark.parametrize("case", LINES_THAT_LOAD)
def test_a_jsonl_text_that_only_looks_like_another_value_loads(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, case: str
) -> None:
    value, text = LINES_THAT_LOAD[case]
    path = tmp_path / "comments.jsonl"
    path.write_text(_record(value) + "\n")
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.status, result.counts.comments, result.counts.rejects) == ("loaded", 1, 0)
    assert _comments(conn) == [("x", text)]


def test_a_wide_but_shallow_jsonl_value_loads(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "comments.jsonl"
    # 2,000 brackets, 2 levels deep: counted, then measured, then loaded
    author = "[" + ",".join(["[]"] * 2000) + "]"
    path.write_text('{"comment_id": "x", "article_id": "a", "text": "t", "author": ' + author + "}\n")
    [result] = ingest(conn, [path], ImportOptions(keep_author_names=True))
    assert (result.status, result.counts.comments, result.counts.rejects) == ("loaded", 1, 0)
    assert conn.execute("SELECT author_name FROM comments").fetchone() == (author,)


# Empty (and blank) cells, quoted and not, in every column a comment reads; the last three
# records lack text.
EMPTY_CELLS = (
    "comment_id,article_id,parent_id,author,posted_at,status,text\n"
    'c1,a,,,,,"first"\n'
    'c2,a,"","",  ,"",second\n'
    "c3,a,c1, ,2023-09-21T12:00:00Z,published,  third  \n"
    "c4,a,c1,Ann,,,\n"
    'c5,a,,"",,,""\n'
    "c6,a, , ,,,   \n"
)


def _stored(conn: duckdb.DuckDBPyConnection) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    comments = conn.execute(
        "SELECT comment_id, article_id, parent_id, author_name, posted_at, status, text FROM comments ORDER BY 1"
    ).fetchall()
    rejects = conn.execute("SELECT location, reason FROM rejects ORDER BY location").fetchall()
    return comments, rejects


def test_empty_csv_cells_read_alike_by_duckdb_and_row_by_row(tmp_path: Path) -> None:
    strict = tmp_path / "strict.csv"
    strict.write_text(EMPTY_CELLS)
    ragged = tmp_path / "ragged.csv"  # a ragged last record: DuckDB's strict reader gives up
    ragged.write_text(EMPTY_CELLS + "c7,a,x\n")
    stored = []
    for path in (strict, ragged):
        with connect(tmp_path / f"{path.stem}.duckdb") as conn:
            [result] = ingest(conn, [path], ImportOptions(keep_author_names=True))
            assert (result.status, result.error) == ("loaded", None)
            stored.append(_stored(conn))
    by_duckdb, row_by_row = stored
    assert row_by_row == (by_duckdb[0], [*by_duckdb[1], ("record 7", "3 fields where the header has 7")])
    assert by_duckdb == (
        [
            ("c1", "a", None, None, None, "published", "first"),
            ("c2", "a", None, None, None, "published", "second"),
            ("c3", "a", "c1", None, datetime(2023, 9, 21, 12, tzinfo=UTC), "published", "third"),
        ],
        [("record 4", "comment has no text"), ("record 5", "comment has no text"), ("record 6", "comment has no text")],
    )
