"""Canonical comment files read by DuckDB's own readers: JSON Lines, CSV and Parquet.

A file becomes a `CommentScan` (store/batches.py): one SELECT over `read_json`, `read_csv` or
`read_parquet` that maps the file's columns (any alias) onto the canonical ones, types them in SQL
and checks every record (sql/check_comments.sql). The writer runs it once, straight into its
staging table: no row passes through Python. The rare records DuckDB cannot read are explained afterwards:

* JSON Lines: `read_json(..., ignore_errors=true)` gives a broken line as a row of NULLs, one row
  per non-blank line, every value as text. The SELECT marks for a second look (`recheck`) the
  records that text alone cannot judge: no text (a broken line, or one whose text is nested too
  deep under a key not read), a value that may nest deeper than MAX_JSON_DEPTH, a text that may be
  an array, object, number or boolean rather than a string. `locate` reads the file once to give
  those lines their reason (`line_reason`), and every rejected row its line (a row's ordinal is
  its line number unless blank lines came before it) and text.
* CSV: a file that DuckDB's strict reader cannot read whole (ragged rows, bad UTF-8) is read row by
  row in Python instead (canonical._csv_fallback), which keeps every readable record.

Every reader takes a path: a decoded or decompressed copy of an input can be handed over as one.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from ..errors import UnreadableSource, one_line
from ..store.batches import LOCATE_SCHEMA, CommentScan
from .inputs import MAX_JSON_DEPTH, too_deep

# Numbers taken for times: seconds since 1970 from 1990-01-01 to 2100-01-01 (not milliseconds).
EPOCH_MIN, EPOCH_MAX = 631_152_000, 4_102_444_800


def _template(name: str) -> str:
    """sql/NAME.sql without its comment lines (they describe the {placeholders} they would fill)."""
    text = resources.files(__package__ or __name__).joinpath("sql", f"{name}.sql").read_text("utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


# SQL templates: their {placeholders} take SQL made here from quoted identifiers and fixed text;
# values (paths, column lists) are bound parameters.
SQL = {
    name: _template(name)
    for name in ("check_comments", "typed", "read_jsonl", "read_csv", "read_parquet", "frame", "count", "describe")
}
ORD = "ord"  # the readers' row number (sql/read_*.sql): a column of the file so named is not read
CANONICAL = ("article_id", "comment_id", "parent_id", "author", "posted_at", "text", "status")
JSONL_BLOCK_BYTES = 32 * 1024 * 1024  # JSON Lines read a block of lines at a time (here and canonical.py)


def ident(name: str) -> str:
    """A column name of the file as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def readable_names(names: Iterable[str]) -> list[str]:
    """The columns to read, in order: of names that differ only in case (which DuckDB's readers
    cannot take side by side) the first; none named `ord` or `location` in any case (the columns
    the readers add; no alias has those names)."""
    seen = {ORD, "location"}
    kept = []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            kept.append(name)
    return kept


def _is_float(dtype: str) -> bool:
    return dtype in ("DOUBLE", "FLOAT", "REAL") or dtype.startswith("DECIMAL")


def _is_number(dtype: str) -> bool:
    return _is_float(dtype) or dtype in (
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
    )


_SPACE = "chr(32) || chr(9) || chr(10) || chr(13)"


def _trimmed(col: str, long: bool = False) -> str:
    """SQL for text without white space (space, tab, line ends) at either end. A `long` text is
    trimmed only where an end is white space: trim() copies every value it returns, cheap for short
    ones (ids, names, times) but not for every comment's text."""
    if not long:
        return f"trim({col}, {_SPACE})"
    ends = " OR ".join(f"starts_with({col}, chr({c})) OR ends_with({col}, chr({c}))" for c in (32, 9, 10, 13))
    return f"CASE WHEN {ends} THEN trim({col}, {_SPACE}) ELSE {col} END"


def _text(column: str, dtype: str, long: bool = False) -> str:
    """SQL for a column as trimmed text; whole floats (spreadsheet ids, 12.0) without the '.0'."""
    col = ident(column)
    if dtype == "VARCHAR":
        return _trimmed(col, long)
    if _is_float(dtype):
        return (
            f"CASE WHEN {col} = floor({col}) THEN CAST(CAST({col} AS HUGEINT) AS VARCHAR)"
            f" ELSE CAST({col} AS VARCHAR) END"
        )
    return f"CAST({col} AS VARCHAR)"


def _time(column: str, dtype: str) -> str:
    """SQL for a column as TIMESTAMPTZ: ISO 8601 text (naive ones in the session's zone), seconds
    since 1970 (9 to 11 digits as text; a number between 1990 and 2100), native times."""
    col = ident(column)
    if dtype == "VARCHAR":
        return (
            f"coalesce(TRY_CAST({_trimmed(col)} AS TIMESTAMPTZ), CASE WHEN regexp_full_match({col},"
            f" '\\s*\\d{{9,11}}(\\.\\d+)?\\s*') THEN to_timestamp(TRY_CAST({_trimmed(col)} AS DOUBLE)) END)"
        )
    if dtype.startswith(("TIMESTAMP", "DATE")):
        return f"CAST({col} AS TIMESTAMPTZ)"
    if _is_number(dtype):
        return (
            f"CASE WHEN CAST({col} AS DOUBLE) BETWEEN {EPOCH_MIN} AND {EPOCH_MAX}"
            f" THEN to_timestamp(CAST({col} AS DOUBLE)) END"
        )
    return "CAST(NULL AS TIMESTAMPTZ)"


