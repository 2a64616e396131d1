"""What the models see of a comment: hashed word and character n-grams, plus a few dense features.

Sparse part (C, `_features.c`): the text is normalised by polars (`normalised`: the keyword
layer's words, lower-cased: apostrophes dropped, `?` and `!` words of their own, every other run
of non-letters and non-digits one space), then each word, each pair of neighbouring words and each 3- to 5-byte
slice of a space-padded word is hashed into one of 2**bits buckets. `hashed_reference` is the
same in Python: the tests hold the C code to it.

Dense part (numpy, `dense`): VADER's neg/neu/pos/compound; per label of the taxonomy, how many of
its keywords the comment matched and how many its parent matched (thread context: a reply is often
about what it answers); whether it is a reply; its question and exclamation marks; its length.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
from scipy import sparse

from ..text.buffers import text_buffers
from . import _features
from .keywords import normalised_text

MAX_BYTES = _features.MAX_BYTES  # of the normalised text; the rest of a longer comment is not read
NGRAMS = (3, 4, 5)
# Keyword counts saturate: a fourth keyword says little more than a third.
KEYWORD_CAP = 3


def normalised(text: pl.Expr) -> pl.Expr:
    """Lower-cased words (letters and digits, and `?` and `!`) separated by single spaces: the
    keyword layer's normalisation (readerpulse.score.keywords), lower-cased."""
    return normalised_text(text).str.to_lowercase()


def normalise(texts: pl.Series) -> pl.Series:
    """`normalised` applied to a column."""
    return pl.select(normalised(pl.lit(texts))).to_series()


def hashed(texts: pl.Series, bits: int) -> sparse.csr_matrix:
    """The sparse features of raw texts, one row each, 2**bits columns (float32)."""
    offsets, data = text_buffers(normalise(texts))
    indptr, indices, values = _features.hashed(offsets, data, bits)
    rows = len(texts)
    return sparse.csr_matrix(
        (
            np.frombuffer(values, dtype=np.float32).copy(),
            np.frombuffer(indices, dtype=np.int32).copy(),
            np.frombuffer(indptr, dtype=np.int64).copy(),
        ),
        shape=(rows, 1 << bits),
    )


WIDE = 16  # outputs a padded row of weights holds (`padded`)


def padded(weights: np.ndarray) -> np.ndarray:
    """The weights (2**bits x k, k <= WIDE) with each row padded with zeros to WIDE float32 on
    its own 64-byte cache line: the C projection reads them faster, with the same sums. Pass
    the number of real outputs (`outputs`) with them."""
    rows, k = weights.shape
    if k > WIDE:
        raise ValueError(f"at most {WIDE} outputs can be padded, not {k}")
    flat = np.zeros(rows * WIDE + WIDE, dtype=np.float32)
    start = (-flat.ctypes.data % 64) // 4  # the first row on a line
    out = flat[start : start + rows * WIDE].reshape(rows, WIDE)
    out[:, :k] = weights
    return out


def _weights(weights: np.ndarray, outputs: int | None) -> tuple[memoryview, int]:
    array = np.ascontiguousarray(weights, dtype=np.float32)
    return array.data.cast("B"), outputs if outputs is not None else array.shape[1]


def project(
    texts: pl.Series,
    bits: int,
    weights: np.ndarray,
    normalised_texts: pl.Series | None = None,
    outputs: int | None = None,
) -> np.ndarray:
    """The sparse features of raw texts times `weights` (2**bits x k, float32; or `padded`, with
    `outputs` = k): rows x k.

    Computed in C without building the feature matrix; releases the GIL. `normalised_texts`,
    when the caller has them already, saves normalising again."""
    buffer, k = _weights(weights, outputs)
    offsets, data = text_buffers(normalised_texts if normalised_texts is not None else normalise(texts))
    out = _features.project(offsets, data, bits, buffer, k)
    return np.frombuffer(out, dtype=np.float32).reshape(len(texts), k)


@dataclass(frozen=True)
class TopWords:
    """Per (text, output) pair kept by `project_top`: its distinct top words, largest first."""

    rows: np.ndarray  # int64
    outputs: np.ndarray  # int32
    words: pl.Series  # List[String], words or word pairs of the normalised text


