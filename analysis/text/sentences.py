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


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, in order; no empty strings."""
    tokenizer = _tokenizer()
    sentences: list[str] = []
    for line in _LINE_BREAKS.split(text):
        if line.strip():
            sentences.extend(s.strip() for s in tokenizer.tokenize(line) if s.strip())
    return sentences
