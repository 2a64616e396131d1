"""Types of the C extension analysis.score._features (source: _features.c)."""

from typing import TypeAlias

Buffer: TypeAlias = bytes | bytearray | memoryview

MAX_BYTES: int

def hashed(offsets: Buffer, data: Buffer, bits: int, /) -> tuple[bytes, bytes, bytes]:
    """CSR arrays (int64 indptr, int32 indices, float32 values) of the hashed features."""

def project(offsets: Buffer, data: Buffer, bits: int, weights: Buffer, k: int, /) -> bytes:
    """float32 rows x k: the hashed features times a 2**bits x k float32 matrix."""
