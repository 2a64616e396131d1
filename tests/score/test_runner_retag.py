"""After a taxonomy edit, `score` tags comments again for the changed topics only.

The result must be what re-scoring every comment with the edited taxonomy gives
(`score --all --scorer topics`), while the hits of unchanged topics stay as they were.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import polars as pl
import pytest
from readerpulse.score.model import load_model
from readerpulse.score.runner import ScoreOptions, describe, plan_retag, score_database
from readerpulse.score.taxonomy import load_taxonomy

from tests.conftest import REPO, TEST_TAXONOMY
from tests.score.test_runner import SETUP, count, interrupt_second_batch

HITS = "SELECT comment_pk, topic, score, evidence FROM topic_hits ORDER BY comment_pk, topic"


@pytest.fixture
def db(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    conn.execute(SETUP)
    return conn


def _keywords(words: str) -> str:
    return ", ".join(f'"{w}"' for w in words.split("|"))


def _two_topics(path: Path, first: str, second: str = "volunteers", extra: str = "") -> Path:
    """Topics "first" and "second" with the keywords given ("a|b": two keywords)."""
    path.write_text(
        f'format = 2\n[topics.first]\nlabel = "First"\nkeywords = [{_keywords(first)}]\n'
        f'[topics.second]\nlabel = "Second"\nkeywords = [{_keywords(second)}]\n'
        + extra,
        "utf-8",
    )
    return path


def _tags(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[str], int]]:
    return conn.execute(
        "SELECT c.comment_id, h.topic, h.evidence, h.run_id FROM topic_hits h JOIN comments c USING (comment_pk)"
        " ORDER BY 1, 2"
    ).fetchall()


def test_an_edited_topic_is_tagged_again_and_the_others_are_left_alone(
    db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = _two_topics(tmp_path / "t.toml", "kremlin")
    first = score_database(db, ScoreOptions(taxonomy=path))
    run = first.runs["topics"]
    assert _tags(db) == [("c2", "first", ["kremlin"], run), ("c4", "second", ["volunteers"], run)]

    _two_topics(path, "security council")
    edited = score_database(db, ScoreOptions(taxonomy=path))
    assert edited.comments == 0 and edited.changed_since_last_run == []
    assert edited.retagged == 4 and edited.retagged_topics == ["first"] and edited.removed_topics == []
    new = edited.retag_run
    assert new is not None and new > run
    # "second" was not matched again: its row still cites the first run
    assert _tags(db) == [("c3", "first", ["security council"], new), ("c4", "second", ["volunteers"], run)]
    assert count(db, "SELECT count(*) FROM scored WHERE scorer = 'topics' AND run_id = " + str(new)) == 4
    assert "tagged again for 1 changed topic(s)" in describe(edited)[-1]

    again = score_database(db, ScoreOptions(taxonomy=path))
    assert again.retag_run is None and again.comments == 0  # nothing left to do
    assert describe(again) == ["scored 0 comments: every published comment is already scored"]


def test_a_label_edit_changes_no_hit(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _two_topics(tmp_path / "t.toml", "kremlin")
    score_database(db, ScoreOptions(taxonomy=path))
    path.write_text(path.read_text("utf-8").replace('"First"', '"The first one"'), "utf-8")
    relabelled = score_database(db, ScoreOptions(taxonomy=path))
    assert relabelled.retag_run is None
    assert plan_retag(db, load_taxonomy(path), load_model()).changed == {}
    assert db.execute("SELECT label FROM topics ORDER BY topic").fetchall() == [("The first one",), ("Second",)]


def test_removed_and_added_topics(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _two_topics(tmp_path / "t.toml", "kremlin")
    score_database(db, ScoreOptions(taxonomy=path))
    path.write_text(
        'format = 2\n[topics.first]\nlabel = "First"\nkeywords = ["kremlin"]\n'
        '[topics.third]\nlabel = "Third"\nkeywords = ["verification"]\n',
        "utf-8",
    )
    edited = score_database(db, ScoreOptions(taxonomy=path))
    assert edited.retagged_topics == ["third"] and edited.removed_topics == ["second"]
    assert [(c, t, e) for c, t, e, _ in _tags(db)] == [("c1", "third", ["verification"]), ("c2", "first", ["kremlin"])]
    assert db.execute("SELECT topic FROM topics ORDER BY 1").fetchall() == [("first",), ("third",)]


def test_comments_no_longer_published_lose_their_topics_as_after_all(
    db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = _two_topics(tmp_path / "t.toml", "kremlin", "volunteers|peacekeepers")
    score_database(db, ScoreOptions(taxonomy=path))
    db.execute("UPDATE comments SET status = 'deleted' WHERE comment_id = 'c2'")
    _two_topics(path, "kremlin|security council", "volunteers|peacekeepers")
    edited = score_database(db, ScoreOptions(taxonomy=path))
    assert edited.retagged == 3  # c2 is not tagged again, and keeps no topic hit nor mark
    assert [(c, t) for c, t, _, _ in _tags(db)] == [("c3", "first"), ("c4", "second")]
    marked = "SELECT count(*) FROM scored JOIN comments USING (comment_pk) WHERE scorer = 'topics' AND comment_id = 'c2'"
    assert count(db, marked) == 0
    assert score_database(db, ScoreOptions(taxonomy=path)).retag_run is None  # nothing left to do

    db.execute("UPDATE comments SET status = 'published' WHERE comment_id = 'c2'")
    again = score_database(db, ScoreOptions(taxonomy=path))
    assert again.comments == 1 and again.retag_run is None
    assert [(c, t) for c, t, _, _ in _tags(db)] == [("c2", "first"), ("c2", "second"), ("c3", "first"), ("c4", "second")]


def test_a_topic_removed_and_put_back_is_tagged_again(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _two_topics(tmp_path / "t.toml", "kremlin")
    score_database(db, ScoreOptions(taxonomy=path))
    before = [(c, t, e) for c, t, e, _ in _tags(db)]
    shipped = path.read_text("utf-8")
    path.write_text(shipped.split("[topics.second]")[0], "utf-8")
    removed = score_database(db, ScoreOptions(taxonomy=path))
    assert removed.removed_topics == ["second"] and removed.retagged == 0
    path.write_text(shipped, "utf-8")
    restored = score_database(db, ScoreOptions(taxonomy=path))
    assert restored.retagged_topics == ["second"] and restored.retagged == 4
    assert [(c, t, e) for c, t, e, _ in _tags(db)] == before


def test_runs_without_recorded_definitions_count_as_changed(db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _two_topics(tmp_path / "t.toml", "kremlin")
    score_database(db, ScoreOptions(taxonomy=path))
    before = db.execute(HITS).fetchall()
    db.execute("DELETE FROM topic_definitions")  # as scored before migration 0006
    edited = score_database(db, ScoreOptions(taxonomy=path))
    assert edited.retagged == 4 and edited.retagged_topics == ["first", "second"]
    assert db.execute(HITS).fetchall() == before


def test_an_interrupted_retag_resumes(db: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _two_topics(tmp_path / "t.toml", "kremlin")
    score_database(db, ScoreOptions(taxonomy=path))
    _two_topics(path, "security council|peacekeepers")
    interrupt_second_batch(db, monkeypatch, ScoreOptions(taxonomy=path, batch_size=2), "write_retag")
    resumed = score_database(db, ScoreOptions(taxonomy=path, batch_size=2))
    assert resumed.retagged == 2  # the first batch had been committed
    assert [(c, t, e) for c, t, e, _ in _tags(db)] == [
        ("c2", "first", ["peacekeepers"]),
        ("c3", "first", ["security council"]),
        ("c4", "second", ["volunteers"]),
    ]


def _store(conn: duckdb.DuckDBPyConnection, texts: list[str], reply_every: int = 0) -> None:
    """One article with the texts as its comments c0, c1, ...; with `reply_every` n, every n-th
    comment replies to the one before it."""
    index = pl.int_range(pl.len())
    frame = pl.DataFrame({"text": texts}).with_columns(
        pl.format("c{}", index).alias("comment_id"),
        (pl.when(index % reply_every == reply_every - 1).then(pl.format("c{}", index - 1)) if reply_every else pl.lit(None, pl.String)).alias("parent_id"),
    )
    conn.execute("INSERT INTO articles (article_id, title, source_id) VALUES ('a1', 'Karabakh', 1)")
    conn.register("_texts", frame)
    conn.execute(
        "INSERT INTO comments (article_id, comment_id, parent_id, text, source_id)"
        " SELECT 'a1', comment_id, parent_id, text, 1 FROM _texts"
    )
    conn.unregister("_texts")


def labelled_texts() -> list[str]:
    """The comment texts of our own labelled sets (data/heldout): a varied corpus to score."""
    texts = []
    for path in sorted((REPO / "data" / "heldout").glob("own_set*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts += [row["text"] for row in csv.DictReader(handle)]
    return texts


def _edited_test_taxonomy(path: Path) -> Path:
    """The test taxonomy with several kinds of edit: a threshold, a keyword added, an exclude
    phrase removed, a topic removed and one added."""
    text = TEST_TAXONOMY.read_text("utf-8")
    start = text.index("[topics.humanitarian]")
    text = text[:start] + text[text.index("[skepticism]") :]
    text = text.replace("threshold = 0.75\nkeywords = [\"UN\"", "threshold = 0.5\nkeywords = [\"UN\"", 1)
    text = text.replace('"death toll", ', '"death toll", "body count", ', 1)
    text = text.replace('exclude = ["russian salad"]\n', "", 1)
    text += '\n[topics.death_toll]\nlabel = "Death toll"\nkeywords = ["death toll", "killed"]\n'
    path.write_text(text, "utf-8")
    return path


def test_retagging_gives_what_rescoring_everything_gives(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    texts = labelled_texts()
    assert len(texts) > 100
    _store(conn, texts)
    score_database(conn, ScoreOptions(batch_size=100))
    before = load_taxonomy()
    edited_path = _edited_test_taxonomy(tmp_path / "edited.toml")
    edited = load_taxonomy(edited_path)
    changed = {t.id for t in edited.topics if t not in before.topics}
    assert changed == {"un_inaction", "russia_role", "casualty_trust", "death_toll"}

    summary = score_database(conn, ScoreOptions(taxonomy=edited_path, batch_size=100))
    assert set(summary.retagged_topics) == changed
    assert summary.removed_topics == ["humanitarian"]
    retagged = conn.execute(HITS).fetchall()
    score_database(conn, ScoreOptions(taxonomy=edited_path, rescore_all=True, scorers=("topics",)))
    assert retagged == conn.execute(HITS).fetchall()
    assert {topic for _, topic, _, _ in retagged} == changed


def test_retagging_keeps_the_rows_of_unchanged_topics(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    texts = labelled_texts()
    _store(conn, texts)
    score_database(conn, ScoreOptions(batch_size=100))
    kept = "SELECT * FROM topic_hits WHERE topic <> 'russia_role' ORDER BY ALL"
    unchanged_rows = conn.execute(kept).fetchall()
    assert {r[1] for r in unchanged_rows} >= {"un_inaction", "casualty_trust", "humanitarian"}
    path = tmp_path / "edited.toml"
    path.write_text(TEST_TAXONOMY.read_text("utf-8").replace('"peacekeeper*"]', '"peacekeeper*", "lavrov"]'), "utf-8")
    summary = score_database(conn, ScoreOptions(taxonomy=path, batch_size=100))
    assert summary.retagged_topics == ["russia_role"] and summary.retagged == len(texts)
    assert conn.execute(kept).fetchall() == unchanged_rows  # run ids and all
    retagged = conn.execute(HITS).fetchall()
    score_database(conn, ScoreOptions(taxonomy=path, rescore_all=True, scorers=("topics",)))
    assert retagged == conn.execute(HITS).fetchall()


def test_retagging_with_a_trained_model_gives_what_rescoring_gives(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """The model's path of a re-tag (its own topic's keywords, the changed outputs only, VADER's
    stored scores, replies with their parent's keywords) against a full re-score."""
    from readerpulse.score.model import load, save
    from readerpulse.train import TrainConfig, TrainingRows, fit, keyword_counter

    texts = labelled_texts()
    taxonomy = load_taxonomy()
    # a model of the suite's topics, trained on those texts with labels from a few words
    labels = ("un_inaction", "russia_role", "skepticism")
    rows = pl.DataFrame({"text": texts}).with_row_index("i").select(
        pl.format("c{}", "i").alias("id"), pl.lit("labels").alias("source"), pl.format("t{}", "i").alias("thread"),
        "text", pl.lit(None, pl.String).alias("parent_text"), pl.lit(1.0).alias("weight"),
        pl.col("text").str.contains("(?i)\\bUN\\b|council").cast(pl.Int8).alias("un_inaction"),
        pl.col("text").str.contains("(?i)russia|kremlin|moscow").cast(pl.Int8).alias("russia_role"),
        pl.col("text").str.contains("(?i)\\?|verif").cast(pl.Int8).alias("skepticism"),
        (pl.col("text").str.len_chars() % 5 / 4 - 0.5).alias("tone"),
    )
    model_path = tmp_path / "m.model"
    save(fit(TrainingRows(rows, labels), keyword_counter(taxonomy), TrainConfig(bits=12, threshold_folds=3)), model_path)
    model = load(model_path)
    _store(conn, texts, reply_every=3)  # every third comment replies to the one before it
    score_database(conn, ScoreOptions(model=model, batch_size=100))
    edited_path = _edited_test_taxonomy(tmp_path / "edited.toml")
    summary = score_database(conn, ScoreOptions(taxonomy=edited_path, model=model, batch_size=100))
    assert "russia_role" in summary.retagged_topics
    retagged = conn.execute(HITS_WITH_EVIDENCE).fetchall()
    score_database(conn, ScoreOptions(taxonomy=edited_path, model=model, rescore_all=True, scorers=("topics",)))
    assert retagged == conn.execute(HITS_WITH_EVIDENCE).fetchall()
    assert {topic for _, topic, _, _ in retagged} >= {"un_inaction", "russia_role"}


HITS_WITH_EVIDENCE = "SELECT c.comment_id, h.topic, h.score, h.evidence FROM topic_hits h JOIN comments c USING (comment_pk) ORDER BY ALL"
