"""Chart functions, tested as Vega-Lite specs (to_dict()), never as pixels."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from readerpulse import queries
from readerpulse.report import charts
from readerpulse.report.definition import load
from readerpulse.report.weekly import Period, build_report
from readerpulse.store import connect

WEEK = {"start": "2023-09-18", "end": "2023-09-24"}


def frame_of(conn: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    return queries.run(conn, queries.get(name), {**WEEK, **params})


def layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec.get("layer", [spec])


def rows(spec: dict[str, Any], node: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The inline rows a chart (or one of its layers) draws; Altair moves them to `datasets`."""
    data = (node or spec)["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def carried(spec: dict[str, Any]) -> int:
    """How many rows of data the whole spec carries."""
    return sum(len(v) for v in spec.get("datasets", {}).values())


def test_topic_volume(reader_week: duckdb.DuckDBPyConnection) -> None:
    spec = charts.build("topic_volume", frame_of(reader_week, "daily_topics")).to_dict()
    assert spec["mark"]["type"] == "bar"
    enc = spec["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"]) == ("day_label", "ordinal")
    assert enc["x"]["scale"]["domain"] == [
        "Mon 18 Sep", "Tue 19 Sep", "Wed 20 Sep", "Thu 21 Sep", "Fri 22 Sep", "Sat 23 Sep", "Sun 24 Sep",
    ]
    assert (enc["y"]["field"], enc["y"]["type"], enc["y"]["stack"]) == ("comments", "quantitative", "zero")
    assert enc["color"]["field"] == "topic_label"
    assert enc["color"]["scale"]["domain"] == ["Casualty figures", "Diplomacy and talks", "Humanitarian situation"]
    drawn = rows(spec)
    assert len(drawn) == 6  # the day-topic pairs with comments, not the comments themselves
    assert {
        k: v for k, v in drawn[4].items() if k in ("day", "topic_label", "comments")
    } == {"day": "2023-09-21", "topic_label": "Humanitarian situation", "comments": 2}
    assert "$schema" in spec and spec["config"]["font"].startswith("DejaVu Sans")


def test_topic_sentiment_heat_map(reader_week: duckdb.DuckDBPyConnection) -> None:
    spec = charts.build("topic_sentiment", frame_of(reader_week, "daily_topics")).to_dict()
    cells, counts = spec["layer"]
    assert cells["mark"]["type"] == "rect" and counts["mark"]["type"] == "text"
    color = cells["encoding"]["color"]
    assert color["field"] == "mean_sentiment"
    assert color["scale"] == {"domain": [-1.0, 1.0], "scheme": "redyellowblue", "domainMid": 0}
    assert counts["encoding"]["text"]["field"] == "comments"
    assert len(rows(spec)) == 6  # only cells with a mean
    assert len(cells["encoding"]["x"]["scale"]["domain"]) == 7  # every day, even those without comments
    assert cells["encoding"]["y"]["sort"] == ["Casualty figures", "Diplomacy and talks", "Humanitarian situation"]


def test_skepticism_tracker(reader_week: duckdb.DuckDBPyConnection) -> None:
    spec = charts.build("skepticism_tracker", frame_of(reader_week, "daily_skepticism")).to_dict()
    bars, shares = spec["layer"]
    assert bars["mark"]["type"] == "bar" and shares["mark"]["type"] == "text"
    assert bars["encoding"]["y"]["stack"] is None  # skeptical drawn over all comments, not stacked
    assert bars["encoding"]["color"]["scale"]["domain"] == ["All comments", "Skeptical about verification"]
    assert len(rows(spec, bars)) == 14  # 7 days x 2 series
    assert shares["encoding"]["text"] == {"field": "skeptical_share", "format": ".0%", "type": "quantitative"}
    assert [r["skeptical_share"] for r in rows(spec, shares)] == [1.0, 0.333, 0.5, 0.0]


def test_skepticism_tracker_before_skepticism_is_scored(reader_week: duckdb.DuckDBPyConnection) -> None:
    frame = frame_of(reader_week, "daily_skepticism").with_columns(
        skeptical_share=pl.lit(None, pl.Float64), skeptical_comments=pl.lit(0, pl.Int32)
    )
    spec = charts.build("skepticism_tracker", frame).to_dict()
    assert "layer" not in spec and spec["mark"]["type"] == "bar"  # no share labels over empty data


