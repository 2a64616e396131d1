"""Commenter pseudonyms: a keyed hash of the name, with the key kept in the database."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

import polars as pl


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


# Pseudonyms already computed, per secret (a database's): a name recurs in file after file.
_KNOWN: dict[bytes, pl.DataFrame] = {}
_KNOWN_LIMIT = 1_000_000
_MAPPING_SCHEMA = {"author": pl.String, "author_key": pl.String}


def author_keys(authors: pl.Series, secret: bytes) -> pl.Series:
    """Pseudonyms for a column of names; each distinct name is hashed once (per process).

    The names met before are looked up with a join; only new names are hashed in Python.
    """
    known = _KNOWN.get(secret)
    if known is None:
        known = pl.DataFrame(schema=_MAPPING_SCHEMA)
    names = authors.rename("author").drop_nulls().unique()
    fresh = names.to_frame().join(known, on="author", how="anti").get_column("author")
    if fresh.len():
        values = fresh.to_list()
        hashed = pl.DataFrame(
            {"author": values, "author_key": [author_key(name, secret) for name in values]},
            schema=_MAPPING_SCHEMA,
        )
        known = hashed if known.height + hashed.height > _KNOWN_LIMIT else pl.concat([known, hashed])
        _KNOWN[secret] = known
    return (
        authors.rename("author")
        .to_frame()
        .join(known, on="author", how="left", maintain_order="left")
        .get_column("author_key")
    )


# The same pseudonyms for a few names at a time (one small file's): a dict, no frames.
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
