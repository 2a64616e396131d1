"""Sentence splitting with NLTK's Punkt algorithm, untrained, plus a list of abbreviations.

No NLTK data is downloaded: `PunktSentenceTokenizer` is built from `PunktParameters` that know
the abbreviations news comments use ("U.N.", "Mr.", "incl."), so those do not end a sentence.
Line breaks always end a sentence: readers use them to separate thoughts.

`split_sentences_punkt` is that algorithm in Python (NLTK's own code): the specification.
`split_sentences` and `sentence_spans` give the same sentences from C (`_sentences.c`, which
mirrors NLTK's Punkt step by step); tests/text/test_sentences_native.py checks the two against
each other. NLTK compiles Punkt's expressions with the `regex` module, whose \\s, \\w and \\d
follow its own Unicode tables: those classes are read from `regex` itself and handed to C.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa
import regex

from . import _sentences

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktSentenceTokenizer

ABBREVIATIONS = frozenset(
    ["u.n", "u.s", "u.k", "e.u", "u.s.a", "mr", "mrs", "ms", "dr", "prof", "st", "gen", "lt", "col", "maj", "sgt", "capt", "adm", "sen", "rep", "gov", "pres", "amb", "min", "dept", "govt", "incl", "approx", "est", "vs", "e.g", "i.e", "a.m", "p.m", "etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "nos", "fig", "cf", "ca", "jr", "sr", "co", "corp", "ltd", "inc"]
)

_LINE_BREAKS = re.compile(r"\s*(?:\r\n|\r|\n)\s*")
# Where Punkt could end a sentence: ".", "?" or "!" with more text after it. A line without one
# is a single sentence, and Punkt (the slow part) is skipped for it.
_POSSIBLE_END = re.compile(r"[.?!]\S*\s+\S")
_WORDY = re.compile(r"\w")

SPAN_COLUMNS = ("index", "start", "end", "sentence_no")


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    from nltk.tokenize.punkt import (  # the reference only: loaded when used
        PunktParameters,
        PunktSentenceTokenizer,
    )

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def _line_sentences(line: str) -> list[str]:
    """Sentences of one stripped, non-empty line."""
    if not _POSSIBLE_END.search(line):
        return [line]
    spans: list[list[int]] = []
    for start, end in _tokenizer().span_tokenize(line):
        if spans and not _WORDY.search(line, start, end):
            spans[-1][1] = end  # Punkt cuts "great!!" into "great!" and "!": keep them together
        else:
            spans.append([start, end])
    return [line[start:end].strip() for start, end in spans if line[start:end].strip()]


def split_sentences_punkt(text: str) -> list[str]:
    """The sentences of `text` by NLTK's Punkt in Python (the reference for the C splitter)."""
    sentences: list[str] = []
    for line in _LINE_BREAKS.split(text):
        line = line.strip()
        if line:
            sentences.extend(_line_sentences(line))
    return sentences


def regex_class_table() -> bytes:
    """One byte per code point: 1 if `regex` matches it with \\s, 2 with \\w, 4 with \\d."""
    everything = array("I", range(0x110000)).tobytes().decode("utf-32-le", "surrogatepass")
    table = bytearray(0x110000)
    for bit, cls in ((1, r"\s+"), (2, r"\w+"), (4, r"\d+")):
        for match in regex.finditer(cls, everything, regex.UNICODE):
            for code in range(match.start(), match.end()):
                table[code] |= bit
    return bytes(table)


@lru_cache(maxsize=1)
def _splitter() -> _sentences.Splitter:
    return _sentences.Splitter(regex_class_table(), sorted(ABBREVIATIONS))


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, in order; no empty strings."""
    return _splitter().split(text)


def sentence_spans_raw(texts: Sequence[str]) -> bytes:
    """Every sentence of every text as four native int32 columns, one after the other.

    Columns: index (into `texts`), start, end (code point offsets: `texts[index][start:end]` is
    the sentence), sentence_no (from 1); rows in text order, then sentence order. One call into
    C, which releases the GIL while it works.
    """
    return _splitter().spans_many(texts)


def _int32_columns(raw: bytes, names: Sequence[str]) -> dict[str, pa.Array]:
    n = len(raw) // (4 * len(names))
    buffer = pa.py_buffer(raw)
    return {
        name: pa.Array.from_buffers(pa.int32(), n, [None, buffer], offset=k * n)
        for k, name in enumerate(names)
    }


def sentence_spans(texts: Sequence[str]) -> tuple[pl.DataFrame, bytes]:
    """Every sentence of every text, and the raw spans (as `sentence_spans_raw` gives them).

    The frame has Int32 columns index, start, end, sentence_no: `texts[index][start:end]` is
    the sentence.
    """
    raw = sentence_spans_raw(texts)
    frame = pl.from_arrow(pa.table(_int32_columns(raw, SPAN_COLUMNS)))
    assert isinstance(frame, pl.DataFrame)
    return frame, raw
