"""Types of the C extension analysis.score._prefilter (source: _prefilter.c)."""

from collections.abc import Iterable, Sequence

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
