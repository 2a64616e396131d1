"""The evidence of each hit, put together from Arrow buffers: the keywords it matched, then the
words of the comment that pushed the model's decision most (`features.project_top`).

Per hit the two lists are concatenated and a word that is also one of the hit's keywords is
shown once, as the keyword. Done with offsets and `take` over whole columns: a join of the words
to the hits and a concatenation of lists per row cost more than finding the words did.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from .features import TopWords
from .model import Model


def hit_evidence(
    hits: pl.DataFrame, matches: pl.DataFrame, model: Model, found: TopWords | None, written: list[str]
) -> pl.Series:
    """Per hit (`_row`, `label`), in the order of `hits`: the keywords of `matches` (a column per
    label) matched, then the words `found` for (row, the label's output) by the model, if any; a
    word spelled like a keyword of the hit once. `written`: every keyword as written in the
    taxonomy (only a word spelled like one of them can repeat a keyword)."""
    parts = hits.select("_row", "label").with_row_index("_hit").partition_by("label", as_dict=True, maintain_order=True)
    if not parts:
        return pl.Series("evidence", [], dtype=pl.List(pl.String))
    columns = {label: i for i, label in enumerate(model.labels)}
    places, keyword_lists, keys = [], [], []
    for (label,), part in parts.items():  # the hits of one label
        rows = part["_row"]
        places.append(part["_hit"].to_numpy())
        keyword_lists.append(matches[str(label)].gather(rows))
        column = columns.get(str(label), -1)  # -1: decided by keywords alone
        keys.append(rows.to_numpy().astype(np.int64) * len(model.outputs) + column if column >= 0 else np.full(part.height, -1))
    key = np.concatenate(keys)
    keywords = _arrow_lists(pl.concat(keyword_lists))
    if found is not None and len(found.rows):
        found_keys = found.rows * len(model.outputs) + found.outputs  # ascending: by row, then output
        at = np.minimum(np.searchsorted(found_keys, key), len(found_keys) - 1)
        words, has_words = _arrow_lists(found.words), (key >= 0) & (found_keys[at] == key)
    else:
        at, has_words = np.zeros(len(key), dtype=np.int64), np.zeros(len(key), dtype=bool)
        words = _arrow_lists(pl.Series([[]], dtype=pl.List(pl.String)))
    hit, values, counts = _concatenated(keywords, words, at, has_words)
    keep = ~_repeats(hit, values, counts, np.diff(keywords.offsets.to_numpy()), written)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(hit[keep], minlength=len(key)))])
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), values.filter(pa.array(keep)))
    return pl.Series("evidence", lists, dtype=pl.List(pl.String)).gather(np.argsort(np.concatenate(places), kind="stable"))


def _concatenated(
    keywords: pa.LargeListArray, words: pa.LargeListArray, at: np.ndarray, has_words: np.ndarray
) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """Per hit i, its keywords (list i of `keywords`) then, if has_words[i], the words of list
    at[i] of `words`, as one column of strings: the hit of each string, the strings, and the
    number of strings per hit."""
    k_off, w_off = keywords.offsets.to_numpy(), words.offsets.to_numpy()
    k_len = np.diff(k_off)
    counts = k_len + np.where(has_words, np.diff(w_off)[at], 0)
    hit = np.repeat(np.arange(len(counts)), counts)
    local = np.arange(hit.size) - np.repeat(np.cumsum(counts) - counts, counts)  # place in its hit
    is_word = local >= k_len[hit]
    source = np.where(is_word, len(keywords.values) + w_off[at[hit]] + local - k_len[hit], k_off[hit] + local)
    return hit, pa.concat_arrays([keywords.values, words.values]).take(pa.array(source)), counts


def _repeats(hit: np.ndarray, values: pa.Array, counts: np.ndarray, k_len: np.ndarray, written: list[str]) -> np.ndarray:
    """Which strings of `_concatenated` are words equal to a keyword of their hit (its first
    k_len strings)."""
    starts = np.cumsum(counts) - counts
    words = np.flatnonzero(np.arange(hit.size) - starts[hit] >= k_len[hit])
    spelled = pc.is_in(values.take(pa.array(words)), value_set=pa.array(written, pa.large_string()))
    candidates = words[spelled.to_numpy(zero_copy_only=False)]
    owner = hit[candidates]
    # each candidate beside each keyword of its hit
    pairs = np.repeat(candidates, k_len[owner])
    nth = np.arange(pairs.size) - np.repeat(np.cumsum(k_len[owner]) - k_len[owner], k_len[owner])
    keyword = np.repeat(starts[owner], k_len[owner]) + nth
    same = pc.equal(values.take(pa.array(pairs)), values.take(pa.array(keyword))).to_numpy(zero_copy_only=False)
    repeated = np.zeros(hit.size, dtype=bool)
    repeated[pairs[same]] = True
    return repeated


def _arrow_lists(series: pl.Series) -> pa.LargeListArray:
    """A List[String] column as one Arrow large list of large strings."""
    array = series.rechunk().to_arrow(compat_level=pl.CompatLevel.oldest())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    assert isinstance(array, pa.LargeListArray)
    return array
