"""Types of the C extension readerpulse.score._features (source: _features.c)."""

from typing import TypeAlias

Buffer: TypeAlias = bytes | bytearray | memoryview

MAX_BYTES: int

def hashed(offsets: Buffer, data: Buffer, bits: int, /) -> tuple[bytes, bytes, bytes]:
    """CSR arrays (int64 indptr, int32 indices, float32 values) of the hashed features."""

def project(
    offsets: Buffer, data: Buffer, bits: int, weights: Buffer, k: int, top: int = 0, skip: Buffer | None = None, /
) -> bytes | tuple[bytes, bytes, bytes]:
    """float32 rows x k: the hashed features times a 2**bits x k float32 matrix; with top > 0, a
    tuple with also the top word contributions (float32 rows x k x top) and their character
    spans (int32 rows x k x top x 2) in the normalised text, leaving out the words whose unigram
    bucket is set in skip (one byte per bucket) and pairs of two of them."""
