"""The DuckDB file's schema (numbered migrations), statements and transactions; `access` opens it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from . import keys

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


Params = Sequence[object] | Mapping[str, object] | None


def statement(name: str) -> str:
    """The SQL of `store/sql/<name>.sql`."""
    return resources.files(__package__ or __name__).joinpath("sql", f"{name}.sql").read_text("utf-8")


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


def create_temp_view(conn: duckdb.DuckDBPyConnection, name: str, sql: str, args: str | None = None) -> None:
    """Create (or replace) the temporary view `name` of the query `sql` on this connection; with
    `args`, a table macro taking them. `name` and `args` are spliced into the statement: they
    must come from the package's own files, never from a user."""
    if args is None:
        conn.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS\n{sql}")
    else:
        conn.execute(f"CREATE OR REPLACE TEMP MACRO {name}({args}) AS TABLE\n{sql}")


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
    """The migrations shipped with the package, in order of their numbers.

    Numbers are unique but need not be consecutive: `migrate` applies every one a database has
    not recorded, so a migration numbered below one already applied still runs.
    """
    found = []
    for entry in resources.files(__package__ or __name__).joinpath("migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions) or (versions and versions[0] < 1):
        raise RuntimeError(f"migrations must have distinct numbers from 0001 up; found {versions}")
    return found


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this database (0 for a new file)."""
    return max(applied_migrations(conn), default=0)


def applied_migrations(conn: duckdb.DuckDBPyConnection) -> set[int]:
    """The migrations recorded in the database (none for a new file); reads only."""
    exists = run_count(
        conn,
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
        " AND schema_name = 'main' AND table_name = 'schema_migrations'",
    )
    if not exists:
        return set()
    return {int(row[0]) for row in run(conn, "SELECT version FROM schema_migrations")}


def pending_migrations(conn: duckdb.DuckDBPyConnection) -> list[Migration]:
    """The shipped migrations this database has not recorded yet, in order."""
    applied = applied_migrations(conn)
    return [m for m in migrations() if m.version not in applied]


def migrate(conn: duckdb.DuckDBPyConnection, key_file: str | Path | None = None) -> list[int]:
    """Apply every migration the database has not recorded, each in its own transaction (with
    its Python step, if it has one, in the same transaction)."""
    run(
        conn,
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
    )
    applied = []
    for migration in pending_migrations(conn):
        with transaction(conn):
            step = _PYTHON_STEPS.get(migration.name)
            if step is not None:
                step(conn, key_file)
            conn.execute(migration.sql).fetchall()
            run(
                conn,
                "INSERT INTO schema_migrations VALUES (?, ?, now())",
                [migration.version, migration.name],
            )
        applied.append(migration.version)
    return applied


# Work a migration needs beyond its SQL, run just before it, by migration name.
_PYTHON_STEPS: dict[str, Callable[[duckdb.DuckDBPyConnection, str | Path | None], None]] = {
    "pseudonym_key_apart": keys.move_key_out,
}
