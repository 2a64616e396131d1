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
_KNOWN: dict[bytes, dict[str, str | None]] = {}
_KNOWN_LIMIT = 1_000_000


def author_keys(authors: pl.Series, secret: bytes) -> pl.Series:
    """Pseudonyms for a column of names; each distinct name is hashed once (per process)."""
    known = _KNOWN.setdefault(secret, {})
    distinct = authors.unique().drop_nulls().to_list()
    if len(known) + len(distinct) > _KNOWN_LIMIT:
        known.clear()
    keys = []
    for name in distinct:
        key = known.get(name, "")
        if key == "":
            key = known[name] = author_key(name, secret)
        keys.append(key)
    mapping = pl.DataFrame(
        {"author": distinct, "author_key": keys},
        schema={"author": pl.String, "author_key": pl.String},
    )
    return (
        authors.to_frame("author")
        .join(mapping, on="author", how="left", maintain_order="left")
        .get_column("author_key")
    )
