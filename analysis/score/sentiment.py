"""VADER sentiment per comment and per sentence, equal to vaderSentiment's own output.

The text goes to `SentimentIntensityAnalyzer.polarity_scores` unchanged, so neg/neu/pos/compound
are exactly what vaderSentiment returns for the comment and for each of its sentences (split by
`analysis.text.split_sentences`). VADER is a per-text Python function: batches are cut into
chunks and scored in worker processes (one analyzer per worker), so both cores work.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata, resources
from types import TracebackType

import polars as pl
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.text import split_sentences

SCORER = "sentiment"
PACKAGE_VERSION = metadata.version("vaderSentiment")
VERSION = f"vaderSentiment-{PACKAGE_VERSION}/sentences-1"
POSITIVE = 0.05
NEGATIVE = -0.05
DEFAULT_WORKERS = 2
CHUNK_SIZE = 1000
# Below this many texts a batch is scored in this process: starting workers would cost more.
INLINE_BELOW = 2000
_LEXICON_FILES = ("vader_lexicon.txt", "emoji_utf8_lexicon.txt")

COMMENT_SCHEMA = {
    "index": pl.Int64,
    "neg": pl.Float64,
    "neu": pl.Float64,
    "pos": pl.Float64,
    "compound": pl.Float64,
}
SENTENCE_SCHEMA = {
    "index": pl.Int64,
    "sentence_no": pl.Int32,
    "text": pl.String,
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
    digest = hashlib.sha256()
    package = resources.files("vaderSentiment")
    for name in _LEXICON_FILES:
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()


@dataclass
class ChunkScores:
    """Scores of one chunk of texts, column by column (cheap to send between processes)."""

    start: int
    neg: list[float] = field(default_factory=list)
    neu: list[float] = field(default_factory=list)
    pos: list[float] = field(default_factory=list)
    compound: list[float] = field(default_factory=list)
    s_index: list[int] = field(default_factory=list)
    s_no: list[int] = field(default_factory=list)
    s_text: list[str] = field(default_factory=list)
    s_neg: list[float] = field(default_factory=list)
    s_neu: list[float] = field(default_factory=list)
    s_pos: list[float] = field(default_factory=list)
    s_compound: list[float] = field(default_factory=list)


_ANALYZER: SentimentIntensityAnalyzer | None = None


def _init_worker() -> None:
    global _ANALYZER
    _ANALYZER = SentimentIntensityAnalyzer()


def _analyzer() -> SentimentIntensityAnalyzer:
    if _ANALYZER is None:
        _init_worker()
    assert _ANALYZER is not None
    return _ANALYZER


def score_chunk(start: int, texts: Sequence[str], sentences: bool = True) -> ChunkScores:
    """VADER scores of `texts` (whole text, and each sentence when `sentences`)."""
    analyzer = _analyzer()
    out = ChunkScores(start)
    for offset, text in enumerate(texts):
        scores = analyzer.polarity_scores(text)
        out.neg.append(scores["neg"])
        out.neu.append(scores["neu"])
        out.pos.append(scores["pos"])
        out.compound.append(scores["compound"])
        if not sentences:
            continue
        for number, sentence in enumerate(split_sentences(text), start=1):
            # A one-sentence comment is its own sentence: same input, same scores.
            s = scores if sentence == text else analyzer.polarity_scores(sentence)
            out.s_index.append(start + offset)
            out.s_no.append(number)
            out.s_text.append(sentence)
            out.s_neg.append(s["neg"])
            out.s_neu.append(s["neu"])
            out.s_pos.append(s["pos"])
            out.s_compound.append(s["compound"])
    return out


@dataclass
class SentimentResult:
    """Comment-level scores (by `index`, the position in the input) and sentence-level scores."""

    comments: pl.DataFrame
    sentences: pl.DataFrame


def _frames(chunks: Sequence[ChunkScores]) -> SentimentResult:
    comments = pl.DataFrame(
        {
            "index": [c.start + i for c in chunks for i in range(len(c.compound))],
            "neg": [v for c in chunks for v in c.neg],
            "neu": [v for c in chunks for v in c.neu],
            "pos": [v for c in chunks for v in c.pos],
            "compound": [v for c in chunks for v in c.compound],
        },
        schema=COMMENT_SCHEMA,
    )
    sentences = pl.DataFrame(
        {
            "index": [v for c in chunks for v in c.s_index],
            "sentence_no": [v for c in chunks for v in c.s_no],
            "text": [v for c in chunks for v in c.s_text],
            "neg": [v for c in chunks for v in c.s_neg],
            "neu": [v for c in chunks for v in c.s_neu],
            "pos": [v for c in chunks for v in c.s_pos],
            "compound": [v for c in chunks for v in c.s_compound],
        },
        schema=SENTENCE_SCHEMA,
    )
    return SentimentResult(comments, sentences)


def _chunks(texts: Sequence[str], size: int) -> Iterator[tuple[int, Sequence[str]]]:
    for start in range(0, len(texts), size):
        yield start, texts[start : start + size]


class PendingSentiment:
    """Scores being computed; `result()` waits for them (computes them, when run inline)."""

    def __init__(self, compute: Callable[[], SentimentResult]) -> None:
        self._compute = compute

    def result(self) -> SentimentResult:
        """The scores, waiting for the workers if they are still busy."""
        return self._compute()


class SentimentScorer:
    """Scores batches of texts, in worker processes when a batch is large enough.

    Use as a context manager: the workers start on the first large batch and stop on exit.
    """

    def __init__(self, workers: int = DEFAULT_WORKERS, chunk_size: int = CHUNK_SIZE) -> None:
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
        """Stop the worker processes (a no-op when none were started)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> Executor:
        if self._pool is None:
            # spawn, not fork: the parent runs DuckDB and polars thread pools.
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
            )
        return self._pool

    def start(self, texts: Sequence[str], *, sentences: bool = True) -> PendingSentiment:
        """Begin scoring `texts` in the workers; the caller can do other work meanwhile."""
        texts = list(texts)
        if self.workers == 1 or len(texts) < INLINE_BELOW:
            return PendingSentiment(lambda: _frames([score_chunk(0, texts, sentences)]))
        pool = self._executor()
        futures = [
            pool.submit(score_chunk, start, chunk, sentences)
            for start, chunk in _chunks(texts, self.chunk_size)
        ]
        return PendingSentiment(lambda: _frames([f.result() for f in futures]))

    def score(self, texts: Sequence[str], *, sentences: bool = True) -> SentimentResult:
        """Scores of every text, in input order."""
        return self.start(texts, sentences=sentences).result()
