"""The on-disk cache of derived data: entries by content, ignored when unreadable, never needed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analysis import cache


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_an_entry_is_read_back_by_its_key(folder: Path) -> None:
    key = cache.entry_key("thing", ["a", 1])
    assert cache.load("thing", key) is None
    cache.store("thing", key, {"value": [1, 2]})
    assert cache.load("thing", key) == {"value": [1, 2], "key": key}
    assert [p.name for p in folder.iterdir()] == [f"thing-{key}.json"]  # no temporary file left


def test_keys_follow_the_content_and_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.entry_key("thing", ["a"])
    assert key == cache.entry_key("thing", ["a"])
    assert key != cache.entry_key("thing", ["b"])
    assert key != cache.entry_key("other", ["a"])
    monkeypatch.setattr(cache, "fingerprint", lambda: "another version")
    assert key != cache.entry_key("thing", ["a"])


def test_an_unreadable_or_foreign_entry_is_ignored(folder: Path) -> None:
    key = cache.entry_key("thing", [])
    folder.mkdir()
    (folder / f"thing-{key}.json").write_text("{not json", encoding="utf-8")
    assert cache.load("thing", key) is None
    (folder / f"thing-{key}.json").write_text(json.dumps({"key": "another"}), encoding="utf-8")
    assert cache.load("thing", key) is None
    cache.store("thing", key, {"value": 1})  # made again over it
    assert cache.load("thing", key) == {"value": 1, "key": key}


@pytest.mark.parametrize("setting", ["off", "OFF", ""])
def test_the_cache_can_be_turned_off(setting: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, setting)
    monkeypatch.chdir(tmp_path)
    assert cache.cache_dir() is None
    cache.store("thing", "k", {"value": 1})
    assert cache.load("thing", "k") is None
    assert list(tmp_path.iterdir()) == []


def test_the_default_folder_is_the_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "readerpulse"


def test_a_cache_that_cannot_be_written_is_done_without(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    cache.store("thing", "k", {"value": 1})  # no error
    assert cache.load("thing", "k") is None


def test_old_entries_are_pruned(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = [cache.entry_key("thing", [n]) for n in range(5)]
    for age, key in enumerate(keys):
        cache.store("thing", key, {"n": age})
        os.utime(folder / f"thing-{key}.json", (1000 + age, 1000 + age))
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    cache.load("thing", keys[0])  # the oldest, used again: kept
    cache.store("thing", cache.entry_key("thing", ["new"]), {})
    left = {p.name for p in folder.iterdir()}
    assert len(left) == 3
    assert f"thing-{keys[0]}.json" in left and f"thing-{keys[4]}.json" in left
