"""The pseudonym key: kept apart from the database it serves.

A commenter's pseudonym is HMAC-SHA256(key, name); whoever holds the key can test a candidate
name against the pseudonyms, so the key never sits in the database file. It is looked for in:

1. `$READERPULSE_KEY`: the key itself (64 hex digits), e.g. from a secret store;
2. the key file given (`--key-file`, else `$READERPULSE_KEY_FILE`);
3. `DB.key` beside the database file.

A database without pseudonymised comments gets a new key file (mode 0600) on first use; one
with pseudonymised comments and no key is an error, never a silent new key: the pseudonyms of
later imports would not match the earlier ones.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import duckdb

from ..errors import ReaderpulseError, UsageError

KEY_ENV = "READERPULSE_KEY"
KEY_FILE_ENV = "READERPULSE_KEY_FILE"
KEY_BYTES = 32
# A database in memory dies with the process; its key does too.
_MEMORY_KEY = secrets.token_bytes(KEY_BYTES)


class MissingKey(ReaderpulseError):
    """A database whose comments were pseudonymised, opened without the key they were made with."""


def key_file(db: str | os.PathLike[str], option: str | os.PathLike[str] | None = None) -> Path:
    """Where the key of database `db` is kept: the option, else $READERPULSE_KEY_FILE, else DB.key."""
    if option:
        return Path(option)
    return Path(os.environ.get(KEY_FILE_ENV) or f"{db}.key")


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise UsageError(f"{where}: not a pseudonym key (expected {2 * KEY_BYTES} hex digits)")
    return key


def _from_env() -> bytes | None:
    value = os.environ.get(KEY_ENV)
    return _parse(value, f"${KEY_ENV}") if value else None


def read_key(path: Path) -> bytes | None:
    """The key in `path`, or None if there is no such file."""
    try:
        text = path.read_text("ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReaderpulseError(f"{path}: cannot read the pseudonym key ({exc})") from exc
    return _parse(text, str(path))


def write_key(path: Path, key: bytes) -> None:
    """Create `path` holding `key`, readable by its owner only; an existing file is never replaced."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise ReaderpulseError(f"{path}: cannot create the pseudonym key file ({exc.strerror})") from exc
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
        out.flush()
        os.fsync(out.fileno())


def database_file(conn: duckdb.DuckDBPyConnection) -> Path | None:
    """The file of the connection's database (None in memory)."""
    row = conn.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return Path(row[0]) if row and row[0] else None


def _has_pseudonyms(conn: duckdb.DuckDBPyConnection) -> bool:
    row = conn.execute("SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_key IS NOT NULL LIMIT 1)").fetchone()
    return bool(row and row[0])


def pseudonym_key(conn: duckdb.DuckDBPyConnection, option: str | os.PathLike[str] | None = None) -> bytes:
    """The key for the pseudonyms of this database, created if the database has none yet."""
    from_env = _from_env()
    if from_env is not None:
        return from_env
    db = database_file(conn)
    if db is None:
        return _MEMORY_KEY
    path = key_file(db, option)
    key = read_key(path)
    if key is not None:
        return key
    if _has_pseudonyms(conn):
        raise MissingKey(
            f"{db}: its commenters were pseudonymised with a key kept apart from the database, and "
            f"{path} does not exist; restore the key file (or give --key-file / ${KEY_FILE_ENV} / "
            f"${KEY_ENV}) before importing more"
        )
    key = secrets.token_bytes(KEY_BYTES)
    write_key(path, key)
    return key


def move_key_out(conn: duckdb.DuckDBPyConnection, option: str | os.PathLike[str] | None = None) -> None:
    """Migration step: the key an older database keeps in `settings` goes to its key file (the
    migration then deletes it from the database). Run inside the migration's transaction: if
    anything fails, the key stays where it was."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'pseudonym_secret'").fetchone()
    if row is None:
        return
    stored = _parse(str(row[0]), "the database's pseudonym_secret setting")
    db = database_file(conn)
    from_env = _from_env()
    if from_env is not None:
        if from_env != stored:
            raise MissingKey(f"${KEY_ENV} is not the key this database's pseudonyms were made with; unset it to move the database's own key to its key file")
        return
    if db is None:
        return
    path = key_file(db, option)
    existing = read_key(path)
    if existing is None:
        write_key(path, stored)
    elif existing != stored:
        raise MissingKey(f"{path} holds another key than the one inside {db}; move that file away and retry")
