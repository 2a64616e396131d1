"""Throughput of the models (`classify`: topics, skepticism, tone, with evidence) on a generated corpus.

    .venv/bin/python bench/corpus.py --comments 100000 --out build/bench/corpus-100000-2023
    .venv/bin/python bench/model_speed.py build/bench/corpus-100000-2023

Reads the corpus's comments with their parents' texts, computes their VADER scores (not timed),
then times `classify` with the taxonomy and model in force, best of --repeat runs, once per
thread count of --threads (each in a child process with POLARS_MAX_THREADS set, since polars
reads it once, and as many `classify` workers), and prints comments per second of wall and of
CPU time beside the target.
`--rows` scores only the first rows. Timings on a busy machine vary; instruction counts do not
much: count them with callgrind, once with `--repeat 0` (everything but `classify`) and once with
`--repeat 1`, and take the difference:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/model_speed.py \
        build/bench/corpus-100000-2023 --here --rows 5000 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

TARGET = 100_000  # comments a second, all models, on the machine's two cores


def load(corpus: Path, rows: int | None) -> tuple[object, object]:
    """The comments (comment_pk, text, parent_text) and their VADER scores."""
    import polars as pl
    from readerpulse.score.sentiment import SentimentScorer

    weeks = []
    for path in sorted(corpus.glob("comments-week-*.jsonl")):  # only the weeks needed for `rows`
        weeks.append(pl.read_ndjson(path).select("article_id", "comment_id", "parent_id", "text"))
        if rows is not None and sum(week.height for week in weeks) >= rows:
            break
    comments = pl.concat(weeks)
    parents = comments.select("article_id", pl.col("comment_id").alias("parent_id"), pl.col("text").alias("parent_text"))
    frame = (
        comments.with_row_index("comment_pk")
        .join(parents, on=["article_id", "parent_id"], how="left", maintain_order="left")
        .select(pl.col("comment_pk").cast(pl.Int64), "text", "parent_text")
    )
    if rows is not None:
        frame = frame.head(rows)
    with SentimentScorer() as scorer:
        vader = scorer.comment_scores(frame["text"].fill_null("").to_list())
    return frame, vader


def measure(corpus: Path, repeat: int, rows: int | None) -> None:
    """Time classify in this process (its polars thread count set by the caller)."""
    import polars as pl
    from readerpulse.score.classify import classify
    from readerpulse.score.model import load_model
    from readerpulse.score.taxonomy import load_taxonomy

    frame, vader = load(corpus, rows)
    assert isinstance(frame, pl.DataFrame) and isinstance(vader, pl.DataFrame)
    taxonomy, model = load_taxonomy(None), load_model(None)
    if not repeat:
        print(f"loaded {frame.height:,} comments; classify not run (the baseline of an instruction count)")
        return
    best = cpu = float("inf")
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = classify(frame, vader, taxonomy, model, workers=pl.thread_pool_size())
        best = min(best, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    n = frame.height
    print(
        f"threads {pl.thread_pool_size()}: {best:.3f} s (best of {repeat}), {n / best:,.0f} comments/s "
        f"(target {TARGET:,} on 2 threads); CPU {cpu:.3f} s, {n / cpu:,.0f} comments per CPU-second; "
        f"{result.topic_hits.height:,} topic hits, {int(result.skepticism['skeptical'].sum()):,} skeptical"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="folder with comments-week-*.jsonl (bench/corpus.py)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="polars threads, one run each")
    parser.add_argument("--rows", type=int, help="score only the first ROWS comments")
    parser.add_argument("--here", action="store_true", help="measure in this process (threads as set outside)")
    args = parser.parse_args()
    if args.here:
        measure(args.corpus, args.repeat, args.rows)
        return
    for threads in args.threads:
        command = [sys.executable, __file__, str(args.corpus), "--repeat", str(args.repeat), "--here"]
        if args.rows is not None:
            command += ["--rows", str(args.rows)]
        subprocess.run(command, env={**os.environ, "POLARS_MAX_THREADS": str(threads)}, check=True)


if __name__ == "__main__":
    main()
