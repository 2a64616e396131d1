"""Every write of scoring: scoring runs, each batch's scores, re-tags after a taxonomy edit, clean-ups.

A batch's scores arrive as polars frames shaped like the score tables; each is registered once
and inserted with INSERT ... BY NAME SELECT, in the transaction that deletes the batch's old rows
of the same scorers and marks the batch scored by their runs (`scored`): stopped at any moment,
every comment has its old scores or its new ones. A run is one `scoring_runs` row per scorer,
started before its first batch and finished after its last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from .db import registered, statement, transaction

# The tables each scorer's rows go to, by the scorer's name as stored in scoring_runs.scorer.
TABLES_OF = {
    "sentiment": ("sentiment", "sentence_sentiment"),
    "topics": ("topic_hits",),
    "skepticism": ("skepticism",),
    "tone": ("tone",),
    "links": ("passage_links",),
}
SCORE_TABLES = tuple(table for tables in TABLES_OF.values() for table in tables)
# Statements spelled out per table: no SQL is assembled from strings.
_CLEAR_ALL = {
    "sentiment": "DELETE FROM sentiment",
    "sentence_sentiment": "DELETE FROM sentence_sentiment",
    "topic_hits": "DELETE FROM topic_hits",
    "skepticism": "DELETE FROM skepticism",
    "tone": "DELETE FROM tone",
    "passage_links": "DELETE FROM passage_links",
}
_CLEAR_BATCH = {
    "sentiment": "DELETE FROM sentiment WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
    "sentence_sentiment": "DELETE FROM sentence_sentiment WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
    "topic_hits": "DELETE FROM topic_hits WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
    "skepticism": "DELETE FROM skepticism WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
    "tone": "DELETE FROM tone WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
    "passage_links": "DELETE FROM passage_links WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
}
# After `--all`: the rows of comments the new run did not score (no longer published), and the
# marks of older runs. Parameters: the scorer and its new run.
_CLEAR_STALE = {
    "sentiment": "DELETE FROM sentiment WHERE comment_pk NOT IN (SELECT comment_pk FROM scored WHERE scorer = ? AND run_id = ?)",
    "sentence_sentiment": (
        "DELETE FROM sentence_sentiment WHERE comment_pk NOT IN (SELECT comment_pk FROM scored WHERE scorer = ? AND run_id = ?)"
    ),
    "topic_hits": "DELETE FROM topic_hits WHERE comment_pk NOT IN (SELECT comment_pk FROM scored WHERE scorer = ? AND run_id = ?)",
    "skepticism": "DELETE FROM skepticism WHERE comment_pk NOT IN (SELECT comment_pk FROM scored WHERE scorer = ? AND run_id = ?)",
    "tone": "DELETE FROM tone WHERE comment_pk NOT IN (SELECT comment_pk FROM scored WHERE scorer = ? AND run_id = ?)",
    "passage_links": "DELETE FROM passage_links WHERE comment_pk NOT IN (SELECT comment_pk FROM scored WHERE scorer = ? AND run_id = ?)",
}
_CLEAR_STALE_MARKS = "DELETE FROM scored WHERE scorer = ? AND run_id <> ?"
_CLEAR_SCORED_ALL = "DELETE FROM scored WHERE scorer = ?"
_CLEAR_SCORED_BATCH = "DELETE FROM scored WHERE scorer = ? AND comment_pk IN (SELECT comment_pk FROM _rp_batch)"
_INSERT = {
    "sentiment": "INSERT INTO sentiment BY NAME SELECT * FROM _rp_frame",
    "sentence_sentiment": "INSERT INTO sentence_sentiment BY NAME SELECT * FROM _rp_frame",
    "topic_hits": "INSERT INTO topic_hits BY NAME SELECT * FROM _rp_frame",
    "skepticism": "INSERT INTO skepticism BY NAME SELECT * FROM _rp_frame",
    "tone": "INSERT INTO tone BY NAME SELECT * FROM _rp_frame",
    "passage_links": "INSERT INTO passage_links BY NAME SELECT * FROM _rp_frame",
    "scored": "INSERT INTO scored BY NAME SELECT * FROM _rp_frame",
}
_NEXT_RUN = "SELECT nextval('scoring_run_seq')"
_START_RUN = statement("start_run")
_DEFINE_TOPICS = "INSERT INTO topic_definitions SELECT ?, unnest(?), unnest(?)"
_FINISH_RUN = "UPDATE scoring_runs SET finished_at = now(), n_comments = ? WHERE run_id = ?"
_STORED_TOPICS = "SELECT topic, label, description FROM topics ORDER BY topic"
# A taxonomy edit: the hits of topics that are gone, and their definitions (a topic put back
# later is new to every run).
_CLEAR_TOPICS_GONE = "DELETE FROM topic_hits WHERE NOT list_contains(?, topic)"
_FORGET_TOPICS_GONE = "DELETE FROM topic_definitions WHERE NOT list_contains(?, topic)"
_RETAG_MARKED = statement("retag_marked")
_CLEAR_UNPUBLISHED_HITS = "DELETE FROM topic_hits WHERE comment_pk IN (SELECT comment_pk FROM _rp_marked WHERE NOT published)"
_CLEAR_UNPUBLISHED_MARKS = (
    "DELETE FROM scored WHERE scorer = ? AND comment_pk IN (SELECT comment_pk FROM _rp_marked WHERE NOT published)"
)
_RETAG_COUNT = "SELECT count(*) FROM _rp_marked WHERE published"
_CLEAR_BATCH_TOPICS = (
    "DELETE FROM topic_hits WHERE list_contains(?, topic) AND comment_pk IN (SELECT comment_pk FROM _rp_batch)"
)
_REMARK_BATCH = "UPDATE scored SET run_id = ? WHERE scorer = ? AND comment_pk IN (SELECT comment_pk FROM _rp_batch)"
_DROP_MARKED = "DROP TABLE IF EXISTS _rp_marked"


@dataclass(frozen=True)
class ScorerConfig:
    """What identifies the scores a scorer produces: recorded in scoring_runs."""

    scorer: str
    version: str
    lexicon_hash: str | None
    taxonomy_hash: str | None
    model_sha256: str | None = None


@dataclass(frozen=True)
class TopicDefinitions:
    """The taxonomy a topics run tags with: its topics (topic, label, description) and each
    topic's fingerprint, in the taxonomy's order."""

    scorer: str  # the scorer whose run the definitions belong to
    topics: pl.DataFrame
    fingerprints: Mapping[str, str]


def start_runs(
    conn: duckdb.DuckDBPyConnection, configs: Sequence[ScorerConfig], definitions: TopicDefinitions | None = None
) -> dict[str, int]:
    """Start one run per scorer, in one transaction; with `definitions` (when its scorer is one
    of `configs`), replace the `topics` table and record the topics run's definitions."""
    runs = {}
    with transaction(conn):
        for config in configs:
            row = conn.execute(_NEXT_RUN).fetchone()
            assert row is not None
            runs[config.scorer] = int(row[0])
            conn.execute(
                _START_RUN,
                [runs[config.scorer], config.scorer, config.version, config.lexicon_hash, config.taxonomy_hash,
                 config.model_sha256],
            )
        if definitions is not None and definitions.scorer in runs:
            _write_topics(conn, definitions.topics)
            conn.execute(
                _DEFINE_TOPICS,
                [runs[definitions.scorer], list(definitions.fingerprints), list(definitions.fingerprints.values())],
            )
    return runs


