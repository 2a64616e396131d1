"""Every named query on the fixture database (tests/conftest.py, READER_WEEK_SQL): columns and rows.

The fixture's latest week is 2023-W38 (Mon 18 – Sun 24 September 2023); the week before holds
comments 1–3 on article a2. Comment 9 is spam (never counted), comment 12 on the stub article a3 is
not scored at all, comment 13 has sentiment but neither a skepticism score nor a reader tone.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from readerpulse import queries
from readerpulse.store import connect

A1 = "Talks begin on Karabakh's future"
A2 = "Aid convoy reaches Stepanakert"
CAS, DIP, HUM = "Casualty figures", "Diplomacy and talks", "Humanitarian situation"


def topic(name: str, label: str, score: float, evidence: list[str]) -> dict[str, Any]:
    """One item of a quoted comment's `topics`: the topic, its label, score and evidence."""
    return {"topic": name, "topic_label": label, "score": score, "evidence": evidence}


# comment 5's topics, strongest first: a keyword then a word of the model's as evidence
C5_CASUALTIES = topic("casualties", CAS, 1.0, ["casualty numbers", "proof"])
C5_HUMANITARIAN = topic("humanitarian", HUM, 0.5, ["casualty"])


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 9, day, hour, minute, tzinfo=UTC)


def run(conn: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    return queries.run(conn, queries.get(name), params)


def same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float):
        return actual == pytest.approx(expected, abs=1e-9)
    return bool(actual == expected)


def assert_frame(frame: pl.DataFrame, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    assert frame.columns == list(columns)
    actual = frame.rows()
    assert len(actual) == len(rows), actual
    for got, want in zip(actual, rows, strict=True):
        assert len(got) == len(want)
        assert all(same(g, w) for g, w in zip(got, want, strict=True)), (got, want)


def test_period_summary_compares_with_the_week_before(reader_week: duckdb.DuckDBPyConnection) -> None:
    dates = (date(2023, 9, 18), date(2023, 9, 24), date(2023, 9, 11), date(2023, 9, 17))
    assert_frame(
        run(reader_week, "period_summary"),
        ["metric", "label", "unit", "first_day", "last_day", "previous_first_day", "previous_last_day",
         "this_period", "previous_period", "change"],
        [
            ("comments", "Comments", "count", *dates, 9.0, 3.0, 6.0),
            ("articles", "Articles commented on", "count", *dates, 3.0, 1.0, 2.0),
            ("commenters", "Commenters", "count", *dates, 5.0, 3.0, 2.0),
            ("mean_sentiment", "Mean sentiment (VADER)", "score", *dates, -0.1, 0.167, -0.267),
            # tone of the 7 comments the model scored (4-8, 10, 11; not 12 nor 13): -1.3 / 7;
            # the week before: 0.5, -0.6, 0.1
            ("mean_tone", "Mean reader tone", "score", *dates, -0.186, 0.0, -0.186),
            # VADER: 4, 5, 7, 10 of 8 scored; the week before 2 of 3
            ("negative_share", "Negative by VADER sentiment", "share", *dates, 0.5, 0.333, 0.167),
            # the tone: 4, 5, 6 (VADER: positive), 7 of 7 scored (10 neutral); the week before 2 of 3
            ("negative_tone_share", "Negative by reader tone", "share", *dates, 0.571, 0.333, 0.238),
            ("skeptical_share", "Skeptical about verification", "share", *dates, 0.429, 0.333, 0.095),
        ],
    )


def test_period_summary_of_one_article_and_a_longer_period(reader_week: duckdb.DuckDBPyConnection) -> None:
    frame = run(reader_week, "period_summary", start="2023-09-20", end="2023-09-22", article_id="a1")
    assert frame.row(0) == (
        "comments", "Comments", "count",
        date(2023, 9, 20), date(2023, 9, 22), date(2023, 9, 17), date(2023, 9, 19),
        6.0, 0.0, 6.0,
    )
    assert frame.filter(pl.col("metric") == "mean_sentiment")["previous_period"].to_list() == [None]
    # comments 4-8 and 13 of a1 (9 is spam): the model scored 4-8, VADER 4-8 and 13
    tone = frame.filter(pl.col("metric").is_in(["mean_tone", "negative_share", "negative_tone_share"]))
    assert tone.select("metric", "this_period", "previous_period").rows() == [
        ("mean_tone", pytest.approx(-0.38), None),  # (-0.3 - 0.8 - 0.5 - 0.6 + 0.3) / 5
        ("negative_share", pytest.approx(0.5), None),  # 4, 5, 7 of 6
        ("negative_tone_share", pytest.approx(0.8), None),  # 4, 5, 6, 7 of 5
    ]


def test_daily_topics_has_every_day_and_topic(reader_week: duckdb.DuckDBPyConnection) -> None:
    frame = run(reader_week, "daily_topics")
    assert frame.columns == ["day", "topic", "topic_label", "comments", "mean_sentiment"]
    assert frame.height == 7 * 3
    busy = frame.filter(pl.col("comments") > 0)
    assert_frame(
        busy,
        frame.columns,
        [
            (date(2023, 9, 18), "casualties", CAS, 1, -0.2),
            (date(2023, 9, 18), "humanitarian", HUM, 1, -0.2),
            (date(2023, 9, 21), "casualties", CAS, 1, -0.6),
            (date(2023, 9, 21), "diplomacy", DIP, 1, 0.1),
            (date(2023, 9, 21), "humanitarian", HUM, 2, -0.65),
            (date(2023, 9, 22), "diplomacy", DIP, 2, 0.1),  # the spam comment's topic is not counted
        ],
    )
    assert frame.filter(pl.col("comments") == 0)["mean_sentiment"].null_count() == 15


def test_daily_skepticism_counts_scored_comments_only(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "daily_skepticism"),
        ["day", "comments", "scored_comments", "skeptical_comments", "skeptical_share", "mean_skepticism_score"],
        [
            (date(2023, 9, 18), 1, 1, 1, 1.0, 0.6),
            (date(2023, 9, 19), 0, 0, 0, None, None),
            (date(2023, 9, 20), 1, 0, 0, None, None),
            (date(2023, 9, 21), 3, 3, 1, 0.333, 0.333),
            (date(2023, 9, 22), 3, 2, 1, 0.5, 0.35),
            (date(2023, 9, 23), 0, 0, 0, None, None),
            (date(2023, 9, 24), 1, 1, 0, 0.0, 0.0),
        ],
    )


