"""The pseudonym key is kept apart from the database: a key file, or the environment."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from readerpulse.cli import main
from readerpulse.store import connect, db
from readerpulse.store.access import OutdatedDatabase
from readerpulse.store.keys import KEY_ENV, KEY_FILE_ENV, MissingKey, pseudonym_key
from readerpulse.store.pseudonyms import author_key

from tests.conftest import FIXTURES

CSV = FIXTURES / "canonical" / "comments.csv"


def _ingest(db_path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["ingest", str(CSV), "--db", str(db_path), "--no-score", *extra])
    return result.exit_code, result.output


def _keys(db_path: Path) -> set[str]:
    with connect(db_path, read_only=True) as conn:
        return {r[0] for r in conn.execute("SELECT author_key FROM comments WHERE author_key IS NOT NULL").fetchall()}


def test_a_new_database_gets_a_key_file_beside_it_and_none_inside(db_path: Path) -> None:
    code, output = _ingest(db_path)
    assert code == 0, output
    key_file = Path(f"{db_path}.key")
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = bytes.fromhex(key_file.read_text())
    assert len(key) == 32
    with connect(db_path, read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM settings WHERE key = 'pseudonym_secret'").fetchone() == (0,)
    assert key.hex().encode() not in db_path.read_bytes()
    assert _keys(db_path) and _keys(db_path) <= {author_key(n, key) for n in _names()}  # made with this key


def _names() -> list[str]:
    import csv

    with CSV.open(encoding="utf-8") as handle:
        return [row["username"] for row in csv.DictReader(handle) if row.get("username")]


def test_a_copy_without_its_key_cannot_make_the_same_pseudonyms(db_path: Path, tmp_path: Path) -> None:
    assert _ingest(db_path)[0] == 0
    original = _keys(db_path)
    copy = tmp_path / "elsewhere" / "copy.duckdb"
    copy.parent.mkdir()
    shutil.copy(db_path, copy)
    # nothing in the file makes the pseudonyms: no key, and a new import is refused
    code, output = _ingest(copy)
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "copy.duckdb.key does not exist" in lines[0], output
    assert "Traceback" not in output
    assert not Path(f"{copy}.key").exists()
    with connect(copy) as conn, pytest.raises(MissingKey):
        pseudonym_key(conn)
    # a key of one's own makes other pseudonyms for the same names
    fresh = tmp_path / "fresh.duckdb"
    assert _ingest(fresh)[0] == 0
    assert _keys(fresh).isdisjoint(original)


def test_the_key_from_the_environment_or_a_key_file_option(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = bytes(range(32))
    monkeypatch.setenv(KEY_ENV, key.hex())
    assert _ingest(db_path)[0] == 0
    assert not Path(f"{db_path}.key").exists()
    assert _keys(db_path) and _keys(db_path) <= {author_key(n, key) for n in _names()}
    monkeypatch.delenv(KEY_ENV)

    other = tmp_path / "other.duckdb"
    key_file = tmp_path / "secrets" / "other.key"
    key_file.parent.mkdir()
    assert _ingest(other, "--key-file", str(key_file))[0] == 0
    assert key_file.exists() and not Path(f"{other}.key").exists()
    monkeypatch.setenv(KEY_FILE_ENV, str(key_file))
    with connect(other) as conn:
        assert pseudonym_key(conn) == bytes.fromhex(key_file.read_text())

    monkeypatch.setenv(KEY_ENV, "not hex")
    code, output = _ingest(tmp_path / "third.duckdb")
    assert code == 2 and "not a pseudonym key" in output


def test_migration_moves_an_older_database_s_key_out(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    every = db.migrations()
    monkeypatch.setattr(db, "migrations", lambda: [m for m in every if m.name != "pseudonym_key_apart"])
    old = connect(db_path)
    secret = bytes(range(100, 132))
    old.execute("INSERT INTO settings VALUES ('pseudonym_secret', ?)", [secret.hex()])
    old.execute(
        "INSERT INTO comments (article_id, comment_id, author_key, text, source_id) VALUES ('a', 'c', ?, 'hi', 1)",
        [author_key("Ana", secret)],
    )
    old.close()
    monkeypatch.undo()

    with pytest.raises(OutdatedDatabase):  # a reader leaves it as it is
        connect(db_path, read_only=True)
    assert not Path(f"{db_path}.key").exists()
    conn = connect(db_path)
    key_file = Path(f"{db_path}.key")
    assert bytes.fromhex(key_file.read_text()) == secret
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert conn.execute("SELECT count(*) FROM settings WHERE key = 'pseudonym_secret'").fetchone() == (0,)
    assert pseudonym_key(conn) == secret
    conn.close()
    conn = connect(db_path)  # nothing more to move
    assert pseudonym_key(conn) == secret
    conn.close()


def test_migration_refuses_to_overwrite_another_key(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    every = db.migrations()
    monkeypatch.setattr(db, "migrations", lambda: [m for m in every if m.name != "pseudonym_key_apart"])
    old = connect(db_path)
    old.execute("INSERT INTO settings VALUES ('pseudonym_secret', ?)", [bytes(32).hex()])
    old.close()
    monkeypatch.undo()
    Path(f"{db_path}.key").write_text(bytes(range(32)).hex())
    with pytest.raises(MissingKey, match="holds another key"):
        connect(db_path)
    with duckdb.connect(str(db_path), read_only=True) as conn:  # the key is still where it was
        assert conn.execute("SELECT count(*) FROM settings WHERE key = 'pseudonym_secret'").fetchone() == (1,)


def test_a_new_database_without_pseudonyms_gets_a_new_key(db_path: Path) -> None:
    with connect(db_path) as conn:
        first = pseudonym_key(conn)
        assert pseudonym_key(conn) == first
    Path(f"{db_path}.key").unlink()  # no comment was pseudonymised: a new key is harmless
    with connect(db_path) as conn:
        assert pseudonym_key(conn) != first