def _coalesce(parts: list[str], null: str = "CAST(NULL AS VARCHAR)") -> str:
    if not parts:
        return null
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def typed_select(
    columns: dict[str, str],
    aliases: dict[str, tuple[str, ...]],
    source: str,
    location: str,
    recheck: str = "false",
) -> str:
    """The SELECT for sql/check_comments.sql over `source` (a subquery with `ord` and the file's
    `columns`, name -> DuckDB type). A canonical column is the first of its aliases present
    (case and surrounding spaces ignored) that has a value in the record. `recheck` is SQL saying
    which records `CommentScan.locate` is to judge again from the file."""
    by_alias: dict[str, list[str]] = {}
    for name in columns:
        by_alias.setdefault(name.strip().lower(), []).append(name)
    exprs = []
    for canonical in CANONICAL:
        present = [name for alias in aliases.get(canonical, ()) for name in by_alias.get(alias, [])]
        if canonical == "posted_at":
            exprs.append(
                _coalesce([_time(n, columns[n]) for n in present], "CAST(NULL AS TIMESTAMPTZ)") + " AS posted_at"
            )
            # as written, trimmed; a blank one is no time, as an absent one
            written = [f"nullif({_trimmed(f'CAST({ident(n)} AS VARCHAR)')}, '')" for n in present]
            exprs.append(_coalesce(written) + " AS posted_text")
        else:
            long = canonical == "text"
            exprs.append(_coalesce([_text(n, columns[n], long) for n in present]) + f" AS {canonical}")
    return SQL["typed"].format(location=location, columns=", ".join(exprs), recheck=recheck, source=source)


def _checked(typed: str) -> str:
    return SQL["check_comments"].format(typed=typed)


def _describe(probe: duckdb.DuckDBPyConnection, source: str, params: dict[str, object]) -> dict[str, str]:
    """Column names and DuckDB types of a reader's output."""
    rows = probe.execute(SQL["describe"].format(source=source), params).fetchall()
    return {str(name): str(dtype) for name, dtype, *_ in rows if name != ORD}


# --- JSON Lines -----------------------------------------------------------------------------------


def jsonl_scan(path: Path, first_keys: Iterable[str], aliases: dict[str, tuple[str, ...]], tz: str) -> CommentScan:
    # the first record's keys say which aliases the file uses; the canonical names are always read
    names = readable_names([*first_keys, *aliases])
    columns = {name: "VARCHAR" for name in names}
    source = SQL["read_jsonl"]
    # the keys the text is taken from, in the order typed_select tries them
    text_keys = [name for alias in aliases["text"] for name in names if name.strip().lower() == alias]
    text = _coalesce([ident(n) for n in text_keys])
    recheck = " OR ".join([f"({text}) IS NULL", _maybe_not_string(text), *(_nested_deep(ident(n)) for n in names)])
    typed = typed_select(columns, aliases, source, "'line ' || ord", recheck)
    return CommentScan(
        select=_checked(typed),
        params={"path": str(path), "columns": columns},
        tz=tz,
        locate=lambda ords: locate_lines(path, ords, text_keys),
    )


def _nested_deep(col: str) -> str:
    """SQL: might this value (a JSON array or object as text) nest deeper than MAX_JSON_DEPTH
    levels within its record? As `inputs.too_deep`, it counts brackets (strings not told apart):
    the line of such a value is measured again."""
    brackets = f"length({col}) - length(replace(replace({col}, '[', ''), '{{', ''))"
    return f"coalesce((starts_with({col}, '[') OR starts_with({col}, '{{')) AND {brackets} >= {MAX_JSON_DEPTH}, false)"


def _maybe_not_string(col: str) -> str:
    """SQL: might this text, as read_json gives it, be a JSON array, object, number or boolean
    rather than a string? (Both read alike as text: the line tells them apart.)"""
    return (
        f"coalesce((starts_with({col}, '[') AND ends_with({col}, ']'))"
        f" OR (starts_with({col}, '{{') AND ends_with({col}, '}}'))"
        f" OR {col} IN ('true', 'false')"
        f" OR (strlen({col}) <= 32 AND TRY_CAST({col} AS DOUBLE) IS NOT NULL), false)"
    )


