"""Where `readerpulse score`'s CPU time goes: each part of the run, measured apart, one after another.

    .venv/bin/python bench/score_steps.py build/bench/corpus-1000000-2023

Imports the folder into a fresh database (build/bench/score-steps.duckdb, not timed), then scores
it the way `readerpulse score` does (`analysis/score/runner.py`: its functions, the same batches),
but with no part beside another: each batch is read, its sentences split, VADER run, the models
run, its passages linked, its score frames built and its rows written, in turn, on this thread
(the models on one thread), so that each part's CPU seconds (`time.process_time`, every thread of
this process) and wall seconds are its own. A step's time leaves out the steps timed inside it.
The process start is a child `python -c "import ..."` of the modules `score` loads.
"""

from __future__ import annotations

import argparse
import collections
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import readerpulse.score.classify as classify
import readerpulse.score.runner as runner
import readerpulse.score.sentiment as sentiment
import readerpulse.score.vader as vader
import readerpulse.store.scores as store_scores
from readerpulse.ingest.api import ImportOptions, ingest
from readerpulse.score.model import Model, load_model
from readerpulse.score.taxonomy import load_taxonomy
from readerpulse.store import connect
from readerpulse.store import pending as store_pending

REPO = Path(__file__).resolve().parents[1]


class Steps:
    """CPU and wall seconds per step; a step's time leaves out the steps timed inside it."""

    def __init__(self) -> None:
        self.cpu: collections.defaultdict[str, float] = collections.defaultdict(float)
        self.wall: collections.defaultdict[str, float] = collections.defaultdict(float)
        self.order: list[str] = []
        self._inner: list[list[float]] = []  # per open step: the time of the steps inside it

    @contextmanager
    def __call__(self, label: str) -> Iterator[None]:
        if label not in self.order:
            self.order.append(label)
        self._inner.append([0.0, 0.0])
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            yield
        finally:
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            inner = self._inner.pop()
            self.cpu[label] += cpu - inner[0]
            self.wall[label] += wall - inner[1]
            if self._inner:
                self._inner[-1][0] += cpu
                self._inner[-1][1] += wall

    def wrap(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self(label):
                return function(*args, **kwargs)

        return timed


def process_start(steps: Steps) -> None:
    """A fresh interpreter importing what `readerpulse score` imports, timed from outside."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    code = "import readerpulse.cli, readerpulse.score.runner"
    subprocess.run([sys.executable, "-c", code], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    label = "process start (interpreter, imports)"
    steps.order.append(label)
    steps.cpu[label] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    steps.wall[label] = time.perf_counter() - wall


def instrument(steps: Steps) -> None:
    """Time the parts inside VADER, the models and the writes where the runner calls them."""

    def patch(module: Any, name: str, label: str) -> None:
        setattr(module, name, steps.wrap(label, getattr(module, name)))

    patch(sentiment, "sentence_spans", "sentence splitting (C)")
    analyzer = vader.analyzer()

    class TimedAnalyzer:
        def score_sentences(self, *args: Any) -> Any:
            with steps("VADER on sentences and comments (C)"):
                return analyzer.score_sentences(*args)

    vader.analyzer = TimedAnalyzer  # type: ignore[assignment]  # where the sentiment scorer finds it
    patch(classify, "keyword_matches", "models: keyword matches")
    patch(classify, "parent_keyword_counts", "models: parents' keyword counts")
    patch(Model, "predict", "models: features and projection")
    patch(classify, "hit_evidence", "models: evidence")
    real_insert = store_scores._insert

    def insert(conn: Any, table: str, frame: pl.DataFrame) -> None:
        with steps(f"write: {table}"):
            real_insert(conn, table, frame)

    store_scores._insert = insert


def ready(scores: sentiment.SentimentResult) -> sentiment.PendingSentiment:
    """VADER's scores, already computed, as score_batch takes them."""
    return sentiment.PendingSentiment(lambda: scores)


class Linked:
    """A passage index whose links are already made (score_batch then only builds frames)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def link(self, batch: pl.DataFrame) -> pl.DataFrame:
        return self.frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--db", type=Path, default=REPO / "build" / "bench" / "score-steps.duckdb")
    parser.add_argument("--batch-size", type=int, default=runner.DEFAULT_BATCH)
    args = parser.parse_args()
    for path in (args.db, args.db.with_name(args.db.name + ".wal"), args.db.with_name(args.db.name + ".key")):
        path.unlink(missing_ok=True)
    with connect(args.db) as conn:
        ingest(conn, [args.corpus], ImportOptions())
    steps = Steps()
    process_start(steps)
    instrument(steps)
    real_classify = classify.classify
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    with steps("opening the database"):
        conn = connect(args.db)
    with steps("loading the taxonomy and the model"):
        taxonomy, model = load_taxonomy(None), load_model(None)
    with steps("choosing the pending comments, starting the runs (SQL)"):
        total = store_pending.select_pending(conn, runner.SCORERS)
        runs = runner._start_runs(conn, runner.scorer_configs(taxonomy, model), taxonomy, model)
    with steps("passage links: reading the passages, building the index"):
        index = runner._passage_index(conn)
    writer = conn.cursor()
    batches = store_pending.pending_batches(conn, args.batch_size)
    while True:
        with steps("reading the pending comments and their parents (batches)"):
            batch = next(batches, None)
        if batch is None:
            break
        with steps("VADER: texts to Python strings, frames of its scores"):
            texts = batch["text"].to_list()
            vader_scores = sentiment.score_texts(texts, sentences=True)
        with steps("models: the rest (decisions, hits, their frames)"):
            classified = real_classify(batch, vader_scores.comments.select(vader.COLUMNS), taxonomy, model)
        with steps("passage links (C)"):
            linked = index.link(batch)

        def done(*args: Any, result: classify.Classified = classified, **kwargs: Any) -> classify.Classified:
            return result  # classified above: score_batch only builds the frames

        classify.classify = done
        with steps("building the score frames (run ids, labels, joins)"):
            scores = runner.score_batch(
                batch, taxonomy, model, Linked(linked), ready(vader_scores), runs  # type: ignore[arg-type]
            )
        with steps("write: clearing the batch's old scores, marks, commit"):
            runner.write_batch(writer, batch, scores, runs)
    with steps("finishing the runs, closing the database (checkpoint)"):
        store_scores.finish_runs(conn, runs, total)
        store_pending.drop_pending(conn)
        writer.close()
        conn.close()
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    print(f"{'CPU s':>7} {'wall s':>7}  step ({total:,} comments of {args.corpus}, one part at a time)")
    for label in steps.order:
        print(f"{steps.cpu[label]:7.2f} {steps.wall[label]:7.2f}  {label}")
    start = "process start (interpreter, imports)"
    rest_cpu = cpu - sum(v for k, v in steps.cpu.items() if k != start)
    rest_wall = wall - sum(v for k, v in steps.wall.items() if k != start)
    print(f"{rest_cpu:7.2f} {rest_wall:7.2f}  everything else (glue)")
    print(f"{cpu + steps.cpu[start]:7.2f} {wall + steps.wall[start]:7.2f}  total")


if __name__ == "__main__":
    main()