def test_daily_tone_beside_vader(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "daily_tone"),
        ["day", "comments", "sentiment_comments", "mean_sentiment", "negative_share", "tone_comments", "mean_tone",
         "negative_tone_share"],
        [
            (date(2023, 9, 18), 1, 1, -0.2, 1.0, 1, -0.1, 0.0),  # comment 10: VADER negative, the tone neutral
            (date(2023, 9, 19), 0, 0, None, None, 0, None, None),
            (date(2023, 9, 20), 1, 0, None, None, 0, None, None),  # comment 12, not scored
            # 4, 5, 6: VADER -0.7, -0.6, +0.1; the tone -0.3, -0.8, -0.5 (all negative)
            (date(2023, 9, 21), 3, 3, -0.4, 0.667, 3, -0.533, 1.0),
            # 7, 8, 13 (9 is spam): VADER -0.3, +0.5, 0.0; the tone -0.6, +0.3 (13 has none)
            (date(2023, 9, 22), 3, 3, 0.067, 0.333, 2, -0.15, 0.5),
            (date(2023, 9, 23), 0, 0, None, None, 0, None, None),
            (date(2023, 9, 24), 1, 1, 0.4, 0.0, 1, 0.7, 0.0),  # comment 11
        ],
    )
    one = run(reader_week, "daily_tone", start="2023-09-11", end="2023-09-13", article_id="a2")
    assert one.select("day", "comments", "mean_sentiment", "mean_tone").rows() == [
        (date(2023, 9, 11), 0, None, None),
        (date(2023, 9, 12), 1, 0.6, 0.5),
        (date(2023, 9, 13), 2, pytest.approx(-0.05), pytest.approx(-0.25)),  # 2 and 3: (-0.6 + 0.1) / 2
    ]


