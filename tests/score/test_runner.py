"""`score_database`: batches in, score rows out, runs recorded, incremental and --all re-scoring."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from readerpulse.errors import UsageError
from readerpulse.ingest.api import ingest
from readerpulse.score import runner
from readerpulse.score.runner import SCORERS, ScoreOptions, describe, score_database
from readerpulse.score.sentiment import INLINE_BELOW
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tests.conftest import SAMPLE
from tests.store.test_db import CommitFails

SETUP = """
INSERT INTO articles (article_id, title, source_id) VALUES ('a1', 'Talks on Karabakh', 1);
INSERT INTO passages (article_id, passage_no, kind, text) VALUES
    ('a1', 0, 'title', 'Talks on Karabakh'),
    ('a1', 1, 'paragraph', 'The ombudsman said 200 people were killed. The figures await independent verification.'),
    ('a1', 2, 'paragraph', 'Russian peacekeepers escorted the delegation to Yevlakh.'),
    ('a1', 3, 'paragraph', 'France requested an emergency meeting of the U.N. Security Council.');
INSERT INTO comments (article_id, comment_id, text, status, source_id) VALUES
    ('a1', 'c1', 'How reliable are these casualty figures? I want independent verification.', 'published', 1),
    ('a1', 'c2', 'The Kremlin sold them out. Where were the peacekeepers?', 'published', 1),
    ('a1', 'c3', 'The Security Council met and did nothing. What a joke.', 'published', 1),
    ('a1', 'c4', 'Thank you to the volunteers in Goris, you are amazing!', 'published', 1),
    ('a1', 'c5', 'BUY CHEAP WATCHES fake fake fake', 'spam', 1),
    ('a1', 'c6', '', 'deleted', 1);
