"""Sentence splitting with NLTK's Punkt algorithm, untrained, plus a list of abbreviations.

No NLTK data is downloaded: `PunktSentenceTokenizer` is built from `PunktParameters` that know
the abbreviations news comments use ("U.N.", "Mr.", "incl."), so those do not end a sentence.
Line breaks always end a sentence: readers use them to separate thoughts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

ABBREVIATIONS = frozenset(
    ["u.n", "u.s", "u.k", "e.u", "u.s.a", "mr", "mrs", "ms", "dr", "prof", "st", "gen", "lt", "col", "maj", "sgt", "capt", "adm", "sen", "rep", "gov", "pres", "amb", "min", "dept", "govt", "incl", "approx", "est", "vs", "e.g", "i.e", "a.m", "p.m", "etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "nos", "fig", "cf", "ca", "jr", "sr", "co", "corp", "ltd", "inc"]
)

_LINE_BREAKS = re.compile(r"\s*(?:\r\n|\r|\n)\s*")
# Where Punkt could end a sentence: ".", "?" or "!" with more text after it. A line without one
# is a single sentence, and Punkt (the slow part) is skipped for it.
_POSSIBLE_END = re.compile(r"[.?!]\S*\s+\S")
_WORDY = re.compile(r"\w")


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
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


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, in order; no empty strings."""
    sentences: list[str] = []
    for line in _LINE_BREAKS.split(text):
        line = line.strip()
        if line:
            sentences.extend(_line_sentences(line))
    return sentences