def test_skepticism_cues(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "skepticism_cues", limit=4),
        ["cue", "comments", "articles", "share_of_skeptical"],
        [
            ("any proof", 1, 1, 0.333),
            ("hard to believe", 1, 1, 0.333),
            ("no source", 1, 1, 0.333),
            ("propaganda", 1, 1, 0.333),
        ],
    )


def test_skeptical_comments_of_the_week(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "skeptical_comments"),
        ["posted_at", "article_id", "article_title", "comment_id", "commenter", "skepticism_score", "cues",
         "sentiment", "text", "tone", "tone_label"],
        [
            (at(21, 11), "a1", A1, "c5", "u2", 0.9, ["any proof", "propaganda"], -0.6,
             "Is there any proof of these casualty numbers? Sounds like propaganda.", -0.8, "negative"),
            (at(22, 8), "a1", A1, "c7", "u2", 0.7, ["hard to believe"], -0.3,
             "Hard to believe anything officials say.", -0.6, "negative"),
            (at(18, 9), "a2", A2, "c10", "u3", 0.6, ["unconfirmed", "no source"], -0.2,
             "Unconfirmed reports and no source cited.", -0.1, "neutral"),
        ],
    )


def test_skeptical_comments_of_the_week_before(reader_week: duckdb.DuckDBPyConnection) -> None:
    frame = run(reader_week, "skeptical_comments", start="2023-W37")
    assert frame.select("comment_id", "cues").rows() == [("c2", ["who verified"])]


def test_review_queue_is_very_negative_and_skeptical(reader_week: duckdb.DuckDBPyConnection) -> None:
    columns = ["posted_at", "article_id", "article_title", "comment_id", "commenter", "sentiment",
               "skepticism_score", "cues", "text", "tone", "tone_label", "topics"]
    assert_frame(
        run(reader_week, "review_queue"),
        columns,
        [(at(21, 11), "a1", A1, "c5", "u2", -0.6, 0.9, ["any proof", "propaganda"],
          "Is there any proof of these casualty numbers? Sounds like propaganda.", -0.8, "negative",
          [C5_CASUALTIES, C5_HUMANITARIAN])],
    )
    looser = run(reader_week, "review_queue", max_sentiment=-0.2)
    assert looser["comment_id"].to_list() == ["c5", "c7", "c10"]
    assert looser["tone"].to_list() == [-0.8, -0.6, -0.1]
    assert looser["tone_label"].to_list() == ["negative", "negative", "neutral"]
    assert looser["topics"].to_list()[1:] == [
        [topic("diplomacy", DIP, 0.5, ["officials"])],
        # equal scores: by label
        [topic("casualties", CAS, 0.5, ["reports"]), topic("humanitarian", HUM, 0.5, ["reports"])],
    ]
    assert run(reader_week, "review_queue", max_sentiment=-0.2, limit=1)["comment_id"].to_list() == ["c5"]


def test_topic_weekly(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "topic_weekly"),
        ["week_start", "iso_week", "topic", "topic_label", "comments", "mean_sentiment", "skeptical_share"],
        [
            (date(2023, 9, 11), "2023-W37", "casualties", CAS, 1, -0.1, 1.0),
            (date(2023, 9, 11), "2023-W37", "humanitarian", HUM, 1, 0.6, 0.0),
            (date(2023, 9, 18), "2023-W38", "diplomacy", DIP, 3, 0.1, 0.333),
            (date(2023, 9, 18), "2023-W38", "humanitarian", HUM, 3, -0.5, 0.667),
            (date(2023, 9, 18), "2023-W38", "casualties", CAS, 2, -0.4, 1.0),
        ],
    )


