"""Migrations 0004 and 0005 on a database scored under the earlier schema: nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from readerpulse.store import connect, db

OLD_SCORES = """
INSERT INTO articles (article_id, title, source_id) VALUES ('a1', 'Talks', 1);
INSERT INTO comments (article_id, comment_id, text, source_id) VALUES
    ('a1', 'c1', 'Good.  Good. Bad news from Stepanakert, 😀 really!  Good.', 1),
    ('a1', 'c2', 'Ünïcödé first. Then more.', 1);
INSERT INTO sentence_sentiment (comment_pk, sentence_no, text, neg, neu, pos, compound, label, run_id)
SELECT comment_pk, n, s, 0.0, 1.0, 0.0, n / 10, 'neutral', 7
FROM comments, (VALUES
    ('c1', 1, 'Good.'), ('c1', 2, 'Good.'), ('c1', 3, 'Bad news from Stepanakert, 😀 really!'), ('c1', 4, 'Good.'),
    ('c2', 1, 'Ünïcödé first.'), ('c2', 2, 'Then more.')
) AS t(id, n, s)
WHERE comment_id = id;
INSERT INTO sentiment SELECT comment_pk, 0.0, 1.0, 0.0, 0.0, 'neutral', 7 FROM comments;
INSERT INTO scored SELECT comment_pk, 'sentiment', 7 FROM comments;
"""


def test_sentences_scored_before_keep_their_text_as_offsets(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    every = db.migrations()
    monkeypatch.setattr(db, "migrations", lambda: [m for m in every if m.version <= 3])
    old = connect(db_path)
    old.execute(OLD_SCORES)
    old.close()
    monkeypatch.undo()

    conn = connect(db_path)
    rows = conn.execute(
        "SELECT c.comment_id, s.sentence_no, s.start_char, s.end_char, s.text, s.compound"
        " FROM sentences s JOIN comments c USING (comment_pk) ORDER BY 1, 2"
    ).fetchall()
    assert [r[:5] for r in rows] == [
        ("c1", 1, 0, 5, "Good."),
        ("c1", 2, 7, 12, "Good."),  # the same text again: found after the sentence before
        ("c1", 3, 13, 49, "Bad news from Stepanakert, 😀 really!"),
        ("c1", 4, 51, 56, "Good."),
        ("c2", 1, 0, 14, "Ünïcödé first."),
        ("c2", 2, 15, 25, "Then more."),
    ]
    assert [r[5] for r in rows] == [0.1, 0.2, 0.3, 0.4, 0.1, 0.2]
    assert conn.execute("SELECT count(*) FROM sentiment").fetchone() == (2,)
    assert conn.execute("SELECT count(*) FROM scored").fetchone() == (2,)
