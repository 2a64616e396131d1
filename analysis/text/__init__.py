"""Text helpers: sentence splitting, tokens, stems and stop words (NLTK, no downloaded data)."""

from .sentences import split_sentences
from .tokens import (
    content_terms,
    fold_punctuation,
    fold_punctuation_expr,
    normalise,
    stem,
    term_frame,
    tokenize,
)

# A comment is scored on its first SCORED_CHARS characters (at most a few thousand sentences);
# the import notes every longer comment in the rejects table.
SCORED_CHARS = 100_000

__all__ = [
    "SCORED_CHARS",
    "content_terms",
    "fold_punctuation",
    "fold_punctuation_expr",
    "normalise",
    "split_sentences",
    "stem",
    "term_frame",
    "tokenize",
]
