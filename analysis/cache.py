"""Derived data kept on disk between runs, so that each command need not work it out again.

What is kept is what readerpulse works out from the taxonomy and the skepticism cues before it
can score a comment (the literals each cue needs, the stand-in table; see
analysis.score.matching): about a second and a half per command, the same every time the cues
are. An entry is a JSON file named by a SHA-256 of everything it is derived from and of the code
that derives it (`fingerprint`), so an edited taxonomy, another version of readerpulse or of
polars simply finds no entry. An entry that cannot be read or does not check out is ignored (and
made again); a cache that cannot be written is done without. Nothing in it is executed.

Where: $READERPULSE_CACHE_DIR, else $XDG_CACHE_HOME/readerpulse, else ~/.cache/readerpulse;
READERPULSE_CACHE_DIR=off turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

CACHE_ENV = "READERPULSE_CACHE_DIR"
OFF = "off"
FORMAT = 1  # the layout of the entries; a change makes new keys
MAX_ENTRIES = 256  # beyond it, the entries used least recently go


def cache_dir() -> Path | None:
    """The folder of the entries, or None when the cache is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in (OFF, "") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "readerpulse"


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A SHA-256 of the code entries are derived with: the scoring modules' source, the
    versions of Python (its regular-expression parser) and polars (its regex engine)."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{pl.__version__}\0".encode())
    score = Path(__file__).resolve().parent / "score"
    for name in ("patterns.py", "literals.py", "matching.py", "taxonomy.py", "skepticism.py", "topics.py"):
        digest.update((score / name).read_bytes())
    return digest.hexdigest()


def entry_key(kind: str, content: Any) -> str:
    """The key of the entry derived from `content` (anything JSON can write)."""
    text = json.dumps([kind, fingerprint(), content], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def load(kind: str, key: str) -> dict[str, Any] | None:
    """The entry `key`, or None if there is none (or it cannot be read)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{kind}-{key}.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    with suppress(OSError):
        os.utime(path)  # used now: pruned last
    return value if isinstance(value, dict) and value.get("key") == key else None


def store(kind: str, key: str, value: dict[str, Any]) -> None:
    """Write the entry `key` (whole or not at all); a cache that cannot be written is skipped."""
    folder = cache_dir()
    if folder is None:
        return
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({**value, "key": key}, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, folder / f"{kind}-{key}.json")
        _prune(folder)
    except OSError:
        if temporary is not None:
            with suppress(OSError):
                os.unlink(temporary)


def _prune(folder: Path) -> None:
    """Keep the MAX_ENTRIES entries used last (a taxonomy edited often leaves old ones)."""
    entries = list(folder.glob("*-*.json"))
    if len(entries) <= MAX_ENTRIES:
        return
    used: list[tuple[float, Path]] = []
    for path in entries:
        with suppress(OSError):
            used.append((path.stat().st_mtime, path))
    for _, path in sorted(used)[: len(used) - MAX_ENTRIES]:
        with suppress(OSError):
            path.unlink()
