"""Types of the C extension analysis.text._sentences (source: _sentences.c)."""

from collections.abc import Iterable
from typing import Literal, overload

class Splitter:
    def __new__(cls, table: bytes, abbreviations: Iterable[str]) -> Splitter: ...
    def split(self, text: str, /) -> list[str]:
        """The sentences of text, as analysis.text.split_sentences."""

    @overload
    def spans_many(self, texts: Iterable[str], with_text: Literal[False] = ...) -> bytes: ...
    @overload
    def spans_many(self, texts: Iterable[str], with_text: Literal[True]) -> tuple[bytes, bytes, bytes]:
        """int32 text index, start, end and number of every sentence, column by column; with
        with_text also the sentences' int64 offsets and UTF-8 data (an Arrow large_string)."""