def test_tone_vs_sentiment(reader_week: duckdb.DuckDBPyConnection) -> None:
    spec = charts.build("tone_vs_sentiment", frame_of(reader_week, "daily_tone")).to_dict()
    zero, lines = spec["layer"]
    assert zero["mark"]["type"] == "rule" and zero["encoding"] == {"y": {"datum": 0}}
    assert lines["mark"] == {"type": "line", "point": True, "strokeWidth": 2, "invalid": "break-paths-show-domains"}
    enc = lines["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"]) == ("day_label", "ordinal")
    assert len(enc["x"]["scale"]["domain"]) == 7  # every day, even those without scored comments
    assert (enc["y"]["field"], enc["y"]["type"], enc["y"]["scale"]) == ("mean", "quantitative", {"domain": [-1.0, 1.0]})
    series = ["Reader tone (model)", "Sentiment (VADER)"]
    assert enc["color"]["field"] == "series" and enc["color"]["scale"]["domain"] == series
    assert enc["strokeDash"]["scale"] == {"domain": series, "range": [[1, 0], [6, 3]]}  # VADER dashed
    assert [t["field"] for t in enc["tooltip"]] == ["day_label", "series", "mean", "scored"]
    drawn = rows(spec, lines)
    assert len(drawn) == 14  # 7 days x 2 series: the means DuckDB worked out, never the comments
    by_series = {name: [(r["day_label"], r["mean"], r["scored"]) for r in drawn if r["series"] == name] for name in series}
    assert by_series["Reader tone (model)"] == [
        ("Mon 18 Sep", -0.1, 1), ("Tue 19 Sep", None, 0), ("Wed 20 Sep", None, 0), ("Thu 21 Sep", -0.533, 3),
        ("Fri 22 Sep", -0.15, 2), ("Sat 23 Sep", None, 0), ("Sun 24 Sep", 0.7, 1),
    ]
    assert by_series["Sentiment (VADER)"] == [
        ("Mon 18 Sep", -0.2, 1), ("Tue 19 Sep", None, 0), ("Wed 20 Sep", None, 0), ("Thu 21 Sep", -0.4, 3),
        ("Fri 22 Sep", 0.067, 3), ("Sat 23 Sep", None, 0), ("Sun 24 Sep", 0.4, 1),
    ]


