"""Types of the C extension readerpulse.score._links (source: _links.c)."""

from typing import TypeAlias

Buffer: TypeAlias = bytes | bytearray | memoryview

F_WORD: int
F_DIGIT: int
F_LETTER: int
F_SPECIAL: int

class Linker:
    def __new__(
        cls,
        ent_off: Buffer,
        ent_term: Buffer,
        ent_idf: Buffer,
        post_off: Buffer,
        post_pass: Buffer,
        post_w: Buffer,
        pass_off: Buffer,
        pass_no: Buffer,
        min_similarity: float,
        top_k: int,
    ) -> Linker: ...
    @property
    def n_tokens(self) -> int:
        """Distinct tokens seen so far."""

    def set_codepoints(self, codepoints: Buffer, flags: Buffer, lower: Buffer, /) -> None:
        """Describe code points: uint32 code points, uint8 flags, uint32 folded lower case."""

    def tokenize(
        self, offsets: Buffer, data: Buffer, articles: Buffer, rows: Buffer | None = None, /
    ) -> tuple[list[str], bytes, bytes, bytes]:
        """Tokenize a batch, or `rows` of it again: (new tokens, int32 rows left to the
        reference, uint32 code points to describe, int32 rows to tokenize again once they are)."""

    def set_terms(self, terms: Buffer, /) -> None:
        """int32 term of each new token of the last tokenize, in order (-1: none)."""

    def score(self) -> tuple[bytes, bytes, bytes, bytes]:
        """int32 rows, passage_no, rank and float64 similarity of the batch last tokenized."""
