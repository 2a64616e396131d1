"""The taxonomy file: where it is found, how it is validated, what a bad edit says."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.score.taxonomy import (
    TAXONOMY_ENV,
    TaxonomyError,
    default_path,
    load_taxonomy,
    parse_taxonomy,
    resolve_path,
)
from tests.conftest import REPO

MINIMAL = b"""
format = 1
[vocab]
thing = ["(widget|gadget)"]

[topics.widgets]
label = "Widgets"
threshold = 0.5
require = ["noun"]
exclude = ["widget shop"]

[topics.widgets.groups.noun]
weight = 0.4
terms = ["{thing}"]

[topics.widgets.groups.verb]
weight = 0.4
terms = ["(broke|broken)"]
"""


def test_default_is_the_repository_file() -> None:
    assert default_path() == REPO / "data" / "topics.toml"
    taxonomy = load_taxonomy()
    assert taxonomy.sha256 == hashlib.sha256(default_path().read_bytes()).hexdigest()


def test_shipped_taxonomy_has_the_required_and_the_recurring_topics() -> None:
    ids = {t.id for t in load_taxonomy().topics}
    assert {"un_inaction", "russia_role", "casualty_trust"} <= ids
    assert {"humanitarian", "turkey_role", "western_reactions", "armenia_politics", "blockade_exodus"} <= ids


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


def test_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match=f"taxonomy file not found: .*nope.toml .*--taxonomy.*{TAXONOMY_ENV}"):
        load_taxonomy(tmp_path / "nope.toml")


def test_minimal_taxonomy_compiles() -> None:
    topic = parse_taxonomy(MINIMAL).topic("widgets")
    assert topic.label == "Widgets"
    assert topic.require == ("noun",)
    assert [(g.name, g.weight) for g in topic.groups] == [("noun", 0.4), ("verb", 0.4)]
    assert topic.exclude is not None
    assert topic.terms["noun"] == ("{thing}",)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t + b"\n[", "not valid TOML"),
        (lambda t: t.replace(b'label = "Widgets"', b'lable = "Widgets"'), r"unknown key\(s\) lable"),
        (lambda t: t.replace(b"weight = 0.4\nterms = [\"{thing}\"]", b"weight = 1.5\nterms = [\"{thing}\"]"), r"group 'noun': weight: must be a number in \(0, 1\]"),
        (lambda t: t.replace(b'require = ["noun"]', b'require = ["nouns"]'), r"require names unknown group\(s\) nouns"),
        (lambda t: t.replace(b'terms = ["(broke|broken)"]', b'terms = ["(broke|broken"]'), r"group 'verb': missing '\)'"),
        (lambda t: t.replace(b'terms = ["{thing}"]', b'terms = ["{things}"]'), r"unknown vocabulary list \{things\}"),
        (lambda t: t.replace(b'terms = ["(broke|broken)"]', b"terms = []"), "group 'verb': an empty list of patterns"),
        (lambda t: t.replace(b"[topics.widgets]", b"[topics.Widgets]").replace(b"topics.widgets.", b"topics.Widgets."), "lower_case"),
        (lambda t: t.replace(b"format = 1", b"format = 2"), "format must be 1"),
    ],
)
def test_invalid_taxonomies_say_where_and_why(edit: Callable[[bytes], bytes], message: str) -> None:
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(edit(MINIMAL), "edited.toml")


def test_taxonomy_without_topics_is_refused() -> None:
    with pytest.raises(TaxonomyError, match="no \\[topics.<id>\\] tables"):
        parse_taxonomy(b"format = 1\n")
