"""A text column as the Arrow buffers the C extensions read."""

from __future__ import annotations

import polars as pl
import pyarrow as pa


def text_buffers(texts: pl.Series) -> tuple[memoryview, memoryview | bytes]:
    """int64 offsets (one more than rows) into the UTF-8 bytes of the texts (null: empty)."""
    texts = texts.cast(pl.String)
    if texts.null_count():
        texts = texts.fill_null("")
    arr = texts.rechunk().to_arrow(compat_level=pl.CompatLevel.oldest())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    _, offsets, data = arr.buffers()
    view = memoryview(offsets).cast("B")[arr.offset * 8 : (arr.offset + len(arr) + 1) * 8]
    return view, (b"" if data is None else memoryview(data).cast("B"))
