"""Derived data kept on disk between runs, so that each command need not work it out again.

What is kept is what readerpulse works out from the taxonomy and the skepticism cues before it
can score a comment (the literals each cue needs, the stand-in table; see
analysis.score.matching): about a second and a half per command, the same every time the cues
are. An entry is a JSON file named by a SHA-256 of everything it is derived from and of the code
that derives it (`fingerprint`), so an edited taxonomy, another version of readerpulse or of
polars simply finds no entry. An entry that cannot be read or does not check out is ignored (and
made again); a cache that cannot be written is done without. Nothing in it is executed.

Where: $READERPULSE_CACHE_DIR, else $XDG_CACHE_HOME/readerpulse, else ~/.cache/readerpulse;
READERPULSE_CACHE_DIR=off (or empty) turns it off, as does having no home folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import time
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

CACHE_ENV = "READERPULSE_CACHE_DIR"
OFF = "off"
FORMAT = 1  # the layout of the entries; a change makes new keys
# Beyond it, the entries used least recently go. A run reads one entry per taxonomy group and one
# per matcher, about 60 for the shipped taxonomy (350 KB): room for many edited versions.
MAX_ENTRIES = 2000
_ENTRY = re.compile(r"^[a-z]+-[0-9a-f]{64}\.json$")  # the only files pruning touches
_STALE_TEMPORARY = 3600.0  # seconds after which a temporary file left by a killed run goes
_pruned: set[Path] = set()  # folders pruned by this process: once each, not at every store


def cache_dir() -> Path | None:
    """The folder of the entries, or None when the cache is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in (OFF, "") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder (an arbitrary user id in a container): no cache
            return None
    return Path(base) / "readerpulse"


@lru_cache(maxsize=1)
def fingerprint() -> str | None:
    """A SHA-256 of the code entries are derived with: the scoring modules' source, the
    versions of Python (its regular-expression parser) and polars (its regex engine); None if
    the sources cannot be read (then nothing is cached)."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{pl.__version__}\0".encode())
    score = Path(__file__).resolve().parent / "score"
    try:
        for name in ("patterns.py", "literals.py", "matching.py", "taxonomy.py", "skepticism.py", "topics.py"):
            digest.update((score / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def entry_key(kind: str, content: Any) -> str | None:
    """The key of the entry derived from `content` (anything JSON can write); None when the
    cache is off, so that nothing is looked up or kept."""
    code = fingerprint()
    if cache_dir() is None or code is None:
        return None
    text = json.dumps([kind, code, content], separators=(",", ":"))  # ASCII: any str encodes
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def load(kind: str, key: str | None) -> dict[str, Any] | None:
    """The entry `key`, or None if there is none (or it cannot be read)."""
    folder = cache_dir()
    if folder is None or key is None:
        return None
    path = folder / f"{kind}-{key}.json"
    try:
        if not path.is_file():  # a folder or a pipe of that name is not an entry
            return None
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    with suppress(OSError):
        os.utime(path)  # used now: pruned last
    return value if isinstance(value, dict) and value.get("key") == key else None


def store(kind: str, key: str | None, value: dict[str, Any]) -> None:
    """Write the entry `key` (whole or not at all); a cache that cannot be written is skipped."""
    folder = cache_dir()
    if folder is None or key is None:
        return
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({**value, "key": key}, out, separators=(",", ":"))
        os.replace(temporary, folder / f"{kind}-{key}.json")
        temporary = None
        _prune(folder)
    except (OSError, ValueError, TypeError):
        pass
    finally:
        if temporary is not None:
            with suppress(OSError):
                os.unlink(temporary)


def _prune(folder: Path) -> None:
    """Keep the MAX_ENTRIES entries used last, and remove temporary files a killed run left.
    Only files named as entries are touched, whatever else the folder holds. Once per folder
    and process: a run adds a few dozen entries, and a cold one should not list the folder for
    each."""
    if folder in _pruned:
        return
    _pruned.add(folder)
    now = time.time()
    used: list[tuple[float, Path]] = []
    for path in folder.iterdir():
        with suppress(OSError):
            if _ENTRY.match(path.name):
                used.append((path.stat().st_mtime, path))
            elif path.name.startswith(".") and path.name.endswith(".tmp") and now - path.stat().st_mtime > _STALE_TEMPORARY:
                path.unlink()
    for _, path in sorted(used)[: max(0, len(used) - MAX_ENTRIES)]:
        with suppress(OSError):
            path.unlink()
