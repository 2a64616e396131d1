"""Label files: any subset of label columns, rejects with file and row, threads."""

from __future__ import annotations

from pathlib import Path

import pytest
from readerpulse.errors import UsageError
from readerpulse.labels import read_labels

TOPICS = ["alpha", "beta"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_subset_of_columns_and_unknown_as_null(tmp_path: Path) -> None:
    write(tmp_path / "a.csv", "id,text,alpha,skepticism,extra\nc1,hello,1,,x\nc2,\"a, b\",0,1,y\n")
    labels = read_labels([tmp_path / "a.csv"], TOPICS)
    assert labels.labels == ("alpha", "beta", "skepticism")
    rows = labels.frame.sort("id").select("id", "text", "alpha", "beta", "skepticism", "sentiment").rows()
    assert rows == [("c1", "hello", 1, None, None, None), ("c2", "a, b", 0, None, 1, None)]
    assert labels.rejects.height == 0


def test_bad_rows_are_rejected_with_row_and_reason(tmp_path: Path) -> None:
    write(
        tmp_path / "a.csv",
        "id,text,alpha,sentiment\nc1,ok,1,2\n,no id,1,0\nc3,,0,0\nc4,bad,2,0\nc5,tone,0,3\nc1,again,0,0\n",
    )
    labels = read_labels([tmp_path / "a.csv"], TOPICS)
    assert labels.frame["id"].to_list() == ["c1"]
    reasons = {(row, reason) for _, row, reason, _ in labels.rejects.rows()}
    assert reasons == {
        (3, "no id"),
        (4, "no text"),
        (5, "alpha must be 0 or 1"),
        (6, "sentiment must be an integer from -2 to 2"),
        (7, "id already labelled earlier"),
    }


def test_threads_follow_parents(tmp_path: Path) -> None:
    write(
        tmp_path / "a.csv",
        "id,parent_id,text,alpha\nr,,root,0\nc,r,child,0\ng,c,grandchild,1\no,missing,orphan,0\n",
    )
    frame = read_labels([tmp_path / "a.csv"], TOPICS).frame
    assert dict(zip(frame["id"], frame["thread"], strict=True)) == {"r": "r", "c": "r", "g": "r", "o": "o"}


def test_folders_are_read_and_bad_files_named(tmp_path: Path) -> None:
    write(tmp_path / "one.csv", "id,text,beta\nx,t,1\n")
    write(tmp_path / "two.csv", "id,text,sentiment\ny,u,-1\n")
    assert sorted(read_labels([tmp_path], TOPICS).frame["id"]) == ["x", "y"]
    write(tmp_path / "bad.csv", "id,words\nz,t\n")
    with pytest.raises(UsageError, match="bad.csv: no column text"):
        read_labels([tmp_path / "bad.csv"], TOPICS)
    write(tmp_path / "none.csv", "id,text\nz,t\n")
    with pytest.raises(UsageError, match="no label column"):
        read_labels([tmp_path / "none.csv"], TOPICS)
    with pytest.raises(UsageError, match="no such file"):
        read_labels([tmp_path / "missing.csv"], TOPICS)
