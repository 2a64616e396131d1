"""Every format is held to the store's bounds (store/bounds.py): absurd dates rejected, a long
comment loaded whole, noted and scored on its first part."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from readerpulse.ingest.api import ImportOptions, ingest
from readerpulse.text import SCORED_CHARS


def _write(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("c.csv", "comment_id,article_id,posted_at,text\n1,a,2024-01-02,ok\n2,a,9999-12-31,future\n3,a,1900-01-01,past\n"),
        (
            "c.xml",
            '<?xml version="1.0"?><disqus xmlns="http://disqus.com">'
            '<thread dsq:id="t" xmlns:dsq="http://disqus.com/disqus-internals"><link>https://x.example/a</link>'
            "<title>A</title><createdAt>2024-01-01T00:00:00Z</createdAt></thread>"
            '<post dsq:id="1" xmlns:dsq="http://disqus.com/disqus-internals"><message>ok</message>'
            '<createdAt>2024-01-02T00:00:00Z</createdAt><thread dsq:id="t"/></post>'
            '<post dsq:id="2" xmlns:dsq="http://disqus.com/disqus-internals"><message>future</message>'
            '<createdAt>9999-12-31T00:00:00Z</createdAt><thread dsq:id="t"/></post>'
            '<post dsq:id="3" xmlns:dsq="http://disqus.com/disqus-internals"><message>past</message>'
            '<createdAt>1900-01-01T00:00:00Z</createdAt><thread dsq:id="t"/></post></disqus>',
        ),
    ],
)
def test_every_format_rejects_absurd_dates(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    [result] = ingest(conn, [path], ImportOptions())
    assert result.status == "loaded", result.error
    assert conn.execute("SELECT text FROM comments").fetchall() == [("ok",)]
    reasons = [r for (r,) in conn.execute("SELECT reason FROM rejects ORDER BY reason").fetchall()]
    assert [r.split(" is outside")[0] for r in reasons] == [
        "posted_at 1900-01-01 00:00:00",
        "posted_at 9999-12-31 00:00:00",
    ]


def test_a_long_comment_is_loaded_whole_noted_and_scored_on_its_first_part(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    from readerpulse.score.runner import ScoreOptions, score_database

    sentence = "This is awful. "
    long_text = sentence * (SCORED_CHARS // len(sentence) * 3)
    path = _write(
        tmp_path / "c.jsonl",
        [
            {"comment_id": "long", "article_id": "a", "text": long_text},
            {"comment_id": "short", "article_id": "a", "text": "Fine."},
        ],
    )
    [result] = ingest(conn, [path], ImportOptions())
    assert (result.counts.comments, result.counts.rejects) == (2, 1)
    stored = conn.execute("SELECT length(text) FROM comments WHERE comment_id = 'long'").fetchone()
    assert stored == (len(long_text.strip()),)  # nothing lost
    location, reason = conn.execute("SELECT location, reason FROM rejects").fetchone() or ("", "")
    assert location == "line 1"
    assert reason == (
        f"truncated for scoring: the comment is {len(long_text.strip())} characters long, over the "
        "limit of 100,000; it is loaded whole and scored on its first 100,000 characters"
    )
    score_database(conn, ScoreOptions())
    [(sentences, last_end)] = conn.execute(
        "SELECT count(*), max(end_char) FROM sentence_sentiment JOIN comments USING (comment_pk)"
        " WHERE comment_id = 'long'"
    ).fetchall()
    assert last_end <= SCORED_CHARS
    assert sentences == -(-SCORED_CHARS // len(sentence))
