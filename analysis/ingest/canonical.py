"""Canonical tables: comments and articles as CSV, JSON Lines or Parquet.

Delimited files (CSV) have a header row; their columns are separated by commas, tabs (always in a
file named .tsv or .tsv.gz) or semicolons, whichever makes the header name the columns below.

Comment columns: comment_id, article_id, parent_id, author, posted_at, text (status optional:
published, deleted or spam). Article columns: article_id, url, title, published_at, body (byline
and outlet optional). Other columns are ignored. Accepted aliases are listed in COMMENT_ALIASES
and ARTICLE_ALIASES. Whether a file holds comments or articles is read from its columns. Of a
comment file's names that differ only in case ("Text", "text"), the first in the file (in JSON
Lines: in its first record) is read, the others ignored.

Comment files are read by DuckDB itself (analysis/ingest/scan.py): the parser gives one scan
that the writer runs straight into its staging table. Article files (few rows, each body cut into
passages in Python) are read here: JSON Lines in blocks of lines straight into polars, a block
with a broken line read again line by line so that only the broken lines become rejects.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from ..errors import UnreadableSource
from ..store.batches import ARTICLE_SCHEMA, PASSAGE_SCHEMA, REJECT_SCHEMA, Batch, CommentScan
from . import scan
from .formats import Format
from .inputs import MAX_RECORD_BYTES, too_deep
from .model import ParseContext, SourceFile
from .passages import body_passages, text_blocks
from .scan import EPOCH_MAX, EPOCH_MIN, JSONL_BLOCK_BYTES
from .timeparse import parse_column

COMMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "comment_id": ("comment_id", "commentid", "comment_key", "id"),
    "article_id": ("article_id", "articleid", "thread_id", "story_id", "post_id", "article"),
    "parent_id": ("parent_id", "parentid", "parent", "reply_to", "in_reply_to"),
    "author": ("author", "author_name", "username", "user_name", "user", "name"),
    "posted_at": ("posted_at", "created_at", "created", "timestamp", "date", "time"),
    "text": ("text", "comment_text", "comment", "message", "content", "body"),
    "status": ("status",),
}
ARTICLE_ALIASES: dict[str, tuple[str, ...]] = {
    "article_id": ("article_id", "articleid", "story_id", "post_id", "slug", "id"),
    "url": ("url", "link", "permalink"),
    "title": ("title", "headline"),
    "byline": ("byline", "author"),
    "outlet": ("outlet", "site", "publication"),
    "published_at": ("published_at", "published", "pubdate", "date", "created_at"),
    "body": ("body", "text", "content", "article_body"),
}
# A column that only a comment file has.
COMMENT_MARKERS = {
    "comment_id",
    "commentid",
    "comment_key",
    "parent_id",
    "parentid",
    "parent",
    "reply_to",
    "in_reply_to",
    "posted_at",
    "comment_text",
    "comment",
    "message",
}
ARTICLE_MARKERS = {"title", "headline", "url", "link", "permalink"}

BLANK_LINE = re.compile(rb"\n[ \t\r]*\n|^[ \t\r]*\n")
# The same test as BLANK_LINE.search, in two parts: the one starting with a newline is found by
# scanning for newlines (30x faster on a 32 MB block than the alternation).
_LEADING_BLANK_LINE = re.compile(rb"[ \t\r]*\n")
_INNER_BLANK_LINE = re.compile(rb"\n[ \t\r]*\n")


def _has_blank_line(block: bytes) -> bool:
    """Does `block` hold an empty (or white-space only) line? (BLANK_LINE.search, faster.)"""
    return bool(_LEADING_BLANK_LINE.match(block) or _INNER_BLANK_LINE.search(block))


@dataclass(frozen=True)
class Kind:
    name: str  # 'comments' or 'articles'
    aliases: dict[str, tuple[str, ...]]


COMMENTS = Kind("comments", COMMENT_ALIASES)
ARTICLES = Kind("articles", ARTICLE_ALIASES)


def classify(columns: list[str]) -> Kind | None:
    """Comments, articles or neither, from the column names."""
    names = {c.strip().lower() for c in columns}
    if names & COMMENT_MARKERS or ("text" in names and not names & ARTICLE_MARKERS):
        has_text = any(a in names for a in COMMENT_ALIASES["text"])
        return COMMENTS if has_text else None
    if names & ARTICLE_MARKERS and any(a in names for a in ARTICLE_ALIASES["article_id"]):
        return ARTICLES
    return None


def _canonical_columns(frame: pl.DataFrame, kind: Kind) -> pl.DataFrame:
    """One column per canonical name: the first alias present, as given (others dropped)."""
    lower = {c.strip().lower(): c for c in frame.columns}
    columns = []
    for name, aliases in kind.aliases.items():
        present = [lower[a] for a in aliases if a in lower]
        columns.append(
            pl.col(present[0]).alias(name) if present else pl.lit(None, pl.String).alias(name)
        )
    return frame.select(*columns, "location")


def _as_text(column: str, dtype: pl.DataType) -> pl.Expr:
    expr = pl.col(column)
    if dtype == pl.String:
        return expr.str.strip_chars()
    if isinstance(dtype, pl.Float32 | pl.Float64):
        # ids stored as floats by spreadsheets: 12.0 -> "12"
        return (
            pl.when(expr == expr.floor())
            .then(expr.cast(pl.Int64).cast(pl.String))
            .otherwise(expr.cast(pl.String))
        )
    return expr.cast(pl.String)


def _timestamps(column: str, dtype: pl.DataType, tz_name: str) -> pl.Expr:
    if isinstance(dtype, pl.Datetime):
        expr = pl.col(column)
        if dtype.time_zone is None:
            expr = expr.dt.replace_time_zone(tz_name, ambiguous="earliest", non_existent="null")
        return expr.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if isinstance(dtype, pl.Date):
        return (
            pl.col(column)
            .cast(pl.Datetime("us"))
            .dt.replace_time_zone(tz_name)
            .dt.convert_time_zone("UTC")
        )
    if dtype.is_numeric():
        # Seconds since 1970; anything outside 1990..2100 (milliseconds, say) is not taken as a time.
        seconds = pl.col(column).cast(pl.Float64)
        return (
            pl.when(seconds.is_between(EPOCH_MIN, EPOCH_MAX))
            .then((seconds * 1_000_000).cast(pl.Int64))
            .cast(pl.Datetime("us", "UTC"))
        )
    return parse_column(pl.col(column).cast(pl.String), tz_name)


def _raw(frame: pl.DataFrame) -> pl.Expr:
    fields = [c for c in frame.columns if c != "location"]
    return pl.struct([pl.col(c).cast(pl.String) for c in fields]).struct.json_encode()


def _rejects(frame: pl.DataFrame, checked: pl.DataFrame) -> pl.DataFrame:
    """location, reason and raw record (as JSON, from `frame`) of the rows `checked` rejects."""
    bad = checked.get_column("_reason").is_not_null()
    if not bad.any():
        return pl.DataFrame(schema=REJECT_SCHEMA)
    raw = frame.filter(bad)
    return raw.select(
        "location", checked.get_column("_reason").filter(bad).alias("reason"), _raw(raw).alias("raw")
    )


def articles_batch(frame: pl.DataFrame, tz_name: str) -> Batch:
    """Validate a frame of article records into articles and their passages."""
    frame = _canonical_columns(frame, ARTICLES)
    schema = frame.schema
    typed = frame.with_columns(
        *(
            _as_text(c, schema[c]).alias(c)
            for c in ("article_id", "url", "title", "byline", "outlet", "body")
        ),
        _timestamps("published_at", schema["published_at"], tz_name).alias("_published"),
    )
    reason = (
        pl.when(pl.col("article_id").is_null() | (pl.col("article_id") == ""))
        .then(pl.lit("article has no article_id"))
        .when(pl.col("published_at").is_not_null() & pl.col("_published").is_null())
        .then(
            pl.format(
                "unrecognised timestamp in published_at: {}", pl.col("published_at").cast(pl.String)
            )
        )
        .when(pl.col("article_id").is_first_distinct().not_())
        .then(pl.lit("article id repeats an earlier article of the file"))
    )
    checked = typed.with_columns(_reason=reason)
    good = checked.filter(pl.col("_reason").is_null())
    rejects = _rejects(frame, checked)
    articles = good.select(
        "article_id", "url", "outlet", "title", "byline", pl.col("_published").alias("published_at")
    )
    passages = []
    for article_id, title, body in good.select("article_id", "title", "body").iter_rows():
        passages.extend(body_passages(article_id, title, text_blocks(body) if body else []))
    return Batch(
        articles=articles.cast(ARTICLE_SCHEMA),  # type: ignore[arg-type]
        passages=pl.DataFrame(passages, schema=PASSAGE_SCHEMA),
        rejects=rejects.cast(REJECT_SCHEMA),  # type: ignore[arg-type]
    )


# --- JSON Lines -------------------------------------------------------------------------------


def _first_json_object(source: SourceFile) -> dict[str, object] | None:
    # the first record may be longer than the head
    raw = source.first_line(MAX_RECORD_BYTES).lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
    if not raw.startswith(b"{") or too_deep(raw):
        return None
    try:
        value = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def sniff_jsonl(source: SourceFile) -> bool:
    first = _first_json_object(source)
    return first is not None and classify(list(first)) is not None


def _jsonl_frame(
    block: bytes, first_line: int, schema: dict[str, pl.DataType]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records and rejects of one block of lines."""
    if not _has_blank_line(block):
        try:
            frame = pl.read_ndjson(io.BytesIO(block), schema=schema)
        except (pl.exceptions.ComputeError, pl.exceptions.SchemaError):
            pass
        else:
            locations = pl.int_range(first_line, first_line + frame.height, eager=True)
            return frame.with_columns(
                location=pl.lit("line ") + locations.cast(pl.String)
            ), pl.DataFrame(schema=REJECT_SCHEMA)
    good: list[bytes] = []
    good_lines: list[int] = []
    rejects: list[dict[str, str]] = []
    for offset, raw in enumerate(block.split(b"\n")):
        if not raw.strip():
            continue
        number = first_line + offset
        reason = scan.bad_json_line(raw)
        if reason:
            rejects.append(
                {
                    "location": f"line {number}",
                    "reason": reason,
                    "raw": raw.decode("utf-8", errors="backslashreplace")[:2000],
                }
            )
        else:
            good.append(raw)
            good_lines.append(number)
    frame = (
        pl.read_ndjson(io.BytesIO(b"\n".join(good)), schema=schema)
        if good
        else pl.DataFrame(schema=schema)
    )
    frame = frame.with_columns(
        location=pl.Series([f"line {n}" for n in good_lines], dtype=pl.String)
    )
    return frame, pl.DataFrame(rejects, schema=REJECT_SCHEMA)


