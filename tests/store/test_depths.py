"""Reply depth, derived in SQL over the threads each file adds to, follows its definition."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pytest
from readerpulse.ingest.api import ImportOptions, ingest
from readerpulse.store import connect


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


def _expected_depths(files: list[Path]) -> dict[tuple[str, str], int]:
    """Depths by the definition, from every comment imported (the first record of a key wins):
    0 for a top-level comment, parent's + 1 for a reply that a top-level comment or an orphan
    leads to, 1 for an orphan and for whatever sits in or below a loop of replies."""
    parents: dict[tuple[str, str], str | None] = {}
    for path in files:
        for line in path.read_text().splitlines():
            record = json.loads(line)
            key = (record["article_id"], record["comment_id"])
            parents.setdefault(key, record["parent_id"])
    depths: dict[tuple[str, str], int] = {}
    for key in parents:
        chain = [key]
        while True:
            parent = parents[chain[-1]]
            parent_key = (key[0], parent) if parent is not None else None
            if parent_key is None:
                base = 0  # top level
                break
            if parent_key not in parents:
                base = 1  # an orphan
                break
            if parent_key in chain:
                base = None  # a loop
                break
            chain.append(parent_key)
        depths[key] = 1 if base is None else base + len(chain) - 1
    return depths


@pytest.mark.parametrize("seed", range(10))
def test_depths_follow_the_definition_across_files(tmp_path: Path, seed: int) -> None:
    files = _files(tmp_path, seed)
    conn = connect(tmp_path / "db.duckdb")
    for number, path in enumerate(files, start=1):
        ingest(conn, [path], ImportOptions())
        assert _depths(conn) == _expected_depths(files[:number])
    conn.close()


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


def test_a_parent_later_in_the_same_file_deepens_its_replies(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    path.write_text(
        '{"comment_id": "c", "parent_id": "b", "article_id": "k", "text": "reply to reply"}\n'
        '{"comment_id": "b", "parent_id": "a", "article_id": "k", "text": "reply"}\n'
        '{"comment_id": "a", "article_id": "k", "text": "top level, last"}\n'
        '{"comment_id": "d", "parent_id": "c", "article_id": "k", "text": "deepest"}\n'
    )
    ingest(conn, [path], ImportOptions())
    assert _depths(conn) == {("k", "a"): 0, ("k", "b"): 1, ("k", "c"): 2, ("k", "d"): 3}

