"""The comments a scoring run works on: chosen into a temporary table, read back in batches.

`select_pending` (or `select_retag`, after `scores.prepare_retag`) fills the temporary table
`_rp_pending` with comment keys; `pending_batches` streams those comments as polars frames and
`pending_passages` gives their articles' passages; `drop_pending` removes the table.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

import duckdb
import polars as pl
import pyarrow as pa

from ..text import SCORED_CHARS
from .db import statement

_PENDING = statement("pending")
_ALL_PUBLISHED = "CREATE OR REPLACE TEMP TABLE _rp_pending AS SELECT comment_pk FROM comments WHERE status = 'published'"
_RETAG_PENDING = statement("retag_pending")
_COUNT = "SELECT count(*) FROM _rp_pending"
_DROP = "DROP TABLE IF EXISTS _rp_pending"
# Texts are cut at SCORED_CHARS characters: a longer comment is scored on its first part.
_COMMENTS = statement("pending_comments")
_COMMENTS_WITH_VADER = statement("pending_comments_vader")
_PASSAGES = statement("pending_passages")


def select_pending(conn: duckdb.DuckDBPyConnection, scorers: Sequence[str], everything: bool = False) -> int:
    """Fill temp table _rp_pending with published comments one of `scorers` has not seen (with
    `everything`: all published comments); return how many."""
    if everything:
        conn.execute(_ALL_PUBLISHED)
        return int(conn.execute(_COUNT).fetchall()[0][0])
    conn.execute(_PENDING, {"scorers": list(scorers), "n": len(scorers)})
    return int(conn.execute(_COUNT).fetchall()[0][0])


def select_retag(conn: duckdb.DuckDBPyConnection, runs: Sequence[int]) -> None:
    """Fill _rp_pending with the published comments of `scores.prepare_retag` marked by `runs`."""
    conn.execute(_RETAG_PENDING, [list(runs)]).fetchall()


def drop_pending(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(_DROP)


def pending_passages(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The passages (article_id, passage_no, kind, text) of the pending comments' articles."""
    passages: pl.DataFrame = conn.sql(_PASSAGES).pl()
    return passages


def pending_batches(
    conn: duckdb.DuckDBPyConnection, size: int, with_vader: bool = False
) -> Generator[pl.DataFrame, None, None]:
    """The pending comments (comment_pk, article_id, text, parent_text) in batches of `size`;
    `with_vader`: also their stored VADER scores (neg, neu, pos, compound; null if not scored).

    One query, streamed: its Arrow record batches are gathered into batches of `size` rows.
    The rows come in no particular order: sorting them would hold every pending text in memory
    at once (scores are per comment, and each batch commits its comments' scores and marks
    together, so any order gives the same database). The stream owns `conn` until it ends or
    the generator is closed.
    """
    query = _COMMENTS_WITH_VADER if with_vader else _COMMENTS
    reader = conn.sql(query, params=[SCORED_CHARS, SCORED_CHARS]).to_arrow_reader(size)
    try:
        waiting: list[pa.RecordBatch] = []
        rows = 0
        for record_batch in reader:
            waiting.append(record_batch)
            rows += record_batch.num_rows
            while rows >= size:
                table = pa.Table.from_batches(waiting)
                yield _frame(table.slice(0, size))
                rest = table.slice(size)
                waiting, rows = rest.to_batches(), rest.num_rows
        if rows:
            yield _frame(pa.Table.from_batches(waiting))
    finally:
        reader.close()


def _frame(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table, rechunk=True)
    assert isinstance(frame, pl.DataFrame)
    return frame