"""


@pytest.fixture
def db(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    conn.execute(SETUP)
    return conn


def count(conn: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_every_published_comment_gets_every_score(db: duckdb.DuckDBPyConnection) -> None:
    summary = score_database(db)
    assert summary.comments == 4
    assert count(db, "SELECT count(*) FROM sentiment") == 4
    assert count(db, "SELECT count(*) FROM skepticism") == 4
    assert count(db, "SELECT count(*) FROM scored") == 4 * len(SCORERS)
    assert count(db, "SELECT count(DISTINCT comment_pk) FROM sentence_sentiment") == 4
    unscored = db.execute(
        "SELECT comment_id FROM comments WHERE comment_pk NOT IN (SELECT comment_pk FROM sentiment) ORDER BY 1"
    ).fetchall()
    assert unscored == [("c5",), ("c6",)]  # spam and deleted comments are not scored


def test_scores_land_where_expected(db: duckdb.DuckDBPyConnection) -> None:
    score_database(db)
    facts = {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT comment_id, sentiment_label, topics, skeptical, passage_no FROM comment_facts"
        ).fetchall()
    }
    assert set(facts) == {"c1", "c2", "c3", "c4"}
    assert facts["c1"][1:] == (["casualty_trust"], True, 1)
    assert "russia_role" in facts["c2"][1] and facts["c2"][3] == 2
    assert facts["c3"][1] == ["un_inaction"] and facts["c3"][3] == 3
    assert facts["c4"][0] == "positive" and facts["c4"][3] is None  # nothing similar: no link


def test_runs_are_recorded_and_cited(db: duckdb.DuckDBPyConnection) -> None:
    summary = score_database(db)
    runs = db.execute(
        "SELECT run_id, scorer, scorer_version, lexicon_hash, taxonomy_hash, finished_at IS NOT NULL, n_comments"
        " FROM scoring_runs ORDER BY run_id"
    ).fetchall()
    assert [r[1] for r in runs] == list(SCORERS)
    assert all(r[5] and r[6] == 4 for r in runs)
    by_scorer = {r[1]: r for r in runs}
    assert by_scorer["topics"][4] is not None and by_scorer["topics"][3] is None
    models = db.execute("SELECT scorer, model_sha256 FROM scoring_runs ORDER BY run_id").fetchall()
    assert {scorer for scorer, sha in models if sha} == {"topics", "skepticism", "tone"}
    assert by_scorer["sentiment"][3] is not None and by_scorer["sentiment"][2].startswith("vaderSentiment-3.3.2")
    assert summary.runs == {r[1]: r[0] for r in runs}
    cited = db.execute(
        "SELECT DISTINCT run_id FROM sentiment UNION SELECT DISTINCT run_id FROM topic_hits"
        " UNION SELECT DISTINCT run_id FROM skepticism UNION SELECT DISTINCT run_id FROM tone"
        " UNION SELECT DISTINCT run_id FROM passage_links"
    ).fetchall()
    assert {r[0] for r in cited} == set(summary.runs.values())
    assert count(db, "SELECT count(*) FROM topics") == 4  # the test taxonomy's (tests/fixtures/taxonomy)


def test_second_run_scores_only_new_comments(db: duckdb.DuckDBPyConnection) -> None:
    score_database(db)
    again = score_database(db)
    assert again.comments == 0 and again.runs == {}
    assert describe(again) == ["scored 0 comments: every published comment is already scored"]
    db.execute("INSERT INTO comments (article_id, comment_id, text, source_id) VALUES ('a1', 'c7', 'Moscow knew.', 1)")
    third = score_database(db)
    assert third.comments == 1
    assert count(db, "SELECT count(*) FROM scoring_runs") == 2 * len(SCORERS)


def _taxonomy(path: Path, term: str) -> Path:
    path.write_text(
        f'format = 2\n[topics.custom]\nlabel = "Custom"\nkeywords = ["{term}"]\n',
        "utf-8",
    )
    return path


def test_all_rescores_after_a_taxonomy_edit(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _taxonomy(tmp_path / "t.toml", "kremlin")
    score_database(db, ScoreOptions(taxonomy=path))
    assert db.execute("SELECT topic, evidence FROM topic_hits").fetchall() == [("custom", ["kremlin"])]
    _taxonomy(path, "volunteers")
    rescored = score_database(db, ScoreOptions(taxonomy=path, rescore_all=True))
    assert rescored.comments == 4 and rescored.changed_since_last_run == []
    assert db.execute("SELECT evidence FROM topic_hits").fetchall() == [(["volunteers"],)]
    assert db.execute("SELECT topic FROM topics").fetchall() == [("custom",)]
    assert count(db, "SELECT count(*) FROM scored") == 4 * len(SCORERS)


def test_other_changed_scorers_are_noted(db: duckdb.DuckDBPyConnection) -> None:
    score_database(db)
    db.execute("UPDATE scoring_runs SET lexicon_hash = 'older' WHERE scorer = 'skepticism'")
    noted = score_database(db)
    assert noted.changed_since_last_run == ["skepticism"]
    assert "skepticism changed since the last run" in describe(noted)[-1]


def test_small_batches_give_the_same_scores(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    score_database(db, ScoreOptions(batch_size=1))
    one = db.execute("SELECT * EXCLUDE (run_id) FROM skepticism ORDER BY comment_pk").fetchall()
    score_database(db, ScoreOptions(rescore_all=True))
    assert db.execute("SELECT * EXCLUDE (run_id) FROM skepticism ORDER BY comment_pk").fetchall() == one


def interrupt_second_batch(
    db: duckdb.DuckDBPyConnection,
    monkeypatch: pytest.MonkeyPatch,
    options: ScoreOptions | None = None,
    write: str = "write_batch",
) -> None:
    """Score in batches of 2 with the second batch's write (runner.`write`) failing ("disk
    full"); then undo."""
    real = getattr(runner, write)
    calls = {"n": 0}

    def failing(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        real(*args, **kwargs)

    monkeypatch.setattr(runner, write, failing)
    with pytest.raises(RuntimeError):
        score_database(db, options or ScoreOptions(batch_size=2))
    monkeypatch.setattr(runner, write, real)


def test_an_interrupted_run_resumes(db: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    interrupt_second_batch(db, monkeypatch)
    assert count(db, "SELECT count(*) FROM sentiment") == 2  # the first batch was committed
    assert score_database(db).comments == 2
    assert count(db, "SELECT count(*) FROM sentiment") == 4


def test_sample_comments_score_exactly_as_vadersentiment(conn: duckdb.DuckDBPyConnection) -> None:
    pytest.importorskip("readerpulse.ingest.page")
    ingest(conn, [SAMPLE])
    score_database(conn)
    analyzer = SentimentIntensityAnalyzer()
    rows = conn.execute(
        "SELECT c.text, s.neg, s.neu, s.pos, s.compound FROM comments c JOIN sentiment s USING (comment_pk)"
    ).fetchall()
    assert len(rows) == 10
    for text, neg, neu, pos, compound in rows:
        assert {"neg": neg, "neu": neu, "pos": pos, "compound": compound} == analyzer.polarity_scores(text)


@pytest.mark.slow
def test_large_batches_use_the_worker_processes(db: duckdb.DuckDBPyConnection) -> None:
    n = INLINE_BELOW + 500
    db.execute(
        "INSERT INTO comments (article_id, comment_id, text, source_id)"
        " SELECT 'a1', 'g' || i, 'Generated comment ' || i || ': the Kremlin lied about the 200 killed.', 1"
        " FROM range(?) t(i)",
        [n],
    )
    summary = score_database(db, ScoreOptions(workers=2))
    assert summary.comments == n + 4
    assert summary.topic_hits["russia_role"] >= n
    assert count(db, "SELECT count(*) FROM sentiment") == n + 4


def test_rescoring_some_scorers_leaves_the_others_alone(db: duckdb.DuckDBPyConnection) -> None:
    score_database(db)
    before = db.execute("SELECT run_id FROM sentiment ORDER BY comment_pk").fetchall()
    links_before = db.execute("SELECT * FROM passage_links ORDER BY ALL").fetchall()
    db.execute("UPDATE topic_hits SET score = -1")  # so that a redo shows
    summary = score_database(db, ScoreOptions(rescore_all=True, scorers=("topics", "skepticism")))
    assert summary.comments == 4
    assert list(summary.runs) == ["topics", "skepticism"]
    assert count(db, "SELECT count(*) FROM topic_hits WHERE score < 0") == 0
    assert {r[0] for r in db.execute("SELECT DISTINCT run_id FROM topic_hits").fetchall()} == {summary.runs["topics"]}
    assert db.execute("SELECT run_id FROM sentiment ORDER BY comment_pk").fetchall() == before
    assert db.execute("SELECT * FROM passage_links ORDER BY ALL").fetchall() == links_before
    assert count(db, "SELECT count(*) FROM scored") == 4 * len(SCORERS)
    assert describe(summary)[0].startswith("scored 4 comments in ")  # no sentences: sentiment did not run
    assert score_database(db).comments == 0  # everything is still scored by every scorer


def test_one_scorer_scores_only_what_it_has_not_seen(db: duckdb.DuckDBPyConnection) -> None:
    summary = score_database(db, ScoreOptions(scorers=("skepticism",)))
    assert summary.comments == 4 and list(summary.runs) == ["skepticism"]
    assert count(db, "SELECT count(*) FROM sentiment") == 0
    assert count(db, "SELECT count(*) FROM skepticism") == 4
    assert score_database(db, ScoreOptions(scorers=("skepticism",))).comments == 0
    assert score_database(db).comments == 4  # the other scorers have not seen them


def test_unknown_scorer_is_a_usage_error(db: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UsageError, match="unknown scorer"):
        score_database(db, ScoreOptions(scorers=("vibes",)))


# The score tables have no PRIMARY KEY (migration 0004): one row per key is the runner's doing.
KEYS = {
    "scored": "comment_pk, scorer",
    "sentiment": "comment_pk",
    "sentence_sentiment": "comment_pk, sentence_no",
    "topic_hits": "comment_pk, topic",
    "skepticism": "comment_pk",
    "passage_links": "comment_pk, passage_no",
}
DUPLICATES = {
    table: f"SELECT count(*) FROM (SELECT {keys} FROM {table} GROUP BY ALL HAVING count(*) > 1)"
    for table, keys in KEYS.items()
}


def assert_one_row_per_key(conn: duckdb.DuckDBPyConnection) -> None:
    for table, sql in DUPLICATES.items():
        assert count(conn, sql) == 0, f"{table} has a key twice"


def test_no_key_is_written_twice(db: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    interrupt_second_batch(db, monkeypatch)
    score_database(db)  # resumes
    score_database(db, ScoreOptions(rescore_all=True))
    score_database(db, ScoreOptions(rescore_all=True, scorers=("topics", "skepticism"), batch_size=1))
    db.execute("UPDATE comments SET text = 'The Kremlin lied about the 200 killed.' WHERE comment_id = 'c4'")
    db.execute("DELETE FROM scored WHERE comment_pk = (SELECT comment_pk FROM comments WHERE comment_id = 'c4')")
    assert score_database(db).comments == 1  # an edited comment is scored again
    assert_one_row_per_key(db)
    assert count(db, "SELECT count(*) FROM sentiment") == 4
    assert count(db, "SELECT count(*) FROM scored") == 4 * len(SCORERS)


def test_sentences_view_shows_each_scored_sentence(conn: duckdb.DuckDBPyConnection) -> None:
    from readerpulse.text import split_sentences

    pytest.importorskip("readerpulse.ingest.page")
    ingest(conn, [SAMPLE])
    score_database(conn)
    texts = dict(conn.execute("SELECT comment_pk, text FROM comments WHERE status = 'published'").fetchall())
    rows = conn.execute("SELECT comment_pk, sentence_no, text FROM sentences ORDER BY 1, 2").fetchall()
    expected = [(pk, n, s) for pk in sorted(texts) for n, s in enumerate(split_sentences(texts[pk]), start=1)]
    assert rows == expected and len(rows) == 24
    # an edited comment (its marks dropped by the import) shows no sentences until scored again
    pk = rows[0][0]
    conn.execute("UPDATE comments SET text = 'Edited.' WHERE comment_pk = ?", [pk])
    conn.execute("DELETE FROM scored WHERE comment_pk = ?", [pk])
    assert conn.execute("SELECT count(*) FROM sentences WHERE comment_pk = ?", [pk]).fetchone() == (0,)
    score_database(conn)
    assert conn.execute("SELECT text FROM sentences WHERE comment_pk = ?", [pk]).fetchall() == [("Edited.",)]


def test_a_batch_whose_commit_fails_raises_that_error_and_writes_nothing(db: duckdb.DuckDBPyConnection) -> None:
    summary = score_database(db)
    batch = db.sql("SELECT comment_pk, article_id, text FROM comments WHERE status = 'published'").pl()
    scores = runner.BatchScores(sentiment=db.sql("SELECT * FROM sentiment").pl())
    with pytest.raises(duckdb.TransactionException, match="write-write conflict"):
        runner.write_batch(CommitFails(db), batch, scores, {"sentiment": summary.runs["sentiment"]})  # type: ignore[arg-type]
    assert count(db, "SELECT count(*) FROM sentiment") == 4  # the deletes before the commit are undone