def parse_jsonl(source: SourceFile, ctx: ParseContext) -> Iterator[Batch | CommentScan]:
    first = _first_json_object(source)
    kind = classify(list(first)) if first else None
    if kind is None:
        raise UnreadableSource(f"{source.path}: the first line is not a comment or article record")
    if kind is COMMENTS:
        yield scan.jsonl_scan(source.data_path, list(first or {}), kind.aliases, str(ctx.tz.key))
        return
    names = {alias for aliases in kind.aliases.values() for alias in aliases} | set(first or {})
    schema: dict[str, pl.DataType] = {name: pl.String() for name in sorted(names)}
    for first_line, block in scan.blocks(source.data_path, JSONL_BLOCK_BYTES):
        frame, rejects = _jsonl_frame(block, first_line, schema)
        batch = articles_batch(frame, str(ctx.tz.key))
        batch.rejects = pl.concat([rejects, batch.rejects])
        yield batch


# --- CSV --------------------------------------------------------------------------------------


# Column separators of a delimited file: the first line (the header) says which, a `.tsv` name tab.
DELIMITERS = (",", "\t", ";")
TAB_SUFFIXES = (".tsv", ".tsv.gz")


def _names_a_record(header: list[str]) -> bool:
    """Does the header name what a record needs: comment id, article id and text, or article id
    and title or url? (What a separator other than a comma must give to be taken.)"""
    names = {c.strip().lower() for c in header}
    kind = classify(header)
    if kind is ARTICLES:
        return True
    needed = ("comment_id", "article_id", "text")
    return kind is COMMENTS and all(names & set(COMMENT_ALIASES[field]) for field in needed)