def test_tone_vs_sentiment_with_nothing_scored(conn: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(charts.NothingToShow):
        charts.build("tone_vs_sentiment", frame_of(conn, "daily_tone"))  # seven days without comments


def test_tone_vs_sentiment_before_the_model_scored(reader_week: duckdb.DuckDBPyConnection) -> None:
    frame = frame_of(reader_week, "daily_tone").with_columns(
        mean_tone=pl.lit(None, pl.Float64), tone_comments=pl.lit(0, pl.Int64)
    )
    spec = charts.build("tone_vs_sentiment", frame).to_dict()  # VADER's line alone
    drawn = rows(spec, spec["layer"][1])
    assert [r["mean"] for r in drawn if r["series"] == "Reader tone (model)"] == [None] * 7
    assert [r["mean"] for r in drawn if r["series"] == "Sentiment (VADER)"][0] == -0.2


def test_passage_comments_in_reading_order(reader_week: duckdb.DuckDBPyConnection) -> None:
    frame = frame_of(reader_week, "article_passages", article_id="a1")
    spec = charts.build("passage_comments", frame).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["y"]["sort"] == ["¶0", "¶1", "¶2", "¶3"]
    assert spec["encoding"]["x"]["field"] == "comments"
    assert spec["encoding"]["x"]["axis"]["values"] == [0, 1, 2]  # whole comments only
    assert spec["encoding"]["color"]["field"] == "mean_sentiment"
    assert [r["comments"] for r in rows(spec)] == [0, 2, 2, 1]
    assert spec["height"] == 64


def test_topic_mix(reader_week: duckdb.DuckDBPyConnection) -> None:
    frame = frame_of(reader_week, "article_topics", article_id="a1")
    spec = charts.build("topic_mix", frame).to_dict()
    bars, labels = spec["layer"]
    assert bars["encoding"]["x"]["field"] == "share"
    assert bars["encoding"]["y"]["sort"] == ["Diplomacy and talks", "Humanitarian situation", "Casualty figures"]
    assert labels["encoding"]["text"]["field"] == "comments"
    assert len(rows(spec)) == 3


def test_generic_bar_and_line(reader_week: duckdb.DuckDBPyConnection) -> None:
    cues = frame_of(reader_week, "skepticism_cues")
    spec = charts.build("bar", cues, {"category": "cue", "value": "comments", "value_format": "d"}).to_dict()
    assert spec["encoding"]["y"]["field"] == "cue" and spec["encoding"]["x"]["field"] == "comments"
    assert spec["encoding"]["x"]["axis"] == {"format": "d", "values": [0, 1]}  # whole comments only
    daily = frame_of(reader_week, "daily_skepticism")
    spec = charts.build("line", daily, {"x": "day", "y": "comments"}).to_dict()
    assert spec["mark"] == {"type": "line", "point": True}
    assert spec["encoding"]["x"]["field"] == "day_label"
    assert len(rows(spec)) == 7


def test_nothing_to_show(conn: duckdb.DuckDBPyConnection) -> None:
    empty = frame_of(conn, "daily_skepticism")  # seven days without comments
    with pytest.raises(charts.NothingToShow):
        charts.build("skepticism_tracker", empty)


def test_options_are_checked() -> None:
    assert charts.options_error("bar", {"category": "cue", "value": "comments"}) is None
    assert "no chart named 'pie'" in str(charts.options_error("pie", {}))
    message = str(charts.options_error("bar", {"category": "cue", "valu": "comments"}))
    assert "its options are: category, value, category_title" in message
    assert "missing a required argument: 'value'" in message


def test_charts_carry_aggregates_whatever_the_comment_count(tmp_path: Path) -> None:
    """40,000 comments in one week: every chart's data stays days x topics or passages in size."""
    conn = connect(tmp_path / "big.duckdb")
    conn.execute(
        """
        INSERT INTO articles (article_id, title, source_id) VALUES ('big', 'A busy article', 1);
        INSERT INTO passages SELECT 'big', i, 'paragraph', NULL, 'Passage ' || i FROM range(12) t(i);
        INSERT INTO comments (comment_pk, article_id, comment_id, author_key, posted_at, text, source_id)
        SELECT i, 'big', 'c' || i, 'u' || (i % 977), TIMESTAMPTZ '2023-09-18 00:00:00+00' + INTERVAL (i * 15) SECOND,
               'comment ' || i, 1
        FROM range(40000) t(i);
        INSERT INTO sentiment SELECT comment_pk, 0, 1, 0, ((comment_pk % 21) - 10) / 10.0,
            CASE WHEN comment_pk % 21 < 10 THEN 'negative' WHEN comment_pk % 21 > 10 THEN 'positive' ELSE 'neutral' END, 1
        FROM comments;
        INSERT INTO skepticism SELECT comment_pk, (comment_pk % 10) / 10.0, comment_pk % 10 > 6,
            CASE WHEN comment_pk % 10 > 6 THEN ['cue ' || (comment_pk % 30)] ELSE [] END, 1
        FROM comments;
        INSERT INTO tone SELECT comment_pk, ((comment_pk % 11) - 5) / 5.0,
            CASE WHEN comment_pk % 11 < 4 THEN 'negative' WHEN comment_pk % 11 > 6 THEN 'positive' ELSE 'neutral' END, 1
        FROM comments;
        INSERT INTO topics SELECT 't' || i, 'Topic ' || i, NULL FROM range(8) t(i);
        INSERT INTO topic_hits SELECT comment_pk, 't' || (comment_pk % 8), 1.0, ['x'], 1 FROM comments;
        INSERT INTO passage_links SELECT comment_pk, 'big', comment_pk % 12, 1, 0.5, 'test', 1 FROM comments;
        """
    )
    report = build_report(conn, load("weekly"), Period(date(2023, 9, 18), date(2023, 9, 24)))
    conn.close()
    sizes = {chart.id: carried(chart.spec) for chart in report.charts}
    assert sizes["chart-topic-volume"] == 7 * 8
    assert sizes["chart-tone"] == 7 * 2 + 1  # days x the two series, and the rule at 0's one empty row
    assert sizes["chart-a1-passages"] == 12
    assert max(sizes.values()) < 5000
    headline = report.sections[0].frame
    assert headline.filter(pl.col("metric") == "comments")["this_period"].to_list() == [40000.0]