def blocks(path: Path, block_bytes: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(number of the block's first line, block) of the blocks that are not blank, each ending at
    a line end: `block_bytes` read at once and the rest of its last line (one copy of the data).
    A byte-order mark at the start is not part of the first line."""
    line_no = 1
    with path.open("rb") as fh:
        while chunk := fh.read(block_bytes or JSONL_BLOCK_BYTES):
            if not chunk.endswith(b"\n"):
                chunk += fh.readline()
            if line_no == 1:
                chunk = chunk.removeprefix(b"\xef\xbb\xbf")
            if chunk.strip():
                yield line_no, chunk
            line_no += chunk.count(b"\n")


def lines(path: Path, block_bytes: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of the non-blank lines, read a block at a time (`blocks`)."""
    for first, block in blocks(path, block_bytes):
        for offset, raw in enumerate(block.split(b"\n")):
            if raw.strip():
                yield first + offset, raw


_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def json_kind(value: object) -> str:
    """What a parsed JSON value is, in JSON's own words ('an array', 'null')."""
    return "null" if value is None else _JSON_KINDS.get(type(value), type(value).__name__)


def _json_record(raw: bytes) -> tuple[dict[str, object] | None, str | None]:
    """The line as a JSON record, or why it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {exc.start + 1} of the line)"
    deep = f"nested deeper than {MAX_JSON_DEPTH:,} levels of objects and arrays"
    if too_deep(raw):
        return None, deep
    try:
        value = _loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(value, dict):
        return None, f"{json_kind(value)} where a JSON record (object) was expected"
    return value, None


def _loads(text: str) -> object:
    """json.loads of a text nested at most MAX_JSON_DEPTH deep (`too_deep` says so first).
    Python's parser stops near its recursion limit (about 1,000 frames, some already in use): a
    text it cannot parse so is parsed again with that limit raised by the depth allowed."""
    try:
        return json.loads(text)
    except RecursionError:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(limit + 2 * MAX_JSON_DEPTH)
        try:
            return json.loads(text)
        finally:
            sys.setrecursionlimit(limit)


def bad_json_line(raw: bytes) -> str | None:
    """Why a line is not a JSON record, or None when it is one."""
    return _json_record(raw)[1]


def line_reason(raw: bytes, text_keys: Iterable[str] = ()) -> str | None:
    """Why a line is not a comment record that text alone could not say: it is not a JSON record,
    or its text (the first of `text_keys` that is not null) is not a string. None otherwise."""
    record, reason = _json_record(raw)
    if record is None:
        return reason
    text = next((record[key] for key in text_keys if record.get(key) is not None), None)
    if text is not None and not isinstance(text, str):
        return f"text is {json_kind(text)}, not a string"
    return None


def locate_lines(path: Path, ords: list[int], text_keys: Iterable[str] = ()) -> pl.DataFrame:
    """Line number, reason (`line_reason`, or NULL) and text of the ords-th non-blank lines: what
    `read_json` reads as its ords-th rows."""
    wanted = sorted(set(ords))
    found: list[tuple[int, str, str | None, str]] = []
    if not wanted:
        return pl.DataFrame(schema=LOCATE_SCHEMA)
    keys = list(text_keys)
    position = 0
    for ordinal, (line_no, raw) in enumerate(lines(path), start=1):
        if ordinal == wanted[position]:
            text = raw.decode("utf-8", errors="backslashreplace")[:2000]
            found.append((ordinal, f"line {line_no}", line_reason(raw, keys), text))
            position += 1
            if position == len(wanted):
                break
    return pl.DataFrame(found, schema=LOCATE_SCHEMA, orient="row")


# --- CSV ------------------------------------------------------------------------------------------

def csv_scan(
    path: Path,
    aliases: dict[str, tuple[str, ...]],
    tz: str,
    fallback: Callable[[], tuple[pl.DataFrame, pl.DataFrame]],
    delimiter: str = ",",
) -> CommentScan:
    """DuckDB's CSV reader (columns separated by `delimiter`) when it reads the whole file; else
    `fallback`'s records (every column text, an empty cell null as DuckDB reads it, plus `location`)
    and rejects, read row by row."""
    params: dict[str, object] = {"path": str(path), "delimiter": delimiter}
    source = SQL["read_csv"]
    try:
        with duckdb.connect() as probe:
            columns = _describe(probe, source, params)
            probe.execute(SQL["count"].format(source=source), params).fetchall()
    except duckdb.Error:
        frame, rejects = fallback()
        names = readable_names(name for name in frame.columns if name != "location")
        frame = frame.select(*names, "location").with_row_index(ORD, 1)
        typed = typed_select({name: "VARCHAR" for name in names}, aliases, SQL["frame"], "location")
        return CommentScan(_checked(typed), {}, tz, frame=frame, rejects=rejects)
    return CommentScan(_checked(typed_select(columns, aliases, source, "'record ' || ord")), params, tz)


# --- Parquet --------------------------------------------------------------------------------------


def parquet_columns(path: Path, name: Path) -> dict[str, str]:
    """The columns of the Parquet table at `path` (the file `name`, or its unpacked copy)."""
    try:
        with duckdb.connect() as probe:
            return _describe(probe, SQL["read_parquet"], {"path": str(path)})
    except duckdb.Error as exc:
        raise UnreadableSource(f"{name}: not a readable Parquet file ({one_line(exc)})") from exc


def parquet_scan(path: Path, columns: dict[str, str], aliases: dict[str, tuple[str, ...]], tz: str) -> CommentScan:
    typed = typed_select(columns, aliases, SQL["read_parquet"], "'row ' || ord")
    return CommentScan(_checked(typed), {"path": str(path)}, tz)
