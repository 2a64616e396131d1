"""`readerpulse score`: run every scorer over the published comments not yet scored.

Comments leave DuckDB in batches as polars frames (keyset pages over a temporary table of pending
comment_pks); the scorers return frames; the frames go back with register + INSERT ... SELECT,
one transaction per batch, so an interrupted run resumes where it stopped. Each run records one
`scoring_runs` row per scorer (version, lexicon hash, taxonomy hash, times, count), and every
score row cites it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from analysis.score import links, sentiment, skepticism, topics
from analysis.score.sentiment import PendingSentiment, SentimentScorer, label_expr
from analysis.score.taxonomy import Taxonomy, load_taxonomy

SCORERS = (sentiment.SCORER, topics.SCORER, skepticism.SCORER, links.SCORER)
SCORE_TABLES = ("sentiment", "sentence_sentiment", "topic_hits", "skepticism", "passage_links")
# Statements spelled out per table: no SQL is assembled from strings.
_CLEAR_ALL = (
    "DELETE FROM sentiment",
    "DELETE FROM sentence_sentiment",
    "DELETE FROM topic_hits",
    "DELETE FROM skepticism",
    "DELETE FROM passage_links",
    "DELETE FROM scored",
)
_CLEAR_BATCH = (
    "DELETE FROM sentiment WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
    "DELETE FROM sentence_sentiment WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
    "DELETE FROM topic_hits WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
    "DELETE FROM skepticism WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
    "DELETE FROM passage_links WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
    "DELETE FROM scored WHERE comment_pk IN (SELECT comment_pk FROM _rp_batch)",
)
_INSERT = {
    "sentiment": "INSERT INTO sentiment BY NAME SELECT * FROM _rp_frame",
    "sentence_sentiment": "INSERT INTO sentence_sentiment BY NAME SELECT * FROM _rp_frame",
    "topic_hits": "INSERT INTO topic_hits BY NAME SELECT * FROM _rp_frame",
    "skepticism": "INSERT INTO skepticism BY NAME SELECT * FROM _rp_frame",
    "passage_links": "INSERT INTO passage_links BY NAME SELECT * FROM _rp_frame",
    "scored": "INSERT INTO scored BY NAME SELECT * FROM _rp_frame",
}
DEFAULT_BATCH = 20_000

Progress = Callable[[int, int], None]


@dataclass
class ScoreOptions:
    """How to score: everything again or only new comments, which taxonomy, workers, batch size."""

    rescore_all: bool = False
    taxonomy: Taxonomy | str | Path | None = None  # a loaded taxonomy, or where to find one
    workers: int = sentiment.DEFAULT_WORKERS
    batch_size: int = DEFAULT_BATCH


@dataclass(frozen=True)
class ScorerConfig:
    """What identifies the scores a scorer produces: recorded in scoring_runs."""

    scorer: str
    version: str
    lexicon_hash: str | None
    taxonomy_hash: str | None


@dataclass
class ScoreSummary:
    """What a run did."""

    comments: int = 0
    runs: dict[str, int] = field(default_factory=dict)
    topic_hits: dict[str, int] = field(default_factory=dict)
    skeptical: int = 0
    linked: int = 0
    sentences: int = 0
    seconds: float = 0.0
    changed_since_last_run: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        """Comments scored per second of the whole run."""
        return self.comments / self.seconds if self.seconds > 0 else 0.0


def scorer_configs(taxonomy: Taxonomy) -> list[ScorerConfig]:
    """The configuration of each scorer as this run will use it."""
    return [
        ScorerConfig(sentiment.SCORER, sentiment.VERSION, sentiment.lexicon_hash(), None),
        ScorerConfig(topics.SCORER, topics.VERSION, None, taxonomy.sha256),
        ScorerConfig(skepticism.SCORER, skepticism.VERSION, skepticism.lexicon_hash(), None),
        ScorerConfig(links.SCORER, links.VERSION, links.lexicon_hash(), None),
    ]


def _changed_scorers(conn: duckdb.DuckDBPyConnection, configs: list[ScorerConfig]) -> list[str]:
    """Scorers whose version, lexicon or taxonomy differ from their last finished run."""
    changed = []
    for config in configs:
        row = conn.execute(
            "SELECT scorer_version, lexicon_hash, taxonomy_hash FROM scoring_runs"
            " WHERE scorer = ? AND finished_at IS NOT NULL ORDER BY run_id DESC LIMIT 1",
            [config.scorer],
        ).fetchone()
        if row is not None and tuple(row) != (config.version, config.lexicon_hash, config.taxonomy_hash):
            changed.append(config.scorer)
    return changed


def _clear_scores(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("BEGIN TRANSACTION")
    try:
        for statement in _CLEAR_ALL:
            conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _pending(conn: duckdb.DuckDBPyConnection) -> int:
    """Fill temp table _rp_pending with published comments some scorer has not seen."""
    conn.execute(
        """
        CREATE OR REPLACE TEMP TABLE _rp_pending AS
        SELECT comment_pk FROM comments
        WHERE status = 'published'
          AND comment_pk NOT IN (
              SELECT comment_pk FROM scored WHERE scorer IN (?, ?, ?, ?)
              GROUP BY comment_pk HAVING count(*) = 4)
        """,
        list(SCORERS),
    )
    row = conn.execute("SELECT count(*) FROM _rp_pending").fetchone()
    return int(row[0]) if row else 0


def _start_runs(conn: duckdb.DuckDBPyConnection, configs: list[ScorerConfig], taxonomy: Taxonomy) -> dict[str, int]:
    runs = {}
    conn.execute("BEGIN TRANSACTION")
    try:
        for config in configs:
            row = conn.execute("SELECT nextval('scoring_run_seq')").fetchone()
            assert row is not None
            runs[config.scorer] = int(row[0])
            conn.execute(
                "INSERT INTO scoring_runs (run_id, scorer, scorer_version, lexicon_hash,"
                " taxonomy_hash, started_at) VALUES (?, ?, ?, ?, ?, now())",
                [runs[config.scorer], config.scorer, config.version, config.lexicon_hash, config.taxonomy_hash],
            )
        conn.register("_rp_topics", topics.topics_frame(taxonomy))
        conn.execute("DELETE FROM topics")
        conn.execute("INSERT INTO topics BY NAME SELECT * FROM _rp_topics")
        conn.unregister("_rp_topics")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return runs


def _finish_runs(conn: duckdb.DuckDBPyConnection, runs: dict[str, int], n_comments: int) -> None:
    for run_id in runs.values():
        conn.execute(
            "UPDATE scoring_runs SET finished_at = now(), n_comments = ? WHERE run_id = ?",
            [n_comments, run_id],
        )


def _passage_index(conn: duckdb.DuckDBPyConnection) -> links.PassageIndex:
    passages = conn.sql(
        """
        SELECT article_id, passage_no, kind, text FROM passages
        WHERE article_id IN (SELECT DISTINCT c.article_id FROM comments c JOIN _rp_pending USING (comment_pk))
        """
    ).pl()
    return links.PassageIndex(passages)


def _batches(conn: duckdb.DuckDBPyConnection, size: int) -> Iterator[pl.DataFrame]:
    last = -1
    while True:
        batch = conn.sql(
            """
            SELECT c.comment_pk, c.article_id, c.text FROM comments c JOIN _rp_pending USING (comment_pk)
            WHERE c.comment_pk > $last ORDER BY c.comment_pk LIMIT $size
            """,
            params={"last": last, "size": size},
        ).pl()
        if batch.height == 0:
            return
        last = int(batch["comment_pk"][-1])
        yield batch


@dataclass
class BatchScores:
    """Every scorer's rows for one batch, shaped like the score tables."""

    sentiment: pl.DataFrame
    sentences: pl.DataFrame
    topic_hits: pl.DataFrame
    skepticism: pl.DataFrame
    links: pl.DataFrame


