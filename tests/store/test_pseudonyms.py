from __future__ import annotations

from readerpulse.store.pseudonyms import author_key

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


def test_keys_of_are_the_same_when_remembered() -> None:
    from readerpulse.store.pseudonyms import keys_of

    names = ["Ana", "ana ", "Bob", "Ana"]
    first = keys_of(names, b"k1" * 16)
    assert keys_of(names, b"k1" * 16) == first == [author_key(n, b"k1" * 16) for n in names]
    assert keys_of(names, b"k2" * 16)[0] == author_key("Ana", b"k2" * 16) != first[0]


def test_keys_of_a_list_match_the_single_key() -> None:
    from readerpulse.store.pseudonyms import keys_of

    names = ["Ana", "ana ", "Bob", "Ana", "   "]
    assert keys_of(names, SECRET) == [author_key(n, SECRET) for n in names]
    assert keys_of(["Ana"], b"other" * 6) != keys_of(["Ana"], SECRET)
