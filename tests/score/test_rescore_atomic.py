"""`score --all` stopped at any moment (kill -9) leaves every comment with its old or new scores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
from readerpulse.score.runner import ScoreOptions, score_database
from readerpulse.store import connect

N_COMMENTS = 1200
BATCH = 100

# Re-scores everything in small batches, printing a line per batch written.
RESCORE = """
import sys
from readerpulse.score.runner import ScoreOptions, score_database
from readerpulse.store import writing

with writing(sys.argv[1]) as conn:
    score_database(conn, ScoreOptions(rescore_all=True, batch_size=int(sys.argv[2]), workers=1),
                   lambda done, total: print(done, flush=True))
print("finished", flush=True)
"""

FILL = """
INSERT INTO articles (article_id, title, source_id) VALUES ('a1', 'Talks', 1), ('a2', 'Aid', 1);
INSERT INTO comments (article_id, comment_id, author_key, posted_at, text, source_id)
SELECT CASE WHEN i % 2 = 0 THEN 'a1' ELSE 'a2' END, 'c' || i, 'u_' || (i % 37),
       TIMESTAMPTZ '2023-09-18 00:00:00+00' + i * INTERVAL 7 MINUTE,
       CASE i % 3 WHEN 0 THEN 'I doubt the official figures, they are wrong and the UN did nothing.'
                  WHEN 1 THEN 'Thank you for this great, clear report. Good work.'
                  ELSE 'The aid convoy reached the city on Thursday after talks.' END || ' #' || i,
       1
FROM range(?) t(i);
"""


def _unscored(path: Path) -> dict[str, int]:
    """Published comments missing a score of each kind (0 everywhere when the database is whole)."""
    with duckdb.connect(str(path), read_only=True) as conn:
        published = "SELECT comment_pk FROM comments WHERE status = 'published'"
        counts = {}
        for table in ("sentiment", "skepticism", "tone"):
            row = conn.execute(f"SELECT count(*) FROM ({published}) WHERE comment_pk NOT IN (SELECT comment_pk FROM {table})").fetchone()
            counts[table] = int(row[0]) if row else -1
        row = conn.execute(
            f"SELECT count(*) FROM ({published}) p WHERE (SELECT count(*) FROM scored s WHERE s.comment_pk = p.comment_pk) <> 5"
        ).fetchone()
        counts["marks"] = int(row[0]) if row else -1
        row = conn.execute(f"SELECT count(*) FROM ({published}) WHERE comment_pk NOT IN (SELECT comment_pk FROM sentence_sentiment)").fetchone()
        counts["sentences"] = int(row[0]) if row else -1
    return counts


def test_a_killed_rescore_leaves_every_comment_scored(db_path: Path) -> None:
    with connect(db_path) as conn:
        conn.execute(FILL, [N_COMMENTS])
        score_database(conn, ScoreOptions(workers=1))
    whole = {"sentiment": 0, "skepticism": 0, "tone": 0, "marks": 0, "sentences": 0}
    assert _unscored(db_path) == whole
    # stop it before any batch, after the first, in the middle, near the end
    for after_batches in (0, 1, 5, 10):
        proc = subprocess.Popen(
            [sys.executable, "-c", RESCORE, str(db_path), str(BATCH)], stdout=subprocess.PIPE, text=True,
        )
        assert proc.stdout is not None
        for _ in range(after_batches):
            line = proc.stdout.readline()
            assert line and line.strip() != "finished", f"the run ended before batch {after_batches}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        assert _unscored(db_path) == whole, f"killed after {after_batches} batches"
    # a run that ends leaves only its own scores, one set per comment
    with connect(db_path) as conn:
        score_database(conn, ScoreOptions(rescore_all=True, batch_size=BATCH, workers=1))
        assert conn.execute("SELECT count(DISTINCT run_id) FROM scored").fetchone() == (5,)
        assert conn.execute("SELECT count(*) FROM sentiment").fetchone() == (N_COMMENTS,)
    assert _unscored(db_path) == whole


def test_rescore_drops_the_scores_of_comments_no_longer_published(db_path: Path) -> None:
    with connect(db_path) as conn:
        conn.execute(FILL, [20])
        score_database(conn, ScoreOptions(workers=1))
        conn.execute("UPDATE comments SET status = 'deleted' WHERE comment_id IN ('c0', 'c1')")
        score_database(conn, ScoreOptions(rescore_all=True, workers=1))
        for table in ("sentiment", "skepticism", "tone", "sentence_sentiment", "topic_hits", "passage_links"):
            row = conn.execute(
                f"SELECT count(*) FROM {table} JOIN comments USING (comment_pk) WHERE status <> 'published'"
            ).fetchone()
            assert row == (0,), table
        assert conn.execute("SELECT count(*) FROM scored").fetchone() == (18 * 5,)
