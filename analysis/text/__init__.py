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

__all__ = [
    "content_terms",
    "fold_punctuation",
    "fold_punctuation_expr",
    "normalise",
    "split_sentences",
    "stem",
    "term_frame",
    "tokenize",
]
