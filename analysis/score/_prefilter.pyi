"""Types of the C extension analysis.score._prefilter (source: _prefilter.c)."""

from collections.abc import Iterable, Sequence
from typing import Any

class Prefilter:
    def __new__(
        cls,
        literals: Sequence[tuple[str, bool, int, Sequence[int]]],
        n_requirements: int,
        entries: Sequence[Sequence[int]],
        outputs: Sequence[int],
        n_outputs: int,
        bypass: str,
    ) -> Prefilter: ...
    def candidates(self, texts: Iterable[str], /) -> tuple[bytes, bytes]:
        """int64 offsets per output and the int32 rows that meet one of its entries."""
    def scan(
        self, offsets: Any, data: Any, first: int, n: int, table: bytes, /
    ) -> tuple[bytes, bytes, bytes, bytes, bytes]:
        """Rows first..first+n-1 of an Arrow large_string array (int64 offsets, UTF-8 data, any
        buffers): candidates (offsets, rows: output o of row r as 2 * o + (flags[r] & 1)), the
        texts with stand-ins (int64 offsets, data) and flags per row (1: a non-ASCII character
        of a class is left, 2: some character got a stand-in)."""