def test_topic_trend_flags_spikes(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "topic_trend"),
        ["week_start", "iso_week", "topic", "topic_label", "comments", "previous_comments", "change",
         "change_pct", "spike"],
        [
            (date(2023, 9, 11), "2023-W37", "casualties", CAS, 1, 0, 1, None, False),
            (date(2023, 9, 11), "2023-W37", "diplomacy", DIP, 0, 0, 0, None, False),
            (date(2023, 9, 11), "2023-W37", "humanitarian", HUM, 1, 0, 1, None, False),
            (date(2023, 9, 18), "2023-W38", "casualties", CAS, 2, 1, 1, 100.0, False),
            (date(2023, 9, 18), "2023-W38", "diplomacy", DIP, 3, 0, 3, None, True),
            (date(2023, 9, 18), "2023-W38", "humanitarian", HUM, 3, 1, 2, 200.0, True),
        ],
    )


def test_topic_trend_compares_the_first_week_with_the_one_before(
    reader_week: duckdb.DuckDBPyConnection,
) -> None:
    frame = run(reader_week, "topic_trend", start="2023-09-18", min_comments=2, spike_ratio=3.0)
    assert frame.select("topic", "comments", "previous_comments", "spike").rows() == [
        ("casualties", 2, 1, False),
        ("diplomacy", 3, 0, True),
        ("humanitarian", 3, 1, True),
    ]


def test_skepticism_by_article(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "skepticism_by_article"),
        ["week_start", "iso_week", "article_id", "article_title", "comments", "scored_comments",
         "skeptical_comments", "skeptical_share"],
        [
            (date(2023, 9, 11), "2023-W37", "a2", A2, 3, 3, 1, 0.333),
            (date(2023, 9, 18), "2023-W38", "a2", A2, 2, 2, 1, 0.5),
            (date(2023, 9, 18), "2023-W38", "a1", A1, 6, 5, 2, 0.4),
            (date(2023, 9, 18), "2023-W38", "a3", "a3", 1, 0, 0, None),
        ],
    )


def test_passage_discussion(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "passage_discussion", top=2),
        ["article_id", "article_title", "rank", "passage_no", "passage_kind", "passage_text", "comments",
         "mean_sentiment", "negative_comments", "positive_comments", "skeptical_comments"],
        [
            ("a1", A1, 1, 1, "paragraph", "Officials met in Yevlakh on Thursday.", 2, 0.1, 1, 1, 1),
            ("a1", A1, 2, 2, "paragraph", "Local officials reported 200 deaths.", 2, -0.65, 2, 0, 1),
            ("a2", A2, 1, 2, "bullet", "Aid groups say 120,000 people need food.", 1, -0.2, 1, 0, 1),
        ],
    )


def test_article_passages_lists_every_passage(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "article_passages"),
        ["article_id", "passage_no", "passage_label", "kind", "heading", "passage_text", "comments",
         "mean_sentiment", "negative_comments", "skeptical_comments"],
        [
            ("a1", 0, "¶0", "title", None, A1, 0, None, 0, 0),
            ("a1", 1, "¶1", "paragraph", None, "Officials met in Yevlakh on Thursday.", 2, 0.1, 1, 1),
            ("a1", 2, "¶2", "paragraph", None, "Local officials reported 200 deaths.", 2, -0.65, 2, 1),
            ("a1", 3, "¶3", "paragraph", None, "The UN called for restraint.", 1, 0.1, 0, 0),
            ("a2", 0, "¶0", "title", None, A2, 0, None, 0, 0),
            ("a2", 1, "¶1", "paragraph", None, "Twenty trucks crossed the Lachin corridor.", 0, None, 0, 0),
            ("a2", 2, "¶2", "bullet", None, "Aid groups say 120,000 people need food.", 1, -0.2, 1, 1),
        ],
    )


def test_article_passages_of_one_article_without_comments_that_week(
    reader_week: duckdb.DuckDBPyConnection,
) -> None:
    frame = run(reader_week, "article_passages", article_id="a1", start="2023-W37")
    assert frame["passage_no"].to_list() == [0, 1, 2, 3]
    assert frame["comments"].to_list() == [0, 0, 0, 0]