def finish_runs(conn: duckdb.DuckDBPyConnection, runs: Mapping[str, int], n_comments: int) -> None:
    """Record that `runs` ended, having scored `n_comments`."""
    for run_id in runs.values():
        conn.execute(_FINISH_RUN, [n_comments, run_id])


def _insert(conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    conn.register("_rp_frame", frame)
    try:
        conn.execute(_INSERT[table])
    finally:
        conn.unregister("_rp_frame")


def write_batch(
    conn: duckdb.DuckDBPyConnection,
    comment_pks: pl.DataFrame,
    tables: Mapping[str, pl.DataFrame],
    runs: Mapping[str, int],
) -> None:
    """Replace the scores of the scorers in `runs` of the batch's comments (`comment_pks`) with
    `tables` (rows per score table), in one transaction, and mark the batch scored by `runs`."""
    seen = pl.concat(
        [
            comment_pks.select("comment_pk", scorer=pl.lit(name), run_id=pl.lit(run_id, pl.Int32))
            for name, run_id in runs.items()
        ]
    )
    with transaction(conn):
        with registered(conn, "_rp_batch", comment_pks.select("comment_pk")):
            for name in runs:
                for table in TABLES_OF[name]:
                    conn.execute(_CLEAR_BATCH[table])
                conn.execute(_CLEAR_SCORED_BATCH, [name])
        for table, frame in tables.items():
            _insert(conn, table, frame)
        _insert(conn, "scored", seen)


def clear_scores(conn: duckdb.DuckDBPyConnection, scorers: Sequence[str]) -> None:
    """Delete every score and mark of `scorers`, in one transaction."""
    with transaction(conn):
        for name in scorers:
            for table in TABLES_OF[name]:
                conn.execute(_CLEAR_ALL[table])
            conn.execute(_CLEAR_SCORED_ALL, [name])


def drop_stale(conn: duckdb.DuckDBPyConnection, runs: Mapping[str, int]) -> None:
    """After every published comment was scored again by `runs`: drop the rows those runs did
    not replace (comments no longer published) and the older runs' marks, in one transaction."""
    with transaction(conn):
        for name, run_id in runs.items():
            for table in TABLES_OF[name]:
                conn.execute(_CLEAR_STALE[table], [name, run_id])
            conn.execute(_CLEAR_STALE_MARKS, [name, run_id])


def _write_topics(conn: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> None:
    """Replace the `topics` table with `frame` (in the caller's transaction)."""
    conn.register("_rp_topics", frame)
    conn.execute("DELETE FROM topics")
    conn.execute("INSERT INTO topics BY NAME SELECT * FROM _rp_topics")
    conn.unregister("_rp_topics")


def refresh_topics(conn: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> None:
    """Bring the `topics` table (labels, descriptions) up to `frame`, if it was scored with."""
    stored = conn.execute(_STORED_TOPICS).fetchall()
    if not stored or stored == sorted(frame.rows()):
        return
    with transaction(conn):
        _write_topics(conn, frame)


def prepare_retag(
    conn: duckdb.DuckDBPyConnection, scorer: str, current: Sequence[str], runs: Sequence[int]
) -> int:
    """After a taxonomy edit, in one transaction: drop the hits and definitions of topics not in
    `current`; note in temp table _rp_marked the comments marked by `scorer`'s `runs` (the
    published ones are to be tagged again, see `pending.select_retag`); the others lose their
    topic hits and marks, as `score --all` would leave them. Return how many are to be tagged."""
    with transaction(conn):
        conn.execute(_CLEAR_TOPICS_GONE, [list(current)])
        conn.execute(_FORGET_TOPICS_GONE, [list(current)])
        conn.execute(_RETAG_MARKED, {"scorer": scorer, "runs": list(runs)})
        conn.execute(_CLEAR_UNPUBLISHED_HITS)
        conn.execute(_CLEAR_UNPUBLISHED_MARKS, [scorer])
    return int(conn.execute(_RETAG_COUNT).fetchall()[0][0])


def end_retag(conn: duckdb.DuckDBPyConnection) -> None:
    """Drop what `prepare_retag` noted."""
    conn.execute(_DROP_MARKED)


def write_retag(
    conn: duckdb.DuckDBPyConnection,
    comment_pks: pl.DataFrame,
    hits: pl.DataFrame,
    changed: Sequence[str],
    scorer: str,
    run_id: int,
) -> None:
    """Replace the batch's hits of the `changed` topics with `hits` and mark the batch scored
    by `scorer`'s run `run_id`, in one transaction (the hits of the other topics stay)."""
    with transaction(conn), registered(conn, "_rp_batch", comment_pks.select("comment_pk")):
        conn.execute(_CLEAR_BATCH_TOPICS, [list(changed)])
        _insert(conn, "topic_hits", hits)
        conn.execute(_REMARK_BATCH, [run_id, scorer])
