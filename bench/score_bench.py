"""Throughput of `readerpulse score`: comments per second on the sample and on a generated corpus.

    .venv/bin/python bench/score_bench.py                      # 100,000 generated comments, 2 workers
    .venv/bin/python bench/score_bench.py --comments 20000 --workers 1

The generated corpus: the sample articles (with their passages) copied under new article ids,
and comments assembled at random (fixed seed) from sentence fragments in the style of the seed
story's comments: topics, skepticism, sarcasm, chatter, typos, emoji. Not timed in the tests.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analysis.ingest.api import ingest  # noqa: E402
from analysis.score.runner import ScoreOptions, score_database  # noqa: E402
from analysis.store import connect  # noqa: E402

SAMPLE = REPO / "data" / "sample"

FRAGMENTS = (
    "Where is the UN in all of this?",
    "The Security Council met again and produced another statement.",
    "International law means nothing if nobody enforces it.",
    "The Kremlin made its choice a long time ago.",
    "Russian peacekeepers just watched from their checkpoints.",
    "Moscow is too busy with Ukraine to care.",
    "The death toll is now over 200 according to the ombudsman.",
    "How reliable are these casualty numbers, honestly?",
    "I doubt either side is telling the truth about the figures.",
    "Would be nice to have some independent verification.",
    "Propaganda from both sides as usual.",
    "Sure, and I'm the Queen of England.",
    "The Red Cross convoy finally got through with food and medicine.",
    "Families are arriving in Goris after 30 hours on the road.",
    "Please donate blankets and warm clothes if you can.",
    "Erdogan is openly celebrating, Turkey got what it wanted.",
    "Pashinyan should resign, the protests in Yerevan are growing.",
    "Macron condemned the offensive but words change nothing.",
    "The Lachin corridor was closed for nine months before this.",
    "100,000 people left their homes in a week.",
    "My thoughts are with everyone caught up in this.",
    "Thank you for the reporting, very clear article.",
    "does anyone know if the border at Kornidzor is open",
    "this is heartbreaking 💔",
    "lol the un. they'll send a fact finding mission next year",
    "Great to see aid arriving at last!",
    "Not saying it's fake, just that nobody actually knows.",
    "Azerbaijan says only military targets were hit.",
    "Baku and Yerevan both claim victory in the talks.",
    "The numbers don't add up if you look at the hospital reports.",
    "Peace at last, hopefully for good this time.",
    "Why does the article not mention the blockade?",
    "My grandmother was born in Stepanakert.",
    "What a terrible week for the region.",
    "teh situation is getting worse every day",
    "Good on the volunteers, they are doing incredible work.",
)


def build_corpus(db: Path, comments: int, articles: int, seed: int) -> None:
    """A fresh database with the sample articles copied `articles` times and `comments` comments."""
    with connect(db) as conn:
        ingest(conn, [SAMPLE])
        conn.execute(
            "INSERT INTO articles (article_id, title, source_id)"
            " SELECT a.article_id || '_copy' || i, a.title, a.source_id FROM articles a, range(1, ?) t(i)",
            [articles],
        )
        conn.execute(
            "INSERT INTO passages SELECT p.article_id || '_copy' || i, p.passage_no, p.kind, p.heading, p.text"
            " FROM passages p, range(1, ?) t(i)",
            [articles],
        )
        ids = [row[0] for row in conn.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()]
        rng = random.Random(seed)
        frame = pl.DataFrame(
            {
                "article_id": [rng.choice(ids) for _ in range(comments)],
                "comment_id": [f"gen{i}" for i in range(comments)],
                "text": [" ".join(rng.sample(FRAGMENTS, rng.randint(1, 4))) for _ in range(comments)],
            }
        )
        conn.register("_gen", frame)
        conn.execute(
            "INSERT INTO comments (article_id, comment_id, text, source_id)"
            " SELECT article_id, comment_id, text, 1 FROM _gen"
        )
        conn.unregister("_gen")


def timed_score(db: Path, workers: int) -> tuple[int, float]:
    with connect(db) as conn:
        started = time.perf_counter()
        summary = score_database(conn, ScoreOptions(workers=workers))
        return summary.comments, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=100, help="copies of each sample article")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rp-bench-"))
    try:
        sample_db = workdir / "sample.duckdb"
        with connect(sample_db) as conn:
            ingest(conn, [SAMPLE])
        n, seconds = timed_score(sample_db, args.workers)
        print(f"sample: {n} comments in {seconds:.2f}s = {n / seconds:,.0f} comments/s (fixed start-up cost dominates)")

        corpus_db = workdir / "corpus.duckdb"
        started = time.perf_counter()
        build_corpus(corpus_db, args.comments, args.articles, args.seed)
        print(f"generated {args.comments:,} comments on {args.articles * 5} articles in {time.perf_counter() - started:.1f}s")
        n, seconds = timed_score(corpus_db, args.workers)
        print(f"corpus: {n:,} comments in {seconds:.1f}s = {n / seconds:,.0f} comments/s with {args.workers} worker(s)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