def score_batch(
    batch: pl.DataFrame,
    taxonomy: Taxonomy,
    index: links.PassageIndex,
    pending: PendingSentiment,
    runs: dict[str, int],
) -> BatchScores:
    """Run the scorers on one batch (comment_pk, article_id, text) whose sentiment is `pending`."""
    pks = batch.select(pl.col("comment_pk"), pl.int_range(pl.len(), dtype=pl.Int64).alias("index"))
    hits = topics.score_topics(batch, taxonomy)
    skeptic = skepticism.score_skepticism(batch)
    linked = index.link(batch)
    vader = pending.result()

    def with_run(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        """The frame with the run id of scorer `name`."""
        return frame.with_columns(run_id=pl.lit(runs[name], pl.Int32))

    comment_scores = vader.comments.join(pks, on="index").with_columns(label=label_expr(pl.col("compound")))
    sentence_scores = vader.sentences.join(pks, on="index").with_columns(label=label_expr(pl.col("compound")))
    return BatchScores(
        sentiment=with_run(comment_scores.drop("index"), sentiment.SCORER),
        sentences=with_run(sentence_scores.drop("index"), sentiment.SCORER),
        topic_hits=with_run(hits, topics.SCORER),
        skepticism=with_run(skeptic, skepticism.SCORER),
        links=with_run(linked, links.SCORER),
    )


def _insert(conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    conn.register("_rp_frame", frame)
    try:
        conn.execute(_INSERT[table])
    finally:
        conn.unregister("_rp_frame")


def write_batch(conn: duckdb.DuckDBPyConnection, batch: pl.DataFrame, scores: BatchScores, runs: dict[str, int]) -> None:
    """Replace the batch's scores in one transaction and mark it scored by every scorer."""
    seen = pl.concat(
        [
            batch.select("comment_pk", scorer=pl.lit(name), run_id=pl.lit(run_id, pl.Int32))
            for name, run_id in runs.items()
        ]
    )
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.register("_rp_batch", batch.select("comment_pk"))
        for statement in _CLEAR_BATCH:
            conn.execute(statement)
        conn.unregister("_rp_batch")
        _insert(conn, "sentiment", scores.sentiment)
        _insert(conn, "sentence_sentiment", scores.sentences)
        _insert(conn, "topic_hits", scores.topic_hits)
        _insert(conn, "skepticism", scores.skepticism)
        _insert(conn, "passage_links", scores.links)
        _insert(conn, "scored", seen)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _tally(summary: ScoreSummary, scores: BatchScores) -> None:
    for topic, count in scores.topic_hits.group_by("topic").len().iter_rows():
        summary.topic_hits[topic] = summary.topic_hits.get(topic, 0) + count
    summary.skeptical += int(scores.skepticism["skeptical"].sum())
    summary.linked += scores.links.filter(pl.col("rank") == 1).height
    summary.sentences += scores.sentences.height


def _complete(
    conn: duckdb.DuckDBPyConnection,
    in_flight: tuple[pl.DataFrame, PendingSentiment],
    taxonomy: Taxonomy,
    index: links.PassageIndex,
    summary: ScoreSummary,
    total: int,
    progress: Progress | None,
) -> None:
    batch, pending = in_flight
    scores = score_batch(batch, taxonomy, index, pending, summary.runs)
    write_batch(conn, batch, scores, summary.runs)
    _tally(summary, scores)
    summary.comments += batch.height
    if progress:
        progress(summary.comments, total)


def score_database(
    conn: duckdb.DuckDBPyConnection,
    options: ScoreOptions | None = None,
    progress: Progress | None = None,
) -> ScoreSummary:
    """Score every published comment not yet scored (every one with `rescore_all`).

    Sentiment runs on `options.workers` threads (C code without the GIL) beside this thread.
    """
    options = options or ScoreOptions()
    started = time.perf_counter()
    taxonomy = options.taxonomy if isinstance(options.taxonomy, Taxonomy) else load_taxonomy(options.taxonomy)
    configs = scorer_configs(taxonomy)
    summary = ScoreSummary()
    if options.rescore_all:
        _clear_scores(conn)
    else:
        summary.changed_since_last_run = _changed_scorers(conn, configs)
    total = _pending(conn)
    if total:
        summary.runs = _start_runs(conn, configs, taxonomy)
        index = _passage_index(conn)
        with SentimentScorer(workers=options.workers) as scorer:
            # Pipelined: the threads score the next batch's sentiment while this thread
            # matches, links and writes the current one.
            in_flight: tuple[pl.DataFrame, PendingSentiment] | None = None
            for batch in _batches(conn, options.batch_size):
                arriving = (batch, scorer.start(batch["text"].to_list()))
                if in_flight:
                    _complete(conn, in_flight, taxonomy, index, summary, total, progress)
                in_flight = arriving
            if in_flight:
                _complete(conn, in_flight, taxonomy, index, summary, total, progress)
        _finish_runs(conn, summary.runs, summary.comments)
    conn.execute("DROP TABLE IF EXISTS _rp_pending")
    summary.seconds = time.perf_counter() - started
    return summary


def describe(summary: ScoreSummary) -> list[str]:
    """Lines for the CLI: what was scored and how fast, and any scorer changed since last time."""
    if not summary.comments:
        lines = ["scored 0 comments: every published comment is already scored"]
    else:
        hits = ", ".join(f"{t} {n}" for t, n in sorted(summary.topic_hits.items())) or "none"
        lines = [
            f"scored {summary.comments} comments ({summary.sentences} sentences) in "
            f"{summary.seconds:.1f}s, {summary.per_second:,.0f} comments/s; runs "
            + ", ".join(f"{name} #{run}" for name, run in summary.runs.items()),
            f"topic hits: {hits}; skeptical: {summary.skeptical}; linked to a passage: {summary.linked}",
        ]
    if summary.changed_since_last_run:
        lines.append(
            f"note: {', '.join(summary.changed_since_last_run)} changed since the last run; comments "
            "scored before keep their old scores until `readerpulse score --all`"
        )
    return lines