def test_article_topics(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "article_topics"),
        ["article_id", "topic", "topic_label", "comments", "share", "mean_sentiment"],
        [
            ("a1", "diplomacy", DIP, 3, 0.5, 0.1),
            ("a1", "humanitarian", HUM, 2, 0.333, -0.65),
            ("a1", "casualties", CAS, 1, 0.167, -0.6),
            ("a2", "casualties", CAS, 1, 0.5, -0.2),
            ("a2", "humanitarian", HUM, 1, 0.5, -0.2),
        ],
    )


def test_article_overview(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "article_overview"),
        ["article_id", "article_title", "outlet", "url", "published_at", "comments", "commenters", "replies",
         "mean_sentiment", "skeptical_share", "top_topic", "first_comment_at", "last_comment_at", "mean_tone"],
        [
            # a1's tone: 4-8 (13 has none), (-0.3 - 0.8 - 0.5 - 0.6 + 0.3) / 5
            ("a1", A1, "Example News", "https://news.example/a1", at(21, 8), 6, 5, 3, -0.167, 0.4, DIP,
             at(21, 10), at(22, 11), -0.38),
            # a2's tone: 10 and 11, (-0.1 + 0.7) / 2
            ("a2", A2, "Example News", "https://news.example/a2", at(12, 7), 2, 2, 0, 0.1, 0.5, CAS,
             at(18, 9), at(24, 23, 30), 0.3),
            ("a3", "a3", None, None, None, 1, 1, 0, None, None, None, at(20, 15), at(20, 15), None),
        ],
    )
    assert run(reader_week, "article_overview", limit=1)["article_id"].to_list() == ["a1"]


def test_notable_comments(reader_week: duckdb.DuckDBPyConnection) -> None:
    columns = ["article_id", "kind", "rank", "posted_at", "commenter", "comment_id", "sentiment",
               "skepticism_score", "cues", "text", "tone", "tone_label", "topics"]
    c5 = "Is there any proof of these casualty numbers? Sounds like propaganda."
    c7 = "Hard to believe anything officials say."
    c10 = "Unconfirmed reports and no source cited."
    c5_topics = [C5_CASUALTIES, C5_HUMANITARIAN]
    c7_topics = [topic("diplomacy", DIP, 0.5, ["officials"])]
    c10_topics = [topic("casualties", CAS, 0.5, ["reports"]), topic("humanitarian", HUM, 0.5, ["reports"])]
    assert_frame(
        run(reader_week, "notable_comments"),
        columns,
        [
            ("a1", "skeptical", 1, at(21, 11), "u2", "c5", -0.6, 0.9, ["any proof", "propaganda"], c5,
             -0.8, "negative", c5_topics),
            ("a1", "skeptical", 2, at(22, 8), "u2", "c7", -0.3, 0.7, ["hard to believe"], c7,
             -0.6, "negative", c7_topics),
            ("a1", "negative", 1, at(21, 10), "u1", "c4", -0.7, 0.1, [], "Civilians are suffering terribly.",
             -0.3, "negative", [topic("humanitarian", HUM, 1.0, ["civilians"])]),
            ("a1", "negative", 2, at(21, 11), "u2", "c5", -0.6, 0.9, ["any proof", "propaganda"], c5,
             -0.8, "negative", c5_topics),
            ("a1", "negative", 3, at(22, 8), "u2", "c7", -0.3, 0.7, ["hard to believe"], c7,
             -0.6, "negative", c7_topics),
            ("a2", "skeptical", 1, at(18, 9), "u3", "c10", -0.2, 0.6, ["unconfirmed", "no source"], c10,
             -0.1, "neutral", c10_topics),
            ("a2", "negative", 1, at(18, 9), "u3", "c10", -0.2, 0.6, ["unconfirmed", "no source"], c10,
             -0.1, "neutral", c10_topics),
        ],
    )
    # the week before: c2 has a topic; c3 (a reply, no topic) is neutral and not quoted
    before = run(reader_week, "notable_comments", start="2023-W37")
    assert before.select("kind", "comment_id", "tone", "tone_label", "topics").rows() == [
        ("skeptical", "c2", -0.6, "negative", [topic("casualties", CAS, 1.0, ["numbers"])]),
        ("negative", "c2", -0.6, "negative", [topic("casualties", CAS, 1.0, ["numbers"])]),
    ]
    one_day = run(reader_week, "notable_comments", start="2023-09-22", end="2023-09-22", kind="negative")
    assert one_day.select("comment_id", "tone", "topics").rows() == [("c7", -0.6, c7_topics)]
    negative = run(reader_week, "notable_comments", kind="negative", per_article=1)
    assert negative.select("article_id", "comment_id").rows() == [("a1", "c4"), ("a2", "c10")]


