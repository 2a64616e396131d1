"""Report fixtures: the scored fixture database with hostile text added, and its weekly report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from readerpulse.report.weekly import ReportResult, write_report
from readerpulse.store import connect

SCRIPT_COMMENT = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">Fake news, prove it!'
SCRIPT_EVIDENCE = "<script>window.pwned = 5</script>"  # a word of topic evidence
HOSTILE_SQL = f"""
INSERT INTO comments (comment_pk, article_id, comment_id, parent_id, depth, author_key, author_name,
                      posted_at, text, status, source_id) VALUES
    (20, 'a1', 'c20', NULL, 0, 'u9', NULL, TIMESTAMPTZ '2023-09-23 14:05:00+00', '{SCRIPT_COMMENT.replace("'", "''")}',
     'published', 1);
INSERT INTO sentiment VALUES (20, 0.9, 0.1, 0.0, -0.95, 'negative', 1);
INSERT INTO skepticism VALUES (20, 0.99, true, ['prove it', '<b>fake</b> news'], 3);
INSERT INTO tone VALUES (20, -0.7, 'negative', 5);
INSERT INTO topic_hits VALUES (20, 'diplomacy', 1.0, ['news', '{SCRIPT_EVIDENCE}'], 2);
INSERT INTO passage_links VALUES (20, 'a1', 3, 1, 0.8, 'test', 4);
UPDATE topics SET label = '</script><script>window.pwned = 3</script>Diplomacy' WHERE topic = 'diplomacy';
UPDATE articles SET url = 'javascript:window.pwned = 4' WHERE article_id = 'a2';
UPDATE passages SET text = 'The UN called for <em>restraint</em> & calm.' WHERE article_id = 'a1' AND passage_no = 3;
"""


@pytest.fixture(scope="session")
def hostile_week_path(reader_week_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture database plus a comment (with its evidence and cues), a topic label, a link and a passage that try to inject HTML."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copy(reader_week_path, path)
    conn = connect(path)
    try:
        conn.execute(HOSTILE_SQL)
    finally:
        conn.close()
    return path


@pytest.fixture(scope="session")
def weekly_report(hostile_week_path: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    """The weekly report of 2023-W38 on the hostile fixture database, written once per session."""
    out = tmp_path_factory.mktemp("report-out")
    conn = connect(hostile_week_path, read_only=True)
    try:
        return write_report(conn, "weekly", out, week="2023-W38", database=hostile_week_path.name)
    finally:
        conn.close()