def _csv_header(source: SourceFile) -> tuple[list[str], str] | None:
    """The header's names and the file's column separator: tab for a file named .tsv; else the one
    of DELIMITERS that makes the first line name comment or article columns (of several, the one
    giving the most names; a tab or semicolon only where the header then names what a record
    needs). None when no separator does."""
    first = source.head_text().split("\n", 1)[0].strip("\r")
    if first.lstrip().startswith(("{", "[", "<")):
        return None
    tab = source.path.name.lower().endswith(TAB_SUFFIXES)
    found: tuple[list[str], str] | None = None
    for delimiter in ("\t",) if tab else DELIMITERS:
        if delimiter not in first:
            continue
        header = next(csv.reader([first], delimiter=delimiter))
        named = classify(header) is not None if delimiter == "," else _names_a_record(header)
        if named and (found is None or len(header) > len(found[0])):
            found = header, delimiter
    return found


def sniff_csv(source: SourceFile) -> bool:
    return _csv_header(source) is not None


def _csv_fallback(data: bytes, delimiter: str = ",") -> tuple[pl.DataFrame, pl.DataFrame]:
    """Row-by-row read that keeps every readable record and rejects the others. An empty cell is
    null, as DuckDB's reader gives it (quoted or not)."""
    text = data.decode("utf-8", errors="surrogateescape").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    rows: list[list[str]] = []
    locations: list[str] = []
    rejects: list[dict[str, str]] = []
    for number, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        where = f"record {number}"
        raw = (
            delimiter.join(row)
            .encode("utf-8", errors="surrogateescape")
            .decode("utf-8", errors="backslashreplace")
        )
        if any(_has_surrogates(cell) for cell in row):
            rejects.append({"location": where, "reason": "not valid UTF-8", "raw": raw})
        elif len(row) != len(header):
            rejects.append(
                {
                    "location": where,
                    "reason": f"{len(row)} fields where the header has {len(header)}",
                    "raw": raw,
                }
            )
        else:
            rows.append(row)
            locations.append(where)
    frame = pl.DataFrame(rows, schema={name: pl.String for name in header}, orient="row")
    return frame.with_columns(pl.all().replace("", None), location=pl.Series(locations, dtype=pl.String)), pl.DataFrame(
        rejects, schema=REJECT_SCHEMA
    )


