"""What an import hands the store: the frames of a `Batch`, or a `CommentScan` that DuckDB runs.

These are the store's terms: ingest turns every source format into them (its parsers give
batches, held to bounds.py first; ingest/scan.py makes the scans) and `writer.FileWriter` writes
them, one file at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

UTC_DATETIME = pl.Datetime("us", "UTC")

ARTICLE_SCHEMA: dict[str, Any] = {
    "article_id": pl.String,
    "url": pl.String,
    "outlet": pl.String,
    "title": pl.String,
    "byline": pl.String,
    "published_at": UTC_DATETIME,
}
PASSAGE_SCHEMA: dict[str, Any] = {
    "article_id": pl.String,
    "passage_no": pl.Int32,
    "kind": pl.String,
    "heading": pl.String,
    "text": pl.String,
}
COMMENT_SCHEMA: dict[str, Any] = {
    "article_id": pl.String,
    "comment_id": pl.String,
    "parent_id": pl.String,
    "author": pl.String,
    "posted_at": UTC_DATETIME,
    "text": pl.String,
    "status": pl.String,
    # where the record stood in its file, for rejects found after parsing (e.g. duplicate ids)
    "location": pl.String,
}
REJECT_SCHEMA: dict[str, Any] = {
    "location": pl.String,
    "reason": pl.String,
    "raw": pl.String,
}
# what a scan's `locate` gives for the ordinals of the records it is asked about
LOCATE_SCHEMA: dict[str, Any] = {"ord": pl.Int64, "location": pl.String, "reason": pl.String, "raw": pl.String}

COMMENT_STATUSES = ("published", "deleted", "spam")
PASSAGE_KINDS = (
    "title",
    "heading",
    "paragraph",
    "bullet",
    "faq_question",
    "faq_answer",
    "narrative",
)


@dataclass
class Batch:
    """One chunk of parsed records. Any frame may be empty."""

    articles: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ARTICLE_SCHEMA))
    passages: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PASSAGE_SCHEMA))
    comments: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=COMMENT_SCHEMA))
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECT_SCHEMA))


@dataclass
class CommentScan:
    """Comment records that DuckDB reads from the file itself.

    `select` (with `params` bound, and the date window of bounds.sql_params) gives the staging
    columns of the writer's `_rp_stage` (sql/stage.sql), naive times read in the session's
    TimeZone (the writer sets it to `tz` while it runs). `frame`, when set, is registered as
    `_rp_scan_frame` for the SELECT to read. `locate(ords)` gives the real location, reason (NULL:
    keep the SELECT's) and raw text of the records with those ordinals (LOCATE_SCHEMA): the writer
    asks it for the records the SELECT marks `recheck`, then for every other rejected one.
    """

    select: str
    params: dict[str, object]
    tz: str
    frame: pl.DataFrame | None = None
    rejects: pl.DataFrame | None = None  # records the reader itself rejected (REJECT_SCHEMA)
    locate: Callable[[list[int]], pl.DataFrame] | None = field(default=None, repr=False)


Item = Batch | CommentScan  # what a parser gives: parsed rows, or a file DuckDB reads itself