def project_top(
    texts: pl.Series,
    bits: int,
    weights: np.ndarray,
    top: int,
    words: int,
    normalised_texts: pl.Series | None = None,
    skip: np.ndarray | None = None,
    bar: np.ndarray | None = None,
    outputs: int | None = None,
) -> tuple[np.ndarray, TopWords]:
    """`project` (its sums added word by word), and per text and output whose sum reaches `bar`
    (rows x k; None: every one) the distinct words or word pairs, at most `words`, among the
    `top` of the normalised text that add most to the sum (positive contributions only, largest
    first, the earlier on a tie; a word repeated takes two of the `top` places). A word's
    contribution is its own feature and its char n-grams; a pair's, its pair feature
    (`word_shares`). `skip` (`bucket_mask`): words left out of the top words, and pairs of two
    of them (function words: no evidence). Only pairs with a word are listed. `weights` may be
    `padded`, with `outputs` = k. Releases the GIL."""
    buffer, k = _weights(weights, outputs)
    offsets, data = text_buffers(normalised_texts if normalised_texts is not None else normalise(texts))
    n = len(texts)
    mask = None if skip is None else np.ascontiguousarray(skip, dtype=np.uint8).data.cast("B")
    bars = None if bar is None else np.ascontiguousarray(bar, dtype=np.float32).reshape(-1).view(np.uint8).data
    sums, rows, columns, lists, strings, chars = _features.project_words(
        offsets, data, bits, buffer, k, top, words, mask, bars
    )
    n_strings = len(strings) // 8 - 1
    values = pa.LargeStringArray.from_buffers(n_strings, pa.py_buffer(strings), pa.py_buffer(chars))
    column = pl.from_arrow(pa.LargeListArray.from_arrays(pa.array(np.frombuffer(lists, dtype=np.int64)), values))
    assert isinstance(column, pl.Series)
    found = TopWords(
        np.frombuffer(rows, dtype=np.int64), np.frombuffer(columns, dtype=np.int32), column.cast(pl.List(pl.String))
    )
    return np.frombuffer(sums, dtype=np.float32).reshape(n, k), found


def _fnv(tag: bytes, piece: bytes) -> int:
    h = 2166136261
    for byte in tag + piece:
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


def cut(normalised_text: str) -> bytes:
    """The UTF-8 bytes of the text that are read: at most MAX_BYTES, cut before a character."""
    data = normalised_text.encode()
    if len(data) <= MAX_BYTES:
        return data
    end = MAX_BYTES
    while end > 0 and data[end] & 0xC0 == 0x80:
        end -= 1
    return data[:end]


