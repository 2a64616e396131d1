"""VADER sentiment in C: the scores of vaderSentiment 3.3.2, bit for bit, many times faster.

`polarity_scores(text)` returns the same dict as
`vaderSentiment.vaderSentiment.SentimentIntensityAnalyzer().polarity_scores(text)`;
`polarity_scores_many(texts)` scores a whole list in one call into C and returns the four
columns as a polars frame. The rules are implemented in `_vader.c`, which mirrors the package's
code line by line (quirks included) with the same double arithmetic and Python's own rounding;
tests/score/test_vader_native.py compares the two on every ICWSM-2014 text and sentence and on
generated comment-like text.

The tables come from the installed package: the lexicon and emoji lexicon files, parsed as the
package parses them, and its BOOSTER_DICT, NEGATE and SPECIAL_CASES. `lexicon_hash()` identifies
the lexicon files for run records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata, resources

import polars as pl
import pyarrow as pa
from vaderSentiment import vaderSentiment as _package

try:
    from . import _vader
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "the native VADER module readerpulse.score._vader is not built: run "
        "`.venv/bin/pip install -e . --no-deps` (needs gcc and the Python headers)"
    ) from exc

SUPPORTED_VERSION = "3.3.2"
PACKAGE_VERSION = metadata.version("vaderSentiment")
if PACKAGE_VERSION != SUPPORTED_VERSION:  # pragma: no cover - pinned in pyproject.toml
    raise ImportError(
        f"readerpulse.score._vader reproduces vaderSentiment {SUPPORTED_VERSION}, "
        f"but {PACKAGE_VERSION} is installed: check its rules against _vader.c first"
    )

VERSION = f"vaderSentiment-{SUPPORTED_VERSION}/native-1"
LEXICON_FILES = ("vader_lexicon.txt", "emoji_utf8_lexicon.txt")
COLUMNS = ("neg", "neu", "pos", "compound")
SCHEMA = {name: pl.Float64 for name in COLUMNS}


def _package_file(name: str) -> bytes:
    return resources.files("vaderSentiment").joinpath(name).read_bytes()


def make_lex_dict(text: str) -> dict[str, float]:
    """The package's `make_lex_dict`: `word<TAB>measure[<TAB>...]` per line."""
    lex_dict: dict[str, float] = {}
    for line in text.rstrip("\n").split("\n"):
        if not line:
            continue
        word, measure = line.strip().split("\t")[0:2]
        lex_dict[word] = float(measure)
    return lex_dict


def make_emoji_dict(text: str) -> dict[str, str]:
    """The package's `make_emoji_dict`: `emoji<TAB>description` per line."""
    emoji_dict: dict[str, str] = {}
    for line in text.rstrip("\n").split("\n"):
        emoji, description = line.strip().split("\t")[0:2]
        emoji_dict[emoji] = description
    return emoji_dict


def _build() -> _vader.Analyzer:
    # The package reads both files with codecs.open(encoding="utf-8"): no newline translation.
    lexicon = make_lex_dict(_package_file(LEXICON_FILES[0]).decode("utf-8"))
    emojis = make_emoji_dict(_package_file(LEXICON_FILES[1]).decode("utf-8"))
    return _vader.Analyzer(
        lexicon, emojis, _package.BOOSTER_DICT, _package.NEGATE, _package.SPECIAL_CASES
    )


_ANALYZER = _build()


def analyzer() -> _vader.Analyzer:
    """The module's scorer (built once, at import)."""
    return _ANALYZER


def polarity_scores(text: str) -> dict[str, float]:
    """{'neg', 'neu', 'pos', 'compound'} of `text`, equal to vaderSentiment's `polarity_scores`."""
    return _ANALYZER.polarity_scores(text)


def polarity_scores_many(texts: Sequence[str]) -> pl.DataFrame:
    """Scores of every text, in order: Float64 columns neg, neu, pos, compound.

    The whole list is scored in one call into C, which releases the GIL while it works, so
    threads can score batches in parallel. Every item must be a str (TypeError otherwise).
    """
    raw = _ANALYZER.polarity_scores_many(texts)
    n = len(raw) // (8 * len(COLUMNS))
    buffer = pa.py_buffer(raw)
    table = pa.table(
        {
            name: pa.Array.from_buffers(pa.float64(), n, [None, buffer], offset=k * n)
            for k, name in enumerate(COLUMNS)
        }
    )
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


@lru_cache(maxsize=1)
def lexicon_hash() -> str:
    """SHA-256 over the bytes of the package's vader_lexicon.txt, then emoji_utf8_lexicon.txt."""
    digest = hashlib.sha256()
    for name in LEXICON_FILES:
        digest.update(_package_file(name))
    return digest.hexdigest()
