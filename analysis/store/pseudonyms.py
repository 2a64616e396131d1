"""Commenter pseudonyms: a keyed hash of the name. The key is kept apart from the database
(`readerpulse.store.keys`)."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata


def normalise_name(name: str) -> str:
    """The form that is hashed: NFKC, case-folded, inner white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def author_key(name: str | None, secret: bytes) -> str | None:
    """'u_' and 16 hex digits of HMAC-SHA256(secret, normalised name); None for no name."""
    if name is None:
        return None
    norm = normalise_name(name)
    if not norm:
        return None
    return "u_" + hmac.new(secret, norm.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


_KNOWN_LIMIT = 1_000_000  # names remembered per key before the memory is cleared

# Pseudonyms already computed, per key: a name recurs in file after file.
_NAMED: dict[bytes, dict[str, str | None]] = {}


def keys_of(names: list[str], secret: bytes) -> list[str | None]:
    """`author_key` of each name, each distinct name hashed once per process."""
    known = _NAMED.setdefault(secret, {})
    if len(known) + len(names) > _KNOWN_LIMIT:
        known.clear()
    keys = []
    for name in names:
        if name not in known:
            known[name] = author_key(name, secret)
        keys.append(known[name])
    return keys
