"""Word tokens and stemmed content terms, for one text or for a whole column at once.

The same regular expression drives NLTK's `RegexpTokenizer` (one text at a time) and polars'
`str.extract_all` (a column at a time), so both paths produce the same tokens. Stemming uses
NLTK's Snowball stemmer, which needs no downloaded data; on a column each distinct word is
stemmed once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import polars as pl

from .stopwords import STOPWORDS

if TYPE_CHECKING:
    from nltk.stem.snowball import SnowballStemmer
    from nltk.tokenize import RegexpTokenizer

# Letters (with inner apostrophes: "don't", "russia's") or numbers ("5,000", "2.5").
WORD_PATTERN = r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+(?:[.,]\d+)*"

# Typographic apostrophes and quotes folded to ASCII before matching anything.
APOSTROPHES = "[\u2018\u2019\u201b\u02bc\u0060\u00b4]"
QUOTES = "[\u201c\u201d\u201e\u201f\u00ab\u00bb]"

# Dotted acronyms are written without dots before tokenising ("U.N." -> "un"), so they meet
# their undotted spelling; "U.S." becomes "usa", not the stop word "us".
_US = r"\b[Uu]\.[Ss]\.(?:[Aa]\.)?"
_DOTTED = r"\b([^\W\d_])\.([^\W\d_])\.(?:([^\W\d_])\.)?"


# NLTK is imported when first needed: it takes a quarter of a second, which commands that
# tokenise nothing (reports, queries, a re-tag) need not pay.
@lru_cache(maxsize=1)
def _tokenizer() -> RegexpTokenizer:
    from nltk.tokenize import RegexpTokenizer

    return RegexpTokenizer(WORD_PATTERN)


@lru_cache(maxsize=1)
def _stemmer() -> SnowballStemmer:
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


def normalise(text: str) -> str:
    """Lower case, typographic apostrophes and quotes made ASCII, dotted acronyms undotted."""
    text = re.sub(_DOTTED, lambda m: "".join(g or "" for g in m.groups()), re.sub(_US, "usa", text))
    return fold_punctuation(text).lower()


def normalise_expr(expr: pl.Expr) -> pl.Expr:
    """`normalise` for a polars string column."""
    undotted = expr.str.replace_all(_US, "usa").str.replace_all(_DOTTED, "${1}${2}${3}")
    return fold_punctuation_expr(undotted).str.to_lowercase()


def fold_punctuation(text: str) -> str:
    """Typographic apostrophes become ', typographic double quotes become \"."""
    return re.sub(QUOTES, '"', re.sub(APOSTROPHES, "'", text))


def fold_punctuation_expr(expr: pl.Expr) -> pl.Expr:
    """`fold_punctuation` for a polars string column."""
    return expr.str.replace_all(APOSTROPHES, "'").str.replace_all(QUOTES, '"')


def tokenize(text: str) -> list[str]:
    """Lower-cased word and number tokens of `text`."""
    return list(_tokenizer().tokenize(normalise(text)))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lower-case word."""
    return str(_stemmer().stem(word))


def _keep(token: str) -> bool:
    return token not in STOPWORDS and len(token) > 1


def _clean(token: str) -> str:
    """Possessive "'s" dropped, thousands separators removed from numbers."""
    if token.endswith("'s"):
        token = token[:-2]
    if token[:1].isdigit():
        token = token.replace(",", "")
    return token


def content_terms(text: str) -> list[str]:
    """Stemmed tokens of `text` without stop words, in order (repeats kept)."""
    cleaned = (_clean(t) for t in tokenize(text) if _keep(t))
    return [stem(t) if not t[:1].isdigit() else t for t in cleaned if _keep(t)]


def term_frame(frame: pl.DataFrame, keys: Sequence[str], text: str = "text") -> pl.DataFrame:
    """One row per content-term occurrence: the `keys` columns of its row and `term`.

    Column-wise equivalent of `content_terms`: tokens are extracted and exploded in polars, and
    only the distinct words of the whole column go through the stemmer.
    """
    tokens = (
        frame.lazy()
        .select(
            *keys,
            normalise_expr(pl.col(text)).str.extract_all(WORD_PATTERN)
            .alias("token"),
        )
        .explode("token")
        .drop_nulls("token")
        .filter(~pl.col("token").is_in(list(STOPWORDS)) & (pl.col("token").str.len_chars() > 1))
        .with_columns(
            pl.when(pl.col("token").str.contains(r"^\d"))
            .then(pl.col("token").str.replace_all(",", "", literal=True))
            .otherwise(pl.col("token").str.replace(r"'s$", ""))
            .alias("token")
        )
        .filter(~pl.col("token").is_in(list(STOPWORDS)) & (pl.col("token").str.len_chars() > 1))
        .collect()
    )
    vocab = tokens.get_column("token").unique()
    stems = pl.DataFrame(
        {"token": vocab, "term": [t if t[:1].isdigit() else stem(t) for t in vocab]},
        schema={"token": pl.String, "term": pl.String},
    )
    return tokens.join(stems, on="token", how="left", maintain_order="left").select(*keys, "term")