def feature_names(normalised_text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The word features ('w'/'b', text) and char features ('c', text) of one normalised text,
    in the order the C code hashes them."""
    words = [w for w in cut(normalised_text).split(b" ") if w]
    word_features: list[tuple[str, str]] = []
    char_features: list[tuple[str, str]] = []
    for i, word in enumerate(words):
        word_features.append(("w", word.decode(errors="surrogateescape")))
        if i:
            word_features.append(("b", (words[i - 1] + b" " + word).decode(errors="surrogateescape")))
        padded = b" " + word + b" "
        for n in NGRAMS:
            for j in range(len(padded) - n + 1):
                char_features.append(("c", padded[j : j + n].decode(errors="surrogateescape")))
    return word_features, char_features


def bucket(tag: str, text: str, bits: int) -> int:
    """The bucket of one feature."""
    return _fnv(tag.encode(), text.encode(errors="surrogateescape")) & ((1 << bits) - 1)


def hashed_reference(texts: Sequence[str], bits: int) -> sparse.csr_matrix:
    """`hashed` in plain Python: the definition the C code is tested against."""
    rows, cols, vals = [], [], []
    for row, text in enumerate(normalise(pl.Series(list(texts), dtype=pl.String)).to_list()):
        for family in feature_names(text):
            weight = 1.0 / math.sqrt(len(family)) if family else 0.0
            for tag, piece in family:
                rows.append(row)
                cols.append(bucket(tag, piece, bits))
                vals.append(np.float32(weight))
    return sparse.csr_matrix(
        (np.array(vals, dtype=np.float32), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
        shape=(len(texts), 1 << bits),
    )


def word_shares(normalised_text: str, bits: int, column: np.ndarray) -> list[tuple[str, float]]:
    """Each word occurrence's and each pair's share of one output's n-gram sum (`column`: that
    output's 2**bits weights), in text order: a word's share is its own feature and its char
    n-grams, a pair's its pair feature. The shares add up to the sum."""
    word_features, char_features = feature_names(normalised_text)
    w_word = np.float32(1 / math.sqrt(len(word_features))) if word_features else np.float32(0)
    w_char = np.float32(1 / math.sqrt(len(char_features))) if char_features else np.float32(0)
    words = [w for w in cut(normalised_text).split(b" ") if w]
    shares: list[tuple[str, float]] = []
    for i, word in enumerate(words):
        text = word.decode()
        _, chars = feature_names(text)
        value = w_word * column[bucket("w", text, bits)]
        for _, piece in chars:
            value += w_char * column[bucket("c", piece, bits)]
        shares.append((text, float(value)))
        if i:
            pair = (words[i - 1] + b" " + word).decode()
            shares.append((pair, float(w_word * column[bucket("b", pair, bits)])))
    return shares


def bucket_mask(words: Iterable[str], bits: int) -> np.ndarray:
    """One byte per bucket, 1 where the unigram feature of one of `words` falls (`project_top`'s skip)."""
    mask = np.zeros(1 << bits, dtype=np.uint8)
    mask[[bucket("w", word, bits) for word in words]] = 1
    return mask


def top_words_reference(
    normalised_text: str, bits: int, column: np.ndarray, top: int, skip: np.ndarray | None = None
) -> list[tuple[str, float]]:
    """`project_top`'s words of one output in plain Python: the `top` largest positive
    `word_shares`, largest first (the earlier on a tie), without the skipped words and pairs of
    two skipped words."""

    def skipped(piece: str) -> bool:
        return skip is not None and all(skip[bucket("w", word, bits)] for word in piece.split(" "))

    shares = word_shares(normalised_text, bits, column)
    ranked = sorted((c for c in shares if c[1] > 0 and not skipped(c[0])), key=lambda c: -c[1])
    return ranked[:top]


def dense_names(labels: Sequence[str]) -> list[str]:
    """The dense features, in column order, for a model of these keyword labels."""
    return [
        "vader_neg", "vader_neu", "vader_pos", "vader_compound",
        *(f"keywords_{label}" for label in labels),
        *(f"parent_keywords_{label}" for label in labels),
        "is_reply", "questions", "exclamations", "length",
    ]


def dense(
    texts: pl.Series,
    vader: pl.DataFrame,
    keyword_counts: np.ndarray,
    parent_counts: np.ndarray,
    is_reply: np.ndarray,
) -> np.ndarray:
    """The dense features (rows x dense_names), float32.

    `vader`: neg, neu, pos, compound per text; `keyword_counts`/`parent_counts`: distinct keywords
    matched per label (rows x labels) by the text and by its parent (0 without one)."""
    marks = pl.DataFrame({"text": texts.fill_null("")}).select(
        (pl.col("text").str.count_matches("?", literal=True).clip(0, 3) / 3).alias("questions"),
        (pl.col("text").str.count_matches("!", literal=True).clip(0, 3) / 3).alias("exclamations"),
        (pl.col("text").str.len_chars().cast(pl.Float64).log1p() / 8).alias("length"),
    )
    cap = float(KEYWORD_CAP)
    columns = [
        vader.select("neg", "neu", "pos", "compound").to_numpy(),
        np.minimum(keyword_counts, cap) / cap,
        np.minimum(parent_counts, cap) / cap,
        is_reply.reshape(-1, 1),
        marks.to_numpy(),
    ]
    return np.hstack([np.asarray(c, dtype=np.float32) for c in columns])
