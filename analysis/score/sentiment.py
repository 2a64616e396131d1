"""VADER sentiment per comment and per sentence, equal to vaderSentiment's own output.

The text goes to VADER unchanged, so neg/neu/pos/compound are exactly what vaderSentiment
3.3.2's `SentimentIntensityAnalyzer.polarity_scores` returns for the comment and for each of its
sentences (split by `readerpulse.text.split_sentences`). Both run in C: `readerpulse.score.vader`
(the package's rules, bit-identical scores) and `readerpulse.text.sentences` (Punkt's decisions,
identical sentences); tests compare each with the Python package it mirrors. A batch is one
call into C per chunk, which releases the GIL, so chunks are scored by threads, one per core,
while the calling thread does other work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

import polars as pl
import pyarrow as pa

from ..text.sentences import sentence_spans
from . import vader

SCORER = "sentiment"
PACKAGE_VERSION = vader.PACKAGE_VERSION
# The scores are vaderSentiment's; the version names the implementation that computed them.
VERSION = f"{vader.VERSION}/sentences-1"
POSITIVE = 0.05
NEGATIVE = -0.05
DEFAULT_WORKERS = 2
# Below this many texts a batch is scored in the calling thread: handing it over costs more.
INLINE_BELOW = 2000

COMMENT_SCHEMA = {
    "index": pl.Int64,
    "neg": pl.Float64,
    "neu": pl.Float64,
    "pos": pl.Float64,
    "compound": pl.Float64,
}
# A sentence is where it is in its comment: code point offsets start_char..end_char (0-based,
# end exclusive), i.e. text[start_char:end_char]; the database's `sentences` view shows its text.
SENTENCE_SCHEMA = {
    "index": pl.Int64,
    "sentence_no": pl.Int32,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "neg": pl.Float64,
    "neu": pl.Float64,
    "pos": pl.Float64,
    "compound": pl.Float64,
}


def label(compound: float) -> str:
    """'positive' (>= 0.05), 'negative' (<= -0.05) or 'neutral': VADER's usual thresholds."""
    if compound >= POSITIVE:
        return "positive"
    if compound <= NEGATIVE:
        return "negative"
    return "neutral"


def label_expr(compound: pl.Expr) -> pl.Expr:
    """`label` for a column of compound scores."""
    return (
        pl.when(compound >= POSITIVE)
        .then(pl.lit("positive"))
        .when(compound <= NEGATIVE)
        .then(pl.lit("negative"))
        .otherwise(pl.lit("neutral"))
    )


def lexicon_hash() -> str:
    """SHA-256 over the lexicon files shipped with the installed vaderSentiment."""
    return vader.lexicon_hash()


@dataclass
class SentimentResult:
    """Comment-level scores (by `index`, the position in the input) and sentence-level scores."""

    comments: pl.DataFrame
    sentences: pl.DataFrame


def _float_columns(raw: bytes, n: int) -> dict[str, pa.Array]:
    buffer = pa.py_buffer(raw)
    return {
        name: pa.Array.from_buffers(pa.float64(), n, [None, buffer], offset=k * n)
        for k, name in enumerate(vader.COLUMNS)
    }


def score_texts(texts: Sequence[str], sentences: bool = True, start: int = 0) -> SentimentResult:
    """VADER scores of `texts` (whole text, and each sentence when `sentences`), in this thread.

    `start` is added to the `index` of every row (the position of texts[0] in a larger batch).
    """
    texts = list(texts)
    n = len(texts)
    index = pl.int_range(start, start + n, dtype=pl.Int64, eager=True).alias("index")
    if not sentences:
        raw = vader.analyzer().polarity_scores_many(texts)
        comments = pl.DataFrame([index, *(pl.Series(k, v) for k, v in _float_columns(raw, n).items())])
        return SentimentResult(comments.cast(COMMENT_SCHEMA), pl.DataFrame(schema=SENTENCE_SCHEMA))  # type: ignore[arg-type]
    spans, raw_spans = sentence_spans(texts)
    raw_comments, raw_sentences = vader.analyzer().score_sentences(texts, raw_spans)
    comments = pl.DataFrame([index, *(pl.Series(k, v) for k, v in _float_columns(raw_comments, n).items())])
    scores = _float_columns(raw_sentences, spans.height)
    sentence_rows = spans.select(
        (pl.col("index").cast(pl.Int64) + start).alias("index"),
        "sentence_no",
        pl.col("start").alias("start_char"),
        pl.col("end").alias("end_char"),
    ).with_columns(pl.Series(k, v) for k, v in scores.items())
    return SentimentResult(
        comments.cast(COMMENT_SCHEMA),  # type: ignore[arg-type]
        sentence_rows.cast(SENTENCE_SCHEMA),  # type: ignore[arg-type]
    )


class PendingSentiment:
    """Scores being computed; `result()` waits for them (computes them, when run inline)."""

    def __init__(self, compute: Callable[[], SentimentResult]) -> None:
        self._compute = compute

    def result(self) -> SentimentResult:
        """The scores, waiting for the threads if they are still busy."""
        return self._compute()


def _concat(parts: Sequence[SentimentResult]) -> SentimentResult:
    if len(parts) == 1:
        return parts[0]
    return SentimentResult(
        pl.concat([p.comments for p in parts], rechunk=False),
        pl.concat([p.sentences for p in parts], rechunk=False),
    )


class SentimentScorer:
    """Scores batches of texts: large batches in chunks on `workers` threads.

    Use as a context manager: the threads start on the first large batch and stop on exit.
    """

    def __init__(self, workers: int = DEFAULT_WORKERS, chunk_size: int | None = None) -> None:
        self.workers = max(1, workers)
        self.chunk_size = chunk_size
        self._pool: Executor | None = None

    def __enter__(self) -> SentimentScorer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the threads (a no-op when none were started)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> Executor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="vader")
        return self._pool

    def start(self, texts: Sequence[str], *, sentences: bool = True) -> PendingSentiment:
        """Begin scoring `texts` on the threads; the caller can do other work meanwhile."""
        texts = list(texts)
        if len(texts) < INLINE_BELOW:
            return PendingSentiment(lambda: score_texts(texts, sentences))
        # one chunk per thread by default: each is one call into C
        size = self.chunk_size or -(-len(texts) // self.workers)
        pool = self._executor()
        futures: list[Future[SentimentResult]] = [
            pool.submit(score_texts, texts[i : i + size], sentences, i) for i in range(0, len(texts), size)
        ]
        return PendingSentiment(lambda: _concat([f.result() for f in futures]))

    def score(self, texts: Sequence[str], *, sentences: bool = True) -> SentimentResult:
        """Scores of every text, in input order."""
        return self.start(texts, sentences=sentences).result()

    def comment_scores(self, texts: Sequence[str]) -> pl.DataFrame:
        """VADER's neg, neu, pos and compound of every text, in input order (no sentences): what
        the scoring models read."""
        return self.score(texts, sentences=False).comments.select(vader.COLUMNS)
