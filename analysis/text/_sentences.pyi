"""Types of the C extension readerpulse.text._sentences (source: _sentences.c)."""

from collections.abc import Iterable

class Splitter:
    def __new__(cls, table: bytes, abbreviations: Iterable[str]) -> Splitter: ...
    def split(self, text: str, /) -> list[str]:
        """The sentences of text, as readerpulse.text.split_sentences."""

    def spans_many(self, texts: Iterable[str]) -> bytes:
        """int32 text index, start, end and number of every sentence, column by column."""
