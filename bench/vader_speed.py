"""VADER speed on one core: vaderSentiment's Python loop against the native scorer.

    .venv/bin/python bench/vader_speed.py                 # ICWSM-2014 texts, their sentences, comments
    .venv/bin/python bench/vader_speed.py --comments 50000 --repeat 5

For each set of texts it prints texts/s of
  package  `SentimentIntensityAnalyzer().polarity_scores(t)` for every text (vaderSentiment 3.3.2),
  single   `readerpulse.score.vader.polarity_scores(t)` for every text (a Python loop over the C call),
  many     `readerpulse.score.vader.polarity_scores_many(texts)` (one call; a polars frame back),
and the ratios to the package. The sets: the ICWSM-2014 ground-truth texts (../shared, skipped
when absent), their sentences (split with readerpulse.text beforehand, not timed), and generated
25-word reader comments (fixed seed): words of those texts or of a built-in list, lexicon words,
boosters, negations, "but", ALL CAPS, emoji, "!!!" and "??". Each timing is the best of --repeat
runs; the process is pinned to one CPU. The scores are checked against the package's first.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from readerpulse.score import vader  # noqa: E402
from readerpulse.text import split_sentences  # noqa: E402
from vaderSentiment import vaderSentiment as package  # noqa: E402

ICWSM_DIR = REPO.parent / "shared" / "external" / "vader_icwsm2014"
ICWSM = ("tweets", "nytEditorialSnippets", "movieReviewSnippets", "amazonReviewSnippets")
PLAIN_TEXT = (
    "the a of to and in that is was it for on with as at by this from they we you he she have "
    "has had not be are were will would could should about their there what which who when where "
    "people government city report article story week today news council vote police minister "
    "said says just only also even still again more than some many every other after before into"
)
EMOJI = ("😀", "😡", "👍", "🙄", "😂", "💔", "🔥", "🤔")


def read_icwsm() -> list[str]:
    texts: list[str] = []
    for name in ICWSM:
        path = ICWSM_DIR / f"{name}_GroundTruth.txt"
        if path.exists():
            with path.open(encoding="utf-8", newline="") as fh:
                texts.extend(row.split("\t", 2)[2] for row in fh.read().split("\r\n") if row)
    return texts


def comments(count: int, words_per_comment: int, pool: Sequence[str], seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    lexicon = sorted(package.SentimentIntensityAnalyzer().lexicon)
    boosters = sorted(k for k in package.BOOSTER_DICT if " " not in k)
    negations = ["not", "isn't", "don't", "never", "no", "without", "can't"]
    out = []
    for _ in range(count):
        words = []
        for _ in range(words_per_comment):
            r = rng.random()
            if r < 0.18:
                w = rng.choice(lexicon)
            elif r < 0.23:
                w = rng.choice(boosters)
            elif r < 0.27:
                w = rng.choice(negations)
            elif r < 0.28:
                w = "but"
            else:
                w = rng.choice(pool)
            if rng.random() < 0.04:
                w = w.upper()
            elif rng.random() < 0.08:
                w = w.capitalize()
            if rng.random() < 0.08:
                w += rng.choice((".", ",", "!", "?", "!!!", "??", "..."))
            words.append(w)
        if rng.random() < 0.15:
            words.append(rng.choice(EMOJI))
        out.append(" ".join(words))
    return out


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def bench(label: str, texts: list[str], repeat: int, package_repeat: int) -> None:
    analyzer = package.SentimentIntensityAnalyzer()
    # same scores first (the tests do this thoroughly; here it guards the numbers below)
    frame = vader.polarity_scores_many(texts)
    for i in range(0, len(texts), max(1, len(texts) // 500)):
        expected = analyzer.polarity_scores(texts[i])
        assert vader.polarity_scores(texts[i]) == expected, texts[i]
        assert frame.row(i) == tuple(expected.values()), texts[i]

    def run_package() -> None:
        for t in texts:
            analyzer.polarity_scores(t)

    def run_single() -> None:
        score = vader.polarity_scores
        for t in texts:
            score(t)

    def run_many() -> None:
        vader.polarity_scores_many(texts)

    n = len(texts)
    words = sum(len(t.split()) for t in texts) / max(n, 1)
    t_package = best_of(package_repeat, run_package)
    t_single = best_of(repeat, run_single)
    t_many = best_of(repeat, run_many)
    print(f"{label}: {n:,} texts, {words:.1f} words per text")
    print(f"  package  {n / t_package:>12,.0f} texts/s")
    print(f"  single   {n / t_single:>12,.0f} texts/s   {t_package / t_single:6.1f} x package")
    print(f"  many     {n / t_many:>12,.0f} texts/s   {t_package / t_many:6.1f} x package")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=20_000, help="generated comments (default 20,000)")
    parser.add_argument("--words", type=int, default=25, help="words per generated comment (default 25)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the native paths; best counts")
    parser.add_argument("--package-repeat", type=int, default=2, help="runs of the package loop; best counts")
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin to (-1: do not pin)")
    args = parser.parse_args()
    if args.cpu >= 0 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})

    icwsm = read_icwsm()
    if icwsm:
        bench("ICWSM-2014 texts", icwsm, args.repeat, args.package_repeat)
        sentences = [s for t in icwsm for s in split_sentences(t)]
        bench("ICWSM-2014 sentences", sentences, args.repeat, args.package_repeat)
    else:
        print(f"(no ICWSM-2014 files in {ICWSM_DIR}: those sets are skipped)")
    # words of the ICWSM texts with their frequencies (a running-text mix), else the built-in list
    pool = [w for t in icwsm for w in re.findall(r"[A-Za-z']+", t)] or PLAIN_TEXT.split()
    generated = comments(args.comments, args.words, pool)
    bench(f"generated {args.words}-word comments", generated, args.repeat, args.package_repeat)


if __name__ == "__main__":
    main()
