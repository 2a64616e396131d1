"""`readerpulse score`: run every scorer over the published comments not yet scored.

Comments leave DuckDB in batches as polars frames (keyset pages over a temporary table of pending
comment_pks, `store.pending`); the scorers return frames; the store writes them (`store.scores`),
one transaction per batch, so an interrupted run resumes where it stopped. With `rescore_all` each
batch's transaction replaces its comments' old scores: stopped at any moment, every comment has
its old scores or its new ones (the next `--all` starts again). Each run records one
`scoring_runs` row per scorer (version, lexicon hash, taxonomy hash, times, count), and every
score row cites it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from ..errors import UsageError
from ..store import pending as store_pending
from ..store import scores as store_scores
from ..store.scores import ScorerConfig, TopicDefinitions
from . import classify, links, sentiment, skepticism, topics
from .model import Model, load_model
from .sentiment import PendingSentiment, SentimentScorer, label_expr
from .taxonomy import Taxonomy, load_taxonomy
from .vader import (
    COLUMNS as VADER_COLUMNS,  # the models' input from the sentiment scorer
)

SCORERS = (sentiment.SCORER, topics.SCORER, skepticism.SCORER, classify.TONE_SCORER, links.SCORER)
# the scorers the model decides: one classification of a batch gives all three
MODEL_SCORERS = (topics.SCORER, skepticism.SCORER, classify.TONE_SCORER)
# Memory grows with the batch, not with the corpus.
DEFAULT_BATCH = 200_000
# Threads the models' scoring of a batch runs on (polars and the C projection release the GIL).
CLASSIFY_WORKERS = 2

Progress = Callable[[int, int], None]


@dataclass
class ScoreOptions:
    """How to score: everything again or only new comments, which taxonomy, workers, batch size."""

    rescore_all: bool = False
    taxonomy: Taxonomy | str | Path | None = None  # a loaded taxonomy, or where to find one
    model: Model | str | Path | None = None  # a loaded model, or where to find one
    workers: int = sentiment.DEFAULT_WORKERS
    batch_size: int = DEFAULT_BATCH
    # which scorers run (the others' scores are left as they are); every one by default
    scorers: tuple[str, ...] = SCORERS

    def selected(self) -> tuple[str, ...]:
        """The scorers to run, in the usual order; an unknown name is a UsageError."""
        unknown = sorted(set(self.scorers) - set(SCORERS))
        if unknown or not self.scorers:
            raise UsageError(
                f"unknown scorer(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(SCORERS)}"
            )
        return tuple(name for name in SCORERS if name in self.scorers)


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
    # after a taxonomy edit: the comments tagged again for the topics that changed, by that run
    retagged: int = 0
    retagged_topics: list[str] = field(default_factory=list)
    retagged_hits: dict[str, int] = field(default_factory=dict)
    removed_topics: list[str] = field(default_factory=list)
    retag_run: int | None = None

    @property
    def per_second(self) -> float:
        """Comments scored per second of the whole run."""
        return self.comments / self.seconds if self.seconds > 0 else 0.0


def scorer_configs(taxonomy: Taxonomy, model: Model) -> list[ScorerConfig]:
    """The configuration of each scorer as this run will use it."""
    return [
        ScorerConfig(sentiment.SCORER, sentiment.VERSION, sentiment.lexicon_hash(), None),
        ScorerConfig(topics.SCORER, topics.VERSION, None, taxonomy.sha256, model.sha256),
        ScorerConfig(skepticism.SCORER, skepticism.VERSION, skepticism.lexicon_hash(taxonomy), None, model.sha256),
        ScorerConfig(classify.TONE_SCORER, classify.TONE_VERSION, None, None, model.sha256),
        ScorerConfig(links.SCORER, links.VERSION, links.lexicon_hash(), None),
    ]


def _changed_scorers(conn: duckdb.DuckDBPyConnection, configs: list[ScorerConfig]) -> list[str]:
    """Scorers whose version, lexicon or taxonomy differ from their last finished run."""
    changed = []
    for config in configs:
        row = conn.execute(
            "SELECT scorer_version, lexicon_hash, taxonomy_hash, model_sha256 FROM scoring_runs"
            " WHERE scorer = ? AND finished_at IS NOT NULL ORDER BY run_id DESC LIMIT 1",
            [config.scorer],
        ).fetchone()
        if row is not None and tuple(row) != (config.version, config.lexicon_hash, config.taxonomy_hash, config.model_sha256):
            changed.append(config.scorer)
    return changed


def _start_runs(
    conn: duckdb.DuckDBPyConnection, configs: list[ScorerConfig], taxonomy: Taxonomy, model: Model
) -> dict[str, int]:
    definitions = None
    if any(config.scorer == topics.SCORER for config in configs):
        definitions = TopicDefinitions(
            topics.SCORER,
            topics.topics_frame(taxonomy),
            {t.id: topics.fingerprint(t, model) for t in taxonomy.topics},
        )
    return store_scores.start_runs(conn, configs, definitions)


def _passage_index(conn: duckdb.DuckDBPyConnection) -> links.PassageIndex:
    return links.PassageIndex(store_pending.pending_passages(conn))


@dataclass
class BatchScores:
    """The scorers' rows for one batch, shaped like the score tables (None: not run)."""

    sentiment: pl.DataFrame | None = None
    sentences: pl.DataFrame | None = None
    topic_hits: pl.DataFrame | None = None
    skepticism: pl.DataFrame | None = None
    tone: pl.DataFrame | None = None
    links: pl.DataFrame | None = None

    def tables(self) -> dict[str, pl.DataFrame]:
        """Rows per score table, for the scorers that ran."""
        frames = {
            "sentiment": self.sentiment,
            "sentence_sentiment": self.sentences,
            "topic_hits": self.topic_hits,
            "skepticism": self.skepticism,
            "tone": self.tone,
            "passage_links": self.links,
        }
        return {table: frame for table, frame in frames.items() if frame is not None}


