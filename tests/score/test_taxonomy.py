"""The taxonomy file: where it is found, how it is validated, what a bad edit says."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from readerpulse.score.taxonomy import (
    TAXONOMY_ENV,
    TaxonomyError,
    default_path,
    load_taxonomy,
    parse_taxonomy,
    resolve_path,
)

from tests.conftest import REPO

MINIMAL = b"""
format = 2

[topics.widgets]
label = "Widgets"
description = "Things with cogs."
keywords = ["widget*", "gadget", "can't fix", "WD40"]
exclude = ["widget shop"]
threshold = 0.75

[skepticism]
keywords = ["doubt*", "?"]
"""


def test_default_is_the_packaged_copy_of_the_repository_file() -> None:
    assert default_path().resolve() == REPO / "data" / "topics.toml"


def test_the_shipped_taxonomy_loads() -> None:
    # the one test that reads data/topics.toml: it must stay a valid file with the required topics
    taxonomy = load_taxonomy(default_path())
    assert taxonomy.sha256 == hashlib.sha256(default_path().read_bytes()).hexdigest()
    ids = {t.id for t in taxonomy.topics}
    assert {"un_inaction", "russia_role", "casualty_trust"} <= ids
    assert taxonomy.skepticism is not None and taxonomy.skepticism.keywords


def test_option_beats_environment_beats_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "env.toml"
    monkeypatch.setenv(TAXONOMY_ENV, str(env_file))
    assert resolve_path() == env_file
    assert resolve_path(tmp_path / "opt.toml") == tmp_path / "opt.toml"
    monkeypatch.delenv(TAXONOMY_ENV)
    assert resolve_path() == default_path()


def test_environment_taxonomy_is_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mine.toml"
    path.write_bytes(MINIMAL)
    monkeypatch.setenv(TAXONOMY_ENV, str(path))
    taxonomy = load_taxonomy()
    assert [t.id for t in taxonomy.topics] == ["widgets"]
    assert taxonomy.source == str(path)
    assert taxonomy.sha256 == hashlib.sha256(MINIMAL).hexdigest()


def test_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match=f"taxonomy file not found: .*nope.toml .*--taxonomy.*{TAXONOMY_ENV}"):
        load_taxonomy(tmp_path / "nope.toml")


def test_minimal_taxonomy_compiles() -> None:
    taxonomy = parse_taxonomy(MINIMAL)
    topic = taxonomy.topic("widgets")
    assert (topic.label, topic.description, topic.threshold) == ("Widgets", "Things with cogs.", 0.75)
    assert [(k.text, k.literal, k.exact) for k in topic.keywords] == [
        ("widget*", " widget", False),
        ("gadget", " gadget ", False),
        ("can't fix", " cant fix ", False),
        ("WD40", " WD40 ", True),
    ]
    assert [k.literal for k in topic.exclude] == [" widget shop "]
    assert taxonomy.skepticism is not None
    assert (taxonomy.skepticism.label, taxonomy.skepticism.threshold) == ("Skepticism about verification", 0.5)
    assert [k.literal for k in taxonomy.skepticism.keywords] == [" doubt", " ? "]
    assert [t.id for t in taxonomy.labels] == ["widgets", "skepticism"]


def test_skepticism_table_is_optional() -> None:
    taxonomy = parse_taxonomy(MINIMAL.split(b"[skepticism]")[0])
    assert taxonomy.skepticism is None and [t.id for t in taxonomy.labels] == ["widgets"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t + b"\n[", "not valid TOML"),
        (lambda t: t.replace(b'label = "Widgets"', b'lable = "Widgets"'), r"topic 'widgets': unknown key\(s\) lable"),
        (lambda t: t.replace(b'label = "Widgets"\n', b""), "topic 'widgets': needs a label"),
        (lambda t: t.replace(b"threshold = 0.75", b"threshold = 1.5"), r"topic 'widgets': threshold: must be a number in \(0, 1\]"),
        (lambda t: t.replace(b"threshold = 0.75", b"threshold = 0"), r"threshold: must be a number in \(0, 1\]"),
        (lambda t: t.replace(b'keywords = ["widget*", "gadget", "can\'t fix", "WD40"]', b"keywords = []"),
         "topic 'widgets': keywords: an empty list"),
        (lambda t: t.replace(b'keywords = ["widget*", "gadget", "can\'t fix", "WD40"]', b""), "topic 'widgets': needs keywords"),
        (lambda t: t.replace(b'"gadget"', b'"--"'), r"topic 'widgets': keywords: '--' has no letters or digits"),
        (lambda t: t.replace(b'"gadget"', b'"ga*dget"'), r"'ga\*dget': '\*' may only end a keyword"),
        (lambda t: t.replace(b'"gadget"', b'"cant fix"'), r"\"can't fix\" is the same keyword as 'cant fix'"),
        (lambda t: t.replace(b'"gadget"', b'""'), "keywords: must be a list of non-empty strings"),
        (lambda t: t.replace(b'exclude = ["widget shop"]', b'exclude = ["!!!*"]'), r"exclude: '!!!\*': '\*' must follow a letter or digit"),
        (lambda t: t.replace(b"[topics.widgets]", b"[topics.Widgets]"), "topic 'Widgets': id must be lower_case"),
        (lambda t: t.replace(b"[topics.widgets]", b"[topics.skepticism]"), r"the id is taken by skepticism"),
        (lambda t: t.replace(b'keywords = ["doubt*", "?"]', b'keywords = ["doubt*"]\nweight = 1'), r"\[skepticism\]: unknown key\(s\) weight"),
        (lambda t: t.replace(b'keywords = ["doubt*", "?"]', b"keywords = []"), r"\[skepticism\]: keywords: an empty list"),
        (lambda t: t + b"\n[vocab]\nx = []\n", r"unknown key\(s\) vocab"),
    ],
)
def test_invalid_taxonomies_say_where_and_why(edit: Callable[[bytes], bytes], message: str) -> None:
    edited = edit(MINIMAL)
    assert edited != MINIMAL
    with pytest.raises(TaxonomyError, match=message) as raised:
        parse_taxonomy(edited, "edited.toml")
    assert str(raised.value).startswith("edited.toml")


@pytest.mark.parametrize("head", [b"format = 1\n", b""])
def test_format_1_files_are_refused_with_a_pointer_to_the_docs(head: bytes) -> None:
    old = head + b'[topics.w]\nlabel = "W"\n[topics.w.groups.g]\nweight = 1.0\nterms = ["widget"]\n'
    with pytest.raises(TaxonomyError, match=r"old.toml: format = .*the format changed.*docs/scoring.md"):
        parse_taxonomy(old, "old.toml")


def test_taxonomy_without_topics_is_refused() -> None:
    with pytest.raises(TaxonomyError, match="no \\[topics.<id>\\] tables"):
        parse_taxonomy(b"format = 2\n")
