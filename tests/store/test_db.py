"""Opening the database: numbered migrations, recorded and applied once."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from readerpulse.store import connect, schema_version
from readerpulse.store.db import migrations, transaction
from readerpulse.store.keys import pseudonym_key


def test_new_database_gets_every_migration_recorded(db_path: Path) -> None:
    conn = connect(db_path)
    expected = [m.version for m in migrations()]
    assert expected[:2] == [1, 2]
    assert [
        r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    ] == expected
    tables = {
        r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    assert {"sources", "articles", "passages", "comments", "rejects", "comment_facts"} <= tables
    conn.close()


def test_reopening_applies_nothing_and_keeps_data(db_path: Path) -> None:
    conn = connect(db_path)
    conn.execute("INSERT INTO settings VALUES ('k', 'v')")
    version = schema_version(conn)
    conn.close()
    again = connect(db_path)
    assert schema_version(again) == version
    assert again.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(migrations()),)
    assert again.execute("SELECT value FROM settings WHERE key = 'k'").fetchone() == ("v",)


def test_file_opens_in_a_plain_duckdb_client(db_path: Path) -> None:
    connect(db_path).close()
    plain = duckdb.connect(str(db_path), read_only=True)
    assert plain.execute("SELECT count(*) FROM comments").fetchone() == (0,)


def test_failed_migration_leaves_the_database_untouched(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readerpulse.store import db

    real = db.migrations()
    broken = [
        *real,
        db.Migration(real[-1].version + 1, "broken", "CREATE TABLE ok_table(a INT); SELECT nonsense;"),
    ]
    monkeypatch.setattr(db, "migrations", lambda: broken)
    with pytest.raises(duckdb.Error):
        connect(db_path)
    monkeypatch.undo()
    conn = connect(db_path)
    assert schema_version(conn) == real[-1].version
    assert conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ok_table'"
    ).fetchone() == (0,)


def test_pseudonym_key_is_created_once_per_database(db_path: Path, tmp_path: Path) -> None:
    conn = connect(db_path)
    first = pseudonym_key(conn)
    assert len(first) == 32
    assert pseudonym_key(conn) == first
    other = connect(tmp_path / "other.duckdb")
    assert pseudonym_key(other) != first


class CommitFails:
    """A connection whose COMMIT fails and ends the transaction, as a write-write conflict does
    (a ROLLBACK after it fails too: no transaction is active)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: object = None) -> duckdb.DuckDBPyConnection:
        if sql == "COMMIT":
            self.conn.execute("ROLLBACK")
            raise duckdb.TransactionException("Failed to commit: write-write conflict")
        return self.conn.execute(sql, params)

    def __getattr__(self, name: str) -> object:
        return getattr(self.conn, name)


def test_a_failed_commit_raises_its_own_error_and_changes_nothing(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("CREATE TABLE t (x INTEGER)")
    failing = CommitFails(conn)
    with pytest.raises(duckdb.TransactionException, match="write-write conflict"), transaction(failing):  # type: ignore[arg-type]
        failing.execute("INSERT INTO t VALUES (1)")
    assert conn.execute("SELECT count(*) FROM t").fetchall() == [(0,)]


def test_an_error_in_the_block_rolls_back(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(ValueError, match="stop"), transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise ValueError("stop")
    assert conn.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