def test_a_quoted_comment_without_tone_or_topics(reader_week_path: Path, tmp_path: Path) -> None:
    """Not scored by the model yet and raising no topic: NULL tone, no topics, the row all the same."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(reader_week_path, path)
    conn = connect(path)
    try:
        conn.execute(
            "DELETE FROM tone WHERE comment_pk = 4; DELETE FROM topic_hits WHERE comment_pk = 4;"
            "UPDATE skepticism SET skeptical = true WHERE comment_pk = 4"  # into the review queue
        )
        for name, params in (("notable_comments", {"kind": "negative", "per_article": 1}),
                             ("review_queue", {"max_sentiment": -0.6})):
            frame = run(conn, name, **params).filter(pl.col("comment_id") == "c4")
            assert frame.select("sentiment", "tone", "tone_label", "topics").rows() == [(-0.7, None, None, [])], name
    finally:
        conn.close()


def test_top_commenters_by_pseudonym_or_kept_name(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "top_commenters"),
        ["commenter", "comments", "articles", "replies", "mean_sentiment", "skeptical_comments",
         "first_comment_at", "last_comment_at"],
        [
            ("u1", 2, 2, 0, -0.15, 0, at(21, 10), at(24, 23, 30)),
            ("u2", 2, 1, 1, -0.45, 2, at(21, 11), at(22, 8)),
            ("u3", 2, 2, 1, -0.1, 1, at(18, 9), at(22, 11)),
            ("u4", 2, 2, 1, 0.1, 0, at(20, 15), at(21, 12)),
            # the only commenter whose raw name was kept on purpose
            ("Dana Reader", 1, 1, 0, 0.5, 0, at(22, 9), at(22, 9)),
        ],
    )


def test_thread_shape(reader_week: duckdb.DuckDBPyConnection) -> None:
    # a1: threads c4, c5 (+ c6, c7), c8 and c9 (spam itself, but its reply c13 counts) -> 4 threads
    assert_frame(
        run(reader_week, "thread_shape"),
        ["article_id", "article_title", "comments", "threads", "replies", "reply_share", "mean_thread_size",
         "largest_thread", "max_depth", "mean_depth"],
        [
            ("a1", A1, 6, 4, 3, 0.5, 1.5, 3, 2, 0.67),
            ("a2", A2, 2, 2, 0, 0.0, 1.0, 1, 0, 0.0),
            ("a3", "a3", 1, 1, 0, 0.0, 1.0, 1, 0, 0.0),
        ],
    )


def test_topic_pairs(reader_week: duckdb.DuckDBPyConnection) -> None:
    assert_frame(
        run(reader_week, "topic_pairs"),
        ["topic_a", "topic_b", "label_a", "label_b", "comments", "share_of_a", "share_of_b", "mean_sentiment"],
        [("casualties", "humanitarian", CAS, HUM, 2, 1.0, 0.667, -0.4)],
    )
    assert run(reader_week, "topic_pairs", min_comments=3).height == 0


def test_every_query_in_the_library_is_tested_here() -> None:
    source = Path(__file__).read_text("utf-8")
    untested = [name for name in queries.library() if f'"{name}"' not in source]
    assert untested == []


@pytest.mark.parametrize("name", sorted(queries.library()))
def test_every_query_runs_on_an_empty_database(name: str, conn: duckdb.DuckDBPyConnection) -> None:
    frame = run(conn, name)
    assert frame.columns  # the same columns, no rows (or empty-period rows) and no error
