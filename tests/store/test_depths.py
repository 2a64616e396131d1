"""Reply depth worked out from a source's new comments equals the full recomputation."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest
import readerpulse.ingest.api as api
from readerpulse.ingest import canonical
from readerpulse.ingest.api import ImportOptions, ingest
from readerpulse.store import connect
from readerpulse.store.writer import update_depths_full


def _depths(conn: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    rows = conn.execute("SELECT article_id, comment_id, depth FROM comments").fetchall()
    return {(a, c): d for a, c, d in rows}


def _files(tmp_path: Path, seed: int) -> list[Path]:
    """A few files of replies in any order: late parents, orphans, loops, self-replies, edits."""
    rng = random.Random(seed)
    ids = [f"{a}/{n}" for a in "ab" for n in range(40)]
    files = []
    written: list[dict[str, object]] = []
    for number in range(5):
        records = []
        for key in rng.sample(ids, rng.randint(3, 14)):
            article, comment = key.split("/")
            roll = rng.random()
            if roll < 0.3:
                parent = None
            elif roll < 0.4:
                parent = comment  # answers itself
            elif roll < 0.5:
                parent = f"gone{rng.randint(0, 3)}"  # never imported
            else:
                parent = str(rng.randrange(40))  # may come in a later file, or form a loop
            records.append(
                {"comment_id": comment, "article_id": article, "parent_id": parent, "text": f"t{number}"}
            )
        if written and rng.random() < 0.5:
            again = dict(rng.choice(written))
            again["text"] = f"edited {number}"  # a stored comment edited: n_updated, same parent
            records.append(again)
        written.extend(records)
        path = tmp_path / f"{number}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        files.append(path)
    return files


@pytest.mark.parametrize("block_bytes", [1 << 20, 300])  # one batch per file, or a few lines each
@pytest.mark.parametrize("seed", range(10))
def test_incremental_depths_equal_the_full_recomputation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, block_bytes: int
) -> None:
    monkeypatch.setattr(canonical, "JSONL_BLOCK_BYTES", block_bytes)
    files = _files(tmp_path, seed)
    fast = connect(tmp_path / "fast.duckdb")
    for path in files:
        ingest(fast, [path], ImportOptions())
    with monkeypatch.context() as patch:
        # as before depths were known at insert: new comments go in at depth 0, then the full pass
        write_batch = api.write_batch

        def without_depths(*args: Any, depths: object = None, **kwargs: Any) -> Any:
            return write_batch(*args, **kwargs)

        patch.setattr(api, "write_batch", without_depths)
        patch.setattr(api, "update_depths", lambda conn, source_id, *_: update_depths_full(conn, source_id))
        full = connect(tmp_path / "full.duckdb")
        for path in files:
            ingest(full, [path], ImportOptions())
    assert _depths(fast) == _depths(full)
    fast.close()
    full.close()


def test_a_reply_to_a_stored_loop_counts_as_depth_one(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    loop, later = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    loop.write_text(
        '{"comment_id": "p", "parent_id": "q", "article_id": "a", "text": "loop one"}\n'
        '{"comment_id": "q", "parent_id": "p", "article_id": "a", "text": "loop two"}\n'
        '{"comment_id": "r", "article_id": "a", "text": "root"}\n'
    )
    later.write_text(
        '{"comment_id": "x", "parent_id": "p", "article_id": "a", "text": "answers the loop"}\n'
        '{"comment_id": "y", "parent_id": "r", "article_id": "a", "text": "answers the root"}\n'
    )
    ingest(conn, [loop], ImportOptions())
    ingest(conn, [later], ImportOptions())
    assert _depths(conn) == {("a", "p"): 1, ("a", "q"): 1, ("a", "r"): 0, ("a", "x"): 1, ("a", "y"): 1}


def test_a_parent_arriving_after_its_replies_deepens_them(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    replies, parent = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    replies.write_text(
        '{"comment_id": "b", "parent_id": "a", "article_id": "k", "text": "reply"}\n'
        '{"comment_id": "c", "parent_id": "b", "article_id": "k", "text": "reply to reply"}\n'
    )
    parent.write_text('{"comment_id": "a", "parent_id": "z", "article_id": "k", "text": "late parent"}\n')
    ingest(conn, [replies], ImportOptions())
    assert _depths(conn) == {("k", "b"): 1, ("k", "c"): 2}
    ingest(conn, [parent], ImportOptions())
    assert _depths(conn) == {("k", "a"): 1, ("k", "b"): 2, ("k", "c"): 3}


def test_a_parent_later_in_the_same_file_deepens_its_replies(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(canonical, "JSONL_BLOCK_BYTES", 100)  # about a line per batch
    path = tmp_path / "late.jsonl"
    path.write_text(
        '{"comment_id": "c", "parent_id": "b", "article_id": "k", "text": "reply to reply"}\n'
        '{"comment_id": "b", "parent_id": "a", "article_id": "k", "text": "reply"}\n'
        '{"comment_id": "a", "article_id": "k", "text": "top level, last"}\n'
        '{"comment_id": "d", "parent_id": "c", "article_id": "k", "text": "deepest"}\n'
    )
    ingest(conn, [path], ImportOptions())
    assert _depths(conn) == {("k", "a"): 0, ("k", "b"): 1, ("k", "c"): 2, ("k", "d"): 3}

