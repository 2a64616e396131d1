"""What every record must satisfy, whatever its format, before it reaches the database.

- A date outside the window (before 1990-01-01, or more than a day after the import runs) rejects
  its comment or article: such a date is an error of the export, and one would stretch every
  report's range (a comment "posted" in 9999 would be the latest week forever).
- A comment longer than `text.SCORED_CHARS` characters is stored whole, but scored on its first
  part only; a note in the rejects table says so.

The writer binds `sql_params` to every `CommentScan` (whose SELECT checks the dates in SQL) and
writes the notes on long comments it staged; ingest holds each parsed `Batch` to the bounds with
`bound_batch` before handing it over.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from ..text import SCORED_CHARS
from .batches import REJECT_SCHEMA, Batch

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
RAW_CHARS = 2000
# The reasons, as format strings for polars' pl.format (and DuckDB's format(), which reads {} alike).
DATE_REASON = (
    f"{{}} {{}} is outside the accepted dates (from {EARLIEST:%Y-%m-%d} to a day after the import); "
    "{} skipped"
)
LONG_REASON = (
    "truncated for scoring: the comment is {} characters long, over the limit of "
    f"{SCORED_CHARS:,}; it is loaded whole and scored on its first {SCORED_CHARS:,} characters"
)


def sql_params(now: datetime | None = None) -> dict[str, object]:
    """The bounds as the parameters of a scan's checks in SQL ($earliest, $latest, $date_reason)."""
    return {
        "earliest": EARLIEST,
        "latest": (now or datetime.now(UTC)) + FUTURE_SLACK,
        "date_reason": DATE_REASON,
    }


def bound_batch(batch: Batch, now: datetime | None = None) -> Batch:
    """`batch` without the records dated outside the window (now rejects), with notes on long
    comments."""
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    comments, comment_rejects = _split_dated(batch.comments, "posted_at", "comment", latest)
    articles, article_rejects = _split_dated(batch.articles, "published_at", "article", latest)
    passages = batch.passages
    if article_rejects.height:
        gone = batch.articles.join(articles, on="article_id", how="anti").select("article_id")
        passages = passages.join(gone, on="article_id", how="anti")
    rejects = [batch.rejects, comment_rejects, article_rejects, _long_comments(comments)]
    return Batch(
        articles=articles,
        passages=passages,
        comments=comments,
        rejects=pl.concat([frame for frame in rejects if frame.height] or [batch.rejects]),
    )


def _split_dated(
    frame: pl.DataFrame, column: str, what: str, latest: datetime
) -> tuple[pl.DataFrame, pl.DataFrame]:
    when = pl.col(column)
    outside = when.is_not_null() & ~when.is_between(pl.lit(EARLIEST), pl.lit(latest))
    if not frame.height or not frame.select(outside.any()).item():
        return frame, pl.DataFrame(schema=REJECT_SCHEMA)
    bad = frame.filter(outside)
    if "location" in bad.columns:
        location = pl.col("location")
    else:
        location = pl.format(f"{what} {{}}", pl.col("article_id"))
    fields = [c for c in bad.columns if c != "location"]
    rejects = bad.select(
        location.fill_null(what).alias("location"),
        pl.format(DATE_REASON, pl.lit(column), when.dt.strftime("%Y-%m-%d %H:%M:%S"), pl.lit(what)).alias(
            "reason"
        ),
        pl.struct([pl.col(c).cast(pl.String) for c in fields])
        .struct.json_encode()
        .str.slice(0, RAW_CHARS)
        .alias("raw"),
    )
    return frame.filter(~outside), rejects


def _long_comments(comments: pl.DataFrame) -> pl.DataFrame:
    """A note for every comment over SCORED_CHARS characters (it is kept)."""
    if not comments.height:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    long = comments.filter(pl.col("text").str.len_bytes() > SCORED_CHARS)
    long = long.with_columns(chars=pl.col("text").str.len_chars()).filter(pl.col("chars") > SCORED_CHARS)
    if not long.height:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    return long.select(
        "location",
        pl.format(LONG_REASON, pl.col("chars")).alias("reason"),
        pl.col("text").str.slice(0, RAW_CHARS).alias("raw"),
    )
