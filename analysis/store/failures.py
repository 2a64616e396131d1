"""Telling a failure to write the database (disk full, read-only, quota) from any other error.

Such a failure is not the fault of the file being imported: the run stops there, since every
later file would fail the same way, and the database is left as its last commit.
"""

from __future__ import annotations

import errno

import duckdb

from ..errors import one_line

# What DuckDB's messages say when the operating system refused a write of the database.
_WRITE_FAILURES = (
    "No space left on device",
    "Disk quota exceeded",
    "File too large",
    "Read-only file system",
    "Input/output error",
    "Failed to commit",
    "has been invalidated",
)
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}


def write_failure(exc: BaseException) -> str | None:
    """The reason, if `exc` is a failure to write the database; None for any other error."""
    if isinstance(exc, duckdb.FatalException):
        return one_line(exc)
    if isinstance(exc, duckdb.IOException | duckdb.TransactionException):
        message = str(exc)
        if any(text in message for text in _WRITE_FAILURES):
            return one_line(exc)
    if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
        return exc.strerror or str(exc)
    return None

