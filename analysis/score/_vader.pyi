"""Types of the C extension readerpulse.score._vader (source: _vader.c)."""

from collections.abc import Iterable

class Analyzer:
    def __new__(
        cls,
        lexicon: dict[str, float],
        emojis: dict[str, str],
        boosters: dict[str, float],
        negate: Iterable[str],
        special_cases: dict[str, float],
    ) -> Analyzer: ...
    def polarity_scores(self, text: str, /) -> dict[str, float]:
        """{'neg', 'neu', 'pos', 'compound'}, as vaderSentiment 3.3.2's polarity_scores."""

    def polarity_scores_many(self, texts: Iterable[str], /) -> bytes:
        """4 * len(texts) native float64: all neg, then all neu, pos, compound."""

    def score_sentences(self, texts: Iterable[str], spans: bytes, /) -> tuple[bytes, bytes]:
        """Scores of every text and of every span (readerpulse.text.sentence_spans_raw), float64
        column by column."""

def _lower_isupper(word: str, /) -> tuple[str, bool]:
    """(word.lower(), word.isupper()) as the C code computes them for a token."""

def _round(x: float, ndigits: int, /) -> float:
    """round(x, ndigits) as the scores are rounded (0 <= ndigits <= 4, |x| < 1024)."""
