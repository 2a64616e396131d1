from __future__ import annotations

import polars as pl
from readerpulse.ingest.pseudonym import author_key, author_keys

SECRET = b"k" * 32


def test_key_is_stable_normalised_and_keyed() -> None:
    key = author_key("Nina Patel", SECRET)
    assert key is not None and key.startswith("u_") and len(key) == 18
    assert author_key("  nina   PATEL ", SECRET) == key
    assert author_key("Nina Patel", b"x" * 32) != key
    assert "nina" not in key.lower()


def test_no_name_no_key() -> None:
    assert author_key(None, SECRET) is None
    assert author_key("   ", SECRET) is None


def test_column_version_matches_scalar_and_keeps_order() -> None:
    names = pl.Series(["b", None, "a", "b"])
    assert author_keys(names, SECRET).to_list() == [author_key(n, SECRET) for n in names]


def test_author_keys_are_the_same_when_remembered() -> None:
    import polars as pl
    from readerpulse.ingest.pseudonym import author_key, author_keys

    names = pl.Series(["Ana", "ana ", None, "Bob", "Ana"])
    first = author_keys(names, b"k1").to_list()
    again = author_keys(names, b"k1").to_list()
    other = author_keys(names, b"k2").to_list()
    assert first == again == [author_key(n, b"k1") if n is not None else None for n in names.to_list()]
    assert other != first and other[0] == author_key("Ana", b"k2")


def test_names_new_and_remembered_in_one_column_get_their_own_keys() -> None:
    secret = b"mixed" * 6
    author_keys(pl.Series(["Ana", "Bob"]), secret)
    names = pl.Series(["Cem", None, "Ana", "dora", "Bob", "Cem", ""])
    assert author_keys(names, secret).to_list() == [
        author_key(n, secret) if n is not None else None for n in names.to_list()
    ]


def test_keys_of_a_list_match_the_single_key() -> None:
    from readerpulse.ingest.pseudonym import keys_of

    names = ["Ana", "ana ", "Bob", "Ana", "   "]
    assert keys_of(names, SECRET) == [author_key(n, SECRET) for n in names]
    assert keys_of(["Ana"], b"other" * 6) != keys_of(["Ana"], SECRET)
