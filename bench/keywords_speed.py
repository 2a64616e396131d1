"""Throughput of the keyword layer (`keyword_matches`) on a generated corpus.

    .venv/bin/python bench/corpus.py --comments 200000 --out build/bench/corpus-200000
    POLARS_MAX_THREADS=1 .venv/bin/python bench/keywords_speed.py build/bench/corpus-200000

Reads the corpus's comment texts, then times `keyword_matches` with the taxonomy in force
(best of --repeat runs) and prints comments per second of wall and of CPU time.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl
from readerpulse.score.keywords import keyword_matches
from readerpulse.score.taxonomy import load_taxonomy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="folder with comments-week-*.jsonl (bench/corpus.py)")
    parser.add_argument("--taxonomy", help="taxonomy file (default: the one in force)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = pl.concat(
        [pl.read_ndjson(path).select("text") for path in sorted(args.corpus.glob("comments-week-*.jsonl"))]
    )["text"]
    taxonomy = load_taxonomy(args.taxonomy)
    best = cpu = float("inf")
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        matches = keyword_matches(texts, taxonomy)
        best = min(best, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    hits = {c: int((matches[c].list.len() > 0).sum()) for c in matches.columns}
    print(f"{len(texts):,} comments, {texts.str.len_bytes().sum() / 1e6:.1f} MB of text, "
          f"{sum(len(t.keywords) for t in taxonomy.labels)} keywords, polars threads {pl.thread_pool_size()}")
    print(f"keyword_matches: {best:.3f} s (best of {args.repeat}), {len(texts) / best:,.0f} comments/s; "
          f"CPU {cpu:.3f} s, {len(texts) / cpu:,.0f} comments per CPU-second (less sensitive to a busy machine)")
    print("comments with a keyword: " + ", ".join(f"{c} {n:,}" for c, n in hits.items()))


if __name__ == "__main__":
    main()