def _has_surrogates(cell: str) -> bool:
    try:
        cell.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_csv(source: SourceFile, ctx: ParseContext) -> Iterator[Batch | CommentScan]:
    found = _csv_header(source)
    if found is None:
        raise UnreadableSource(
            f"{source.path}: the header names no comment or article columns"
            " (columns separated by commas, tabs or semicolons)"
        )
    header, delimiter = found
    kind = classify(header)
    if kind is COMMENTS:
        yield scan.csv_scan(
            source.data_path,
            kind.aliases,
            str(ctx.tz.key),
            lambda: _csv_fallback(source.read_bytes(), delimiter),
            delimiter,
        )
        return
    data = source.read_bytes()
    try:
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8", separator=delimiter)
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError, pl.exceptions.NoDataError):
        frame, rejects = _csv_fallback(data, delimiter)
    else:
        numbers = pl.int_range(1, frame.height + 1, eager=True).cast(pl.String)
        frame = frame.with_columns(location=pl.lit("record ") + numbers)
        rejects = pl.DataFrame(schema=REJECT_SCHEMA)
    for start in range(0, max(frame.height, 1), ctx.batch_size):
        batch = articles_batch(frame.slice(start, ctx.batch_size), str(ctx.tz.key))
        if start == 0:
            batch.rejects = pl.concat([rejects, batch.rejects])
        yield batch


# --- Parquet ----------------------------------------------------------------------------------


def sniff_parquet(source: SourceFile) -> bool:
    return source.head.startswith(b"PAR1")


def parse_parquet(source: SourceFile, ctx: ParseContext) -> Iterator[Batch | CommentScan]:
    columns = scan.parquet_columns(source.data_path, source.path)
    kind = classify(list(columns))
    if kind is None:
        raise UnreadableSource(f"{source.path}: the columns name no comment or article fields")
    if kind is COMMENTS:
        yield scan.parquet_scan(source.data_path, columns, kind.aliases, str(ctx.tz.key))
        return
    import pyarrow.parquet as pq

    row = 0
    for record_batch in pq.ParquetFile(source.data_path).iter_batches(batch_size=ctx.batch_size):
        frame = pl.from_arrow(record_batch)
        assert isinstance(frame, pl.DataFrame)
        locations = pl.int_range(row + 1, row + frame.height + 1, eager=True).cast(pl.String)
        row += frame.height
        yield articles_batch(frame.with_columns(location=pl.lit("row ") + locations), str(ctx.tz.key))


FORMATS = [
    Format("parquet", "comments or articles as a Parquet table", sniff_parquet, parse_parquet),
    Format(
        "jsonl", "comments or articles as JSON Lines, one record per line", sniff_jsonl, parse_jsonl
    ),
    Format(
        "csv",
        "comments or articles as CSV with a header row (or tab- or semicolon-separated)",
        sniff_csv,
        parse_csv,
    ),
]
