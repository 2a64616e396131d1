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


def test_keys_follow_the_content_and_the_code(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
    assert cache.entry_key("thing", ["a"]) is None  # nothing to look up
    cache.store("thing", "k", {"value": 1})
    assert cache.load("thing", "k") is None
    assert list(tmp_path.iterdir()) == []


def test_the_default_folder_is_the_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "readerpulse"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "readerpulse"


def test_without_a_home_folder_there_is_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", no_home)
    assert cache.cache_dir() is None
    assert cache.entry_key("thing", ["a"]) is None


def test_any_text_makes_a_key(folder: Path) -> None:
    assert cache.entry_key("thing", ["a lone surrogate \ud800", "é"]) is not None


def test_without_the_sources_nothing_is_cached(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "fingerprint", lambda: None)
    assert cache.entry_key("thing", ["a"]) is None


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
    monkeypatch.setattr(cache, "_pruned", set())  # as in a new process
    cache.load("thing", keys[0])  # the oldest, used again: kept
    (folder / "notes-of-mine.json").write_text("{}", encoding="utf-8")  # not an entry: left alone
    (folder / ".thing-killed.tmp").write_text("{", encoding="utf-8")  # left by a killed run
    os.utime(folder / ".thing-killed.tmp", (1000, 1000))
    (folder / ".thing-writing.tmp").write_text("{", encoding="utf-8")  # being written now
    cache.store("thing", cache.entry_key("thing", ["new"]), {})
    left = {p.name for p in folder.iterdir()}
    assert len([name for name in left if name.startswith("thing-")]) == 3
    assert f"thing-{keys[0]}.json" in left and f"thing-{keys[4]}.json" in left
    assert "notes-of-mine.json" in left and ".thing-writing.tmp" in left
    assert ".thing-killed.tmp" not in left
    for n in range(5, 8):  # later stores of the same process leave the folder alone
        cache.store("thing", cache.entry_key("thing", [n]), {})
    assert len([p for p in folder.iterdir() if p.name.startswith("thing-")]) == 6
