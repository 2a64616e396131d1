"""Opening the database file: readers share it, one writer at a time, migrations only by writers.

DuckDB lets any number of processes open a file read-only, or one process open it read-write.
Commands that only read open it read-only (so they work side by side, and on a file they may not
write) and never migrate it; commands that write migrate it first. A command that meets another
process's lock says so in one line, after retrying for `wait` seconds if asked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..errors import ReaderpulseError, one_line
from .db import migrate, pending_migrations, run

# How often a waiting command tries the lock again.
RETRY_SECONDS = 0.2


class DatabaseBusy(ReaderpulseError):
    """Another process holds the database file."""


class OutdatedDatabase(ReaderpulseError):
    """A read-only command met a database that needs migrating first."""


def _is_lock_error(exc: duckdb.Error) -> bool:
    return "Could not set lock" in str(exc)


def _open(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise ReaderpulseError(f"{path}: cannot open the database ({one_line(exc)})") from exc
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait:g}s" if wait > 0 else ""
                # a reader meets only writers; a writer meets readers too
                holder = (
                    "another readerpulse command that writes (an import or scoring run)"
                    if read_only
                    else "another command (an import, scoring, or a reader: a command that writes needs the file alone)"
                )
                raise DatabaseBusy(
                    f"{path}: in use by {holder}{waited}; try again when it ends, or give --wait SECONDS"
                ) from exc
            time.sleep(RETRY_SECONDS)


@contextmanager
def _owner_only() -> Iterator[None]:
    """Files created in the block (the database, its write-ahead log) are readable by their owner only."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def connect(
    path: str | Path, *, read_only: bool = False, wait: float = 0.0, key_file: str | Path | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the database file: read-only (it must exist and be migrated), or read-write (created
    if need be, mode 0600, and migrated to the current schema; `key_file`: where an older
    database's pseudonym key is moved to). `wait`: seconds to retry while another process holds it."""
    path = Path(path)
    if read_only:
        conn = _open(path, True, wait)
        try:
            _check_current(conn, path)
        except BaseException:
            conn.close()
            raise
    else:
        if not path.exists() and path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        with _owner_only():
            conn = _open(path, False, wait)
    # Dates are bucketed in UTC unless a query says otherwise; the file itself stores instants.
    run(conn, "SET TimeZone = 'UTC'")
    if not read_only:
        try:
            migrate(conn, key_file)
        except BaseException:
            conn.close()
            raise
    return conn


@contextmanager
def writing(
    path: str | Path, *, wait: float = 0.0, key_file: str | Path | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection for the block; every file DuckDB creates meanwhile (the
    write-ahead log, spill files) is readable by its owner only."""
    with _owner_only():
        conn = connect(path, wait=wait, key_file=key_file)
        try:
            yield conn
        finally:
            conn.close()


def _check_current(conn: duckdb.DuckDBPyConnection, path: Path) -> None:
    pending = pending_migrations(conn)
    if pending:
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in pending)
        raise OutdatedDatabase(
            f"{path}: the database needs upgrading ({names}) and this command only reads; upgrade it "
            f"with `readerpulse migrate --db {path}` (a command that writes), then try again"
        )
