"""Types of the C extension readerpulse.score._features (source: _features.c)."""

from typing import TypeAlias

Buffer: TypeAlias = bytes | bytearray | memoryview

MAX_BYTES: int

def hashed(offsets: Buffer, data: Buffer, bits: int, /) -> tuple[bytes, bytes, bytes]:
    """CSR arrays (int64 indptr, int32 indices, float32 values) of the hashed features."""

def project(offsets: Buffer, data: Buffer, bits: int, weights: Buffer, k: int, /) -> bytes:
    """float32 rows x k: the hashed features times a 2**bits x k float32 matrix."""

def project_words(
    offsets: Buffer,
    data: Buffer,
    bits: int,
    weights: Buffer,
    k: int,
    top: int,
    words: int,
    skip: Buffer | None,
    bar: Buffer | None,
    /,
) -> tuple[bytes, bytes, bytes, bytes, bytes, bytes]:
    """The sums (float32 rows x k, added word by word) and, per (row, output) whose sum reaches
    bar (float32 rows x k; None: every one) and that has a positive word: its row (int64), its
    output (int32) and its distinct words among the `top` largest shares, at most `words`, leaving
    out the words whose unigram bucket is set in skip (one byte per bucket) and pairs of two of
    them: int64 list offsets (pairs + 1) into the words, int64 string offsets (words + 1) into the
    UTF-8 data, and the data."""