def score_batch(
    batch: pl.DataFrame,
    taxonomy: Taxonomy,
    model: Model,
    index: links.PassageIndex | None,
    pending: PendingSentiment | None,
    runs: dict[str, int],
) -> BatchScores:
    """Run the scorers of `runs` on one batch (comment_pk, article_id, text, parent_text).

    `pending` is the batch's VADER scores, started earlier (None when neither sentiment nor a
    model scorer runs; sentences only when sentiment runs), and `index` the passages to link to
    (None when links do not run).
    """

    def with_run(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        """The frame with the run id of scorer `name`."""
        return frame.with_columns(run_id=pl.lit(runs[name], pl.Int32))

    scores = BatchScores()
    vader = pending.result() if pending is not None else None
    # The model's classification (polars and C, which release the GIL) runs beside the links.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scorer") as pool:
        classified = None
        if vader is not None and any(name in runs for name in MODEL_SCORERS):
            comments = vader.comments.select(VADER_COLUMNS)  # in the batch's order
            classified = pool.submit(
                classify.classify, batch, comments, taxonomy, model, workers=CLASSIFY_WORKERS
            )
        if index is not None and links.SCORER in runs:
            scores.links = with_run(index.link(batch), links.SCORER)
        if classified is not None:
            result = classified.result()
            if topics.SCORER in runs:
                scores.topic_hits = with_run(result.topic_hits, topics.SCORER)
            if skepticism.SCORER in runs:
                scores.skepticism = with_run(result.skepticism, skepticism.SCORER)
            if classify.TONE_SCORER in runs:
                scores.tone = with_run(result.tone, classify.TONE_SCORER)
    if vader is not None and sentiment.SCORER in runs:
        pks = batch.select(pl.col("comment_pk"), pl.int_range(pl.len(), dtype=pl.Int64).alias("index"))
        comment_scores = vader.comments.join(pks, on="index").with_columns(label=label_expr(pl.col("compound")))
        sentence_scores = vader.sentences.join(pks, on="index").with_columns(label=label_expr(pl.col("compound")))
        scores.sentiment = with_run(comment_scores.drop("index"), sentiment.SCORER)
        scores.sentences = with_run(sentence_scores.drop("index"), sentiment.SCORER)
    return scores


def write_batch(conn: duckdb.DuckDBPyConnection, batch: pl.DataFrame, scores: BatchScores, runs: dict[str, int]) -> None:
    """Replace the batch's scores of the scorers in `runs`, in one transaction, and mark the
    batch scored by them."""
    store_scores.write_batch(conn, batch.select("comment_pk"), scores.tables(), runs)


def _tally(summary: ScoreSummary, scores: BatchScores) -> None:
    if scores.topic_hits is not None:
        for topic, count in scores.topic_hits.group_by("topic").len().iter_rows():
            summary.topic_hits[topic] = summary.topic_hits.get(topic, 0) + count
    if scores.skepticism is not None:
        summary.skeptical += int(scores.skepticism["skeptical"].sum())
    if scores.links is not None:
        summary.linked += scores.links.filter(pl.col("rank") == 1).height
    if scores.sentences is not None:
        summary.sentences += scores.sentences.height


class _Writer:
    """Writes batches on a thread of its own, with its own connection, while the next batch is
    scored; at most one batch waits to be written (memory stays bounded)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn.cursor()  # a second connection to the same database
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer")
        self.pending: Future[None] | None = None

    def submit(self, write: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
        """Run `write` on the writer's connection once the previous write is done (an error of
        that one is raised)."""
        self.wait()
        self.pending = self.pool.submit(write, self.conn)

    def wait(self) -> None:
        """Wait for the batch being written; raise its error, if any."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        """Stop the thread (the batch being written, if any, is finished first)."""
        try:
            self.wait()
        finally:
            self.pool.shutdown(wait=True)
            self.conn.close()


def _complete(
    writer: _Writer,
    in_flight: tuple[pl.DataFrame, PendingSentiment | None],
    taxonomy: Taxonomy,
    model: Model,
    index: links.PassageIndex | None,
    summary: ScoreSummary,
    total: int,
    progress: Progress | None,
) -> None:
    batch, pending = in_flight
    scores = score_batch(batch, taxonomy, model, index, pending, summary.runs)
    writer.submit(partial(write_batch, batch=batch, scores=scores, runs=summary.runs))
    _tally(summary, scores)
    summary.comments += batch.height
    if progress:
        progress(summary.comments, total)


@dataclass(frozen=True)
class RetagPlan:
    """What a taxonomy edit leaves to do: per set of changed topics, the topics runs whose
    comments need them tagged again; and the topics that have hits but are gone."""

    changed: dict[tuple[str, ...], list[int]]
    removed: list[str]


def plan_retag(conn: duckdb.DuckDBPyConnection, taxonomy: Taxonomy, model: Model) -> RetagPlan:
    """Compare each topic's fingerprint now with the one of every topics run that comments are
    marked scored by (a run without recorded definitions: every topic changed)."""
    now = {t.id: topics.fingerprint(t, model) for t in taxonomy.topics}
    runs = [int(r[0]) for r in conn.execute(_MARKING_RUNS, [topics.SCORER]).fetchall()]
    before: dict[int, dict[str, str]] = {run: {} for run in runs}
    for run, topic, fingerprint in conn.execute(_DEFINITIONS_OF_RUNS, [runs]).fetchall():
        before[int(run)][topic] = fingerprint
    changed: dict[tuple[str, ...], list[int]] = {}
    for run in runs:
        ids = tuple(topic for topic, fingerprint in now.items() if before[run].get(topic) != fingerprint)
        if ids:
            changed.setdefault(ids, []).append(run)
    removed = sorted(r[0] for r in conn.execute(_TOPICS_GONE, [list(now)]).fetchall())
    return RetagPlan(changed, removed)


_MARKING_RUNS = "SELECT DISTINCT run_id FROM scored WHERE scorer = ? ORDER BY run_id"
_DEFINITIONS_OF_RUNS = "SELECT run_id, topic, fingerprint FROM topic_definitions WHERE list_contains(?, run_id)"
_TOPICS_GONE = "SELECT DISTINCT topic FROM topic_hits WHERE NOT list_contains(?, topic)"
def write_retag(
    conn: duckdb.DuckDBPyConnection, batch: pl.DataFrame, hits: pl.DataFrame, changed: tuple[str, ...], run_id: int
) -> None:
    """Replace the batch's hits of the `changed` topics and mark the batch scored by the run
    that tagged them, in one transaction (the hits of the other topics stay: their definition
    is the same in both runs)."""
    hits = hits.with_columns(run_id=pl.lit(run_id, pl.Int32))
    store_scores.write_retag(conn, batch.select("comment_pk"), hits, changed, topics.SCORER, run_id)


def _retag_topics(
    conn: duckdb.DuckDBPyConnection,
    taxonomy: Taxonomy,
    model: Model,
    batch_size: int,
    workers: int,
    summary: ScoreSummary,
    progress: Progress | None,
) -> None:
    """After a taxonomy edit: tag the comments scored before again, for the topics whose
    definition changed only, and drop the hits of topics that are gone.

    The published comments get the hits `score --all --scorer topics` would give them, without
    matching the topics that did not change; comments no longer published lose their topic
    hits and marks, as after `--all`. Batch by batch, like any run: an interrupted re-tag
    resumes where it stopped (a comment is marked by the new run once its hits are replaced).
    """
    plan = plan_retag(conn, taxonomy, model)
    if not plan.changed and not plan.removed:
        store_scores.refresh_topics(conn, topics.topics_frame(taxonomy))  # labels and descriptions change no hit
        return
    config = next(c for c in scorer_configs(taxonomy, model) if c.scorer == topics.SCORER)
    run_id = _start_runs(conn, [config], taxonomy, model)[topics.SCORER]
    summary.retag_run = run_id
    summary.removed_topics = plan.removed
    summary.retagged_topics = sorted({topic for ids in plan.changed for topic in ids})
    current = [t.id for t in taxonomy.topics]
    all_runs = [run for runs in plan.changed.values() for run in runs]
    total = store_scores.prepare_retag(conn, topics.SCORER, current, all_runs)
    writer = _Writer(conn)
    try:
        with SentimentScorer(workers=workers) as scorer:
            for changed, runs in plan.changed.items():
                # each output of the model reads its own topic's keywords: the changed topics alone
                part = Taxonomy(taxonomy.source, taxonomy.sha256, tuple(t for t in taxonomy.topics if t.id in changed))
                store_pending.select_retag(conn, runs)
                with closing(store_pending.pending_batches(conn, batch_size, with_vader=True)) as batches:
                    for batch in batches:
                        vader = batch.select(VADER_COLUMNS)
                        if vader.null_count().sum_horizontal().item():  # not all scored by sentiment
                            vader = scorer.comment_scores(batch["text"].to_list())
                        result = classify.classify(
                            batch, vader, part, model.restricted(changed), workers=CLASSIFY_WORKERS
                        )
                        hits = result.topic_hits
                        writer.submit(partial(write_retag, batch=batch, hits=hits, changed=changed, run_id=run_id))
                        for topic, count in hits.group_by("topic").len().iter_rows():
                            summary.retagged_hits[topic] = summary.retagged_hits.get(topic, 0) + count
                        summary.retagged += batch.height
                        if progress:
                            progress(summary.retagged, total)
    finally:
        writer.close()
        store_scores.end_retag(conn)
    store_scores.finish_runs(conn, {topics.SCORER: run_id}, summary.retagged)


def score_database(
    conn: duckdb.DuckDBPyConnection,
    options: ScoreOptions | None = None,
    progress: Progress | None = None,
) -> ScoreSummary:
    """Score every published comment not yet scored (every one with `rescore_all`).

    Sentiment runs on `options.workers` threads (C code without the GIL) beside this thread.
    """
    options = options or ScoreOptions()
    selected = options.selected()
    started = time.perf_counter()
    taxonomy = options.taxonomy if isinstance(options.taxonomy, Taxonomy) else load_taxonomy(options.taxonomy)
    model = options.model if isinstance(options.model, Model) else load_model(options.model)
    configs = [c for c in scorer_configs(taxonomy, model) if c.scorer in selected]
    summary = ScoreSummary()
    if not options.rescore_all:
        summary.changed_since_last_run = _changed_scorers(conn, configs)
        if topics.SCORER in selected:
            # topics whose definition changed are tagged again here: no change is left behind
            summary.changed_since_last_run = [c for c in summary.changed_since_last_run if c != topics.SCORER]
            _retag_topics(conn, taxonomy, model, options.batch_size, options.workers, summary, progress)
    # With --all, each batch replaces its comments' scores in the transaction that writes the new
    # ones: stopped at any moment, every comment has its old scores or its new ones.
    total = store_pending.select_pending(conn, selected, everything=options.rescore_all)
    if total:
        summary.runs = _start_runs(conn, configs, taxonomy, model)
        index = _passage_index(conn) if links.SCORER in selected else None
        writer = _Writer(conn)
        # VADER's scores are sentiment's output and the models' input
        vader_needed = any(name in selected for name in (sentiment.SCORER, *MODEL_SCORERS))
        try:
            with SentimentScorer(workers=options.workers) as scorer:
                # Pipelined: the threads score the next batch's sentiment while this thread
                # matches and links the current one, and the writer writes the one before.
                in_flight: tuple[pl.DataFrame, PendingSentiment | None] | None = None
                with closing(store_pending.pending_batches(conn, options.batch_size)) as batches:
                    for batch in batches:
                        pending = (
                            scorer.start(batch["text"].to_list(), sentences=sentiment.SCORER in selected)
                            if vader_needed
                            else None
                        )
                        arriving = (batch, pending)
                        if in_flight:
                            _complete(writer, in_flight, taxonomy, model, index, summary, total, progress)
                        in_flight = arriving
                if in_flight:
                    _complete(writer, in_flight, taxonomy, model, index, summary, total, progress)
        finally:
            writer.close()
        if options.rescore_all:
            store_scores.drop_stale(conn, summary.runs)
        store_scores.finish_runs(conn, summary.runs, summary.comments)
    elif options.rescore_all:
        store_scores.clear_scores(conn, selected)  # no published comment: no score stays
    store_pending.drop_pending(conn)
    summary.seconds = time.perf_counter() - started
    return summary


def describe(summary: ScoreSummary) -> list[str]:
    """Lines for the CLI: what was scored and how fast, and any scorer changed since last time."""
    if not summary.comments:
        lines = ["scored 0 comments: every published comment is already scored"]
    else:
        hits = ", ".join(f"{t} {n}" for t, n in sorted(summary.topic_hits.items())) or "none"
        sentences = f" ({summary.sentences} sentences)" if sentiment.SCORER in summary.runs else ""
        lines = [
            f"scored {summary.comments} comments{sentences} in "
            f"{summary.seconds:.1f}s, {summary.per_second:,.0f} comments/s; runs "
            + ", ".join(f"{name} #{run}" for name, run in summary.runs.items()),
        ]
        found = {
            topics.SCORER: f"topic hits: {hits}",
            skepticism.SCORER: f"skeptical: {summary.skeptical}",
            links.SCORER: f"linked to a passage: {summary.linked}",
        }
        if any(name in summary.runs for name in found):
            lines.append("; ".join(text for name, text in found.items() if name in summary.runs))
    if summary.retag_run is not None:
        hits = ", ".join(f"{t} {summary.retagged_hits.get(t, 0)}" for t in summary.retagged_topics) or "none"
        lines.append(
            f"taxonomy edited: {summary.retagged} comments scored before tagged again for "
            f"{len(summary.retagged_topics)} changed topic(s) (run #{summary.retag_run}); hits: {hits}"
            + (f"; removed topics: {', '.join(summary.removed_topics)}" if summary.removed_topics else "")
        )
    if summary.changed_since_last_run:
        lines.append(
            f"note: {', '.join(summary.changed_since_last_run)} changed since the last run; comments "
            "scored before keep their old scores until `readerpulse score --all`"
        )
    return lines
