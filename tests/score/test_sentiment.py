"""VADER sentiment: identical to vaderSentiment, comment and sentence level, labels, workers."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import polars as pl
import pytest
from readerpulse.evaluate import read_groundtruth
from readerpulse.score import sentiment
from readerpulse.score.sentiment import INLINE_BELOW, SentimentScorer, label, label_expr
from readerpulse.text import split_sentences
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tests.conftest import shared_path

ICWSM = ("tweets", "nytEditorialSnippets", "movieReviewSnippets", "amazonReviewSnippets")


@pytest.fixture(scope="module")
def analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def pool() -> Iterator[SentimentScorer]:
    """Two worker processes, started once for the module."""
    with SentimentScorer(workers=2) as scorer:
        yield scorer


def test_labels_use_the_usual_thresholds() -> None:
    assert [label(c) for c in (0.05, 0.0499, 0.0, -0.0499, -0.05, 0.9)] == [
        "positive", "neutral", "neutral", "neutral", "negative", "positive",
    ]
    compounds = pl.Series([0.05, 0.0499, -0.05, -0.0499])
    assert pl.select(label_expr(pl.lit(compounds))).to_series().to_list() == [label(c) for c in compounds]


@pytest.mark.slow
@pytest.mark.parametrize("name", ICWSM)
def test_compound_is_identical_to_vadersentiment_on_icwsm(
    name: str, analyzer: SentimentIntensityAnalyzer, pool: SentimentScorer
) -> None:
    path = shared_path("external", "vader_icwsm2014", f"{name}_GroundTruth.txt")
    texts = read_groundtruth(path)["text"].to_list()
    ours = pool.score(texts, sentences=False).comments
    expected = [analyzer.polarity_scores(t) for t in texts]
    for column in ("neg", "neu", "pos", "compound"):
        assert ours[column].to_list() == [e[column] for e in expected], column


def test_comment_and_sentence_scores_equal_vadersentiment_on_the_gold_texts(analyzer: SentimentIntensityAnalyzer) -> None:
    with shared_path("gold", "comments_dev.csv").open(encoding="utf-8", newline="") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    result = SentimentScorer(workers=1).score(texts)
    assert result.comments["compound"].to_list() == [analyzer.polarity_scores(t)["compound"] for t in texts]
    expected = [
        (i, n, s, analyzer.polarity_scores(s)["compound"])
        for i, t in enumerate(texts)
        for n, s in enumerate(split_sentences(t), start=1)
    ]
    ours = [
        (i, n, texts[i][start:end], compound)
        for i, n, start, end, compound in result.sentences.select(
            "index", "sentence_no", "start_char", "end_char", "compound"
        ).rows()
    ]
    assert ours == expected


def test_text_goes_to_vader_unchanged(analyzer: SentimentIntensityAnalyzer) -> None:
    # Capitals, "!!!", emoji and HTML entities all matter to VADER: nothing is normalised.
    texts = ["GREAT news!!! 😀", "great news", "not &amp; bad", ""]
    ours = SentimentScorer(workers=1).score(texts).comments
    assert ours.drop("index").to_dicts() == [analyzer.polarity_scores(t) for t in texts]
    assert ours["compound"][3] == 0.0


def test_workers_give_the_same_scores_as_one_process(pool: SentimentScorer) -> None:
    texts = [f"comment {i}: {'good' if i % 3 else 'terrible'} news. Really?" for i in range(INLINE_BELOW + 10)]
    inline = SentimentScorer(workers=1).score(texts)
    pool.chunk_size = 700
    pooled = pool.score(texts)
    assert pooled.comments.equals(inline.comments)
    assert pooled.sentences.equals(inline.sentences)
    assert pooled.comments["index"].to_list() == list(range(len(texts)))


def test_start_lets_other_work_happen_before_result() -> None:
    pending = SentimentScorer(workers=1).start(["good"])
    assert pending.result().comments["compound"].to_list() == [0.4404]


def test_lexicon_hash_covers_the_shipped_lexicons() -> None:
    package = resources.files("vaderSentiment")
    digest = hashlib.sha256()
    for name in ("vader_lexicon.txt", "emoji_utf8_lexicon.txt"):
        digest.update(Path(str(package.joinpath(name))).read_bytes())
    assert sentiment.lexicon_hash() == digest.hexdigest()
    assert sentiment.VERSION.startswith("vaderSentiment-3.3.2/")
