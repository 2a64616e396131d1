"""Open the DuckDB file and bring its schema up to date with the numbered migrations."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


Params = Sequence[object] | Mapping[str, object] | None


def run(conn: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> list[Any]:
    """Execute one statement with bound parameters and fetch its result to the end.

    DuckDB wants a statement's result consumed before the connection does other work.
    """
    return conn.execute(sql, params).fetchall()


def run_count(conn: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> int:
    """Execute an INSERT/UPDATE/DELETE (or a count query) and return the number it reports."""
    rows = run(conn, sql, params)
    return int(rows[0][0]) if rows and rows[0] and rows[0][0] is not None else 0


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT, or ROLLBACK when the block (or the COMMIT) raises: all of it or none of it.

    The error raised is the block's: a ROLLBACK of a transaction the error already ended (a
    failed COMMIT, say) is not an error of its own.
    """
    run(conn, "BEGIN TRANSACTION")
    try:
        yield
        run(conn, "COMMIT")
    except BaseException:
        with suppress(duckdb.Error):
            run(conn, "ROLLBACK")
        raise


@contextmanager
def memory_limit(conn: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """DuckDB's memory limit set to `limit` (e.g. '600MB') for the block, then as it was."""
    before = str(run(conn, "SELECT current_setting('memory_limit')")[0][0])
    run(conn, "SET memory_limit = ?", [limit])
    try:
        yield
    finally:
        with suppress(duckdb.Error):
            run(conn, "SET memory_limit = ?", [before])


@contextmanager
def registered(conn: duckdb.DuckDBPyConnection, name: str, frame: object) -> Iterator[str]:
    """Make a polars/Arrow frame queryable as `name` for the duration of the block."""
    conn.register(name, frame)
    try:
        yield name
    except BaseException:
        # the transaction may be aborted; the original error is the one worth reporting
        with suppress(duckdb.Error):
            conn.unregister(name)
        raise
    conn.unregister(name)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The migrations shipped with the package, in order."""
    found = []
    for entry in resources.files(__package__ or __name__).joinpath("migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(
            f"migrations must be numbered 0001, 0002, … without gaps; found {versions}"
        )
    return found


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this database (0 for a new file)."""
    run(
        conn,
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
    )
    return run_count(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations")


def migrate(conn: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration newer than the database's version, each in its own transaction."""
    applied = []
    current = schema_version(conn)
    for migration in migrations():
        if migration.version <= current:
            continue
        with transaction(conn):
            conn.execute(migration.sql).fetchall()
            run(
                conn,
                "INSERT INTO schema_migrations VALUES (?, ?, now())",
                [migration.version, migration.name],
            )
        applied.append(migration.version)
    return applied


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (or create) the database file, migrated to the current schema."""
    path = Path(path)
    if read_only:
        # bring an older file up to date first; then open it so that nothing can change it
        _migrate_file(path)
        conn = duckdb.connect(str(path), read_only=True)
        run(conn, "SET TimeZone = 'UTC'")
        return conn
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(path))
    # Dates are bucketed in UTC unless a query says otherwise; the file itself stores instants.
    run(conn, "SET TimeZone = 'UTC'")
    migrate(conn)
    return conn


def _migrate_file(path: Path) -> None:
    with duckdb.connect(str(path)) as conn:
        migrate(conn)


def setting(conn: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = run(conn, "SELECT value FROM settings WHERE key = ?", [key])
    return str(rows[0][0]) if rows else None


def pseudonym_secret(conn: duckdb.DuckDBPyConnection) -> bytes:
    """The per-database key for commenter pseudonyms, created on first use."""
    value = setting(conn, "pseudonym_secret")
    if value is None:
        run(
            conn,
            "INSERT INTO settings VALUES ('pseudonym_secret', ?) ON CONFLICT DO NOTHING",
            [secrets.token_hex(32)],
        )
        value = setting(conn, "pseudonym_secret")
        assert value is not None
    return bytes.fromhex(value)
