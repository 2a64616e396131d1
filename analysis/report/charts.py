"""The report's charts: one small function per chart, each taking a frame DuckDB already aggregated.

A chart function never counts or averages comments itself: the named query behind its section
did that, so the data a chart carries grows with days, topics and passages, never with the number
of comments, and Altair's row limit is never reached. The data go into the spec as inline values
(``alt.Data``), typed explicitly in every encoding.

A report definition (reports/*.toml) names a chart by its registered name and may pass options,
e.g. ``chart = "bar"`` with ``options = { category = "cue", value = "comments" }``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import altair as alt
import polars as pl

Chart = alt.TopLevelMixin
ChartFunction = Callable[..., Chart]

REGISTRY: dict[str, ChartFunction] = {}

WIDTH = 640
SIDE_WIDTH = 270  # charts beside an article's passages
SENTIMENT_DOMAIN = [-1.0, 1.0]
SENTIMENT_SCALE = alt.Scale(domain=SENTIMENT_DOMAIN, scheme="redyellowblue", domainMid=0)
SENTIMENT_LEGEND = alt.Legend(title="Mean sentiment", values=[-1, -0.5, 0, 0.5, 1], format="+.1f")
SKEPTICAL = "#d95f02"
ALL_COMMENTS = "#bdbdbd"
TONE_SERIES = "Reader tone (model)"
VADER_SERIES = "Sentiment (VADER)"
TONE_COLOR = "#7b3294"  # neither end of the red-blue sentiment scale
VADER_COLOR = "#1b7837"
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"




def count_axis(largest: object) -> alt.Axis:
    """Whole-number ticks (at most about six) for an axis of comment counts up to `largest`."""
    top = max(1, int(largest)) if isinstance(largest, int | float) else 1
    step = max(1, math.ceil(top / 6))
    return alt.Axis(values=list(range(0, top + step, step)), format="d")


class NothingToShow(Exception):
    """Raised by a chart function whose (non-empty) rows have nothing to draw, e.g. all zeros."""


def register(name: str) -> Callable[[ChartFunction], ChartFunction]:
    def decorate(function: ChartFunction) -> ChartFunction:
        REGISTRY[name] = function
        return function

    return decorate


def options_error(name: str, options: dict[str, Any]) -> str | None:
    """Why these options do not fit the chart, or None when they do."""
    function = REGISTRY.get(name)
    if function is None:
        return f"no chart named {name!r}; known charts: {', '.join(sorted(REGISTRY))}"
    try:
        inspect.signature(function).bind(pl.DataFrame(), **options)
    except TypeError as exc:
        parameters = [p for p in inspect.signature(function).parameters if p != "frame"]
        return f"chart {name!r}: {exc}; its options are: {', '.join(parameters) or '(none)'}"
    return None


def build(name: str, frame: pl.DataFrame, options: dict[str, Any] | None = None) -> Chart:
    return REGISTRY[name](frame, **(options or {}))


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def inline(frame: pl.DataFrame) -> alt.InlineData:
    """The (already aggregated) rows as inline values: no data transformer, no row limit to hit."""
    return alt.InlineData(values=[{k: _json_value(v) for k, v in row.items()} for row in frame.iter_rows(named=True)])


def _themed(chart: Chart) -> Chart:
    themed: Chart = chart.configure(font=FONT).configure_view(stroke=None).configure_axis(
        labelFontSize=11, titleFontSize=12, titleFontWeight="normal", grid=True, gridColor="#eeeeee"
    ).configure_legend(labelFontSize=11, titleFontSize=11, orient="bottom", direction="horizontal", labelLimit=260)
    return themed


def with_day_labels(frame: pl.DataFrame, column: str = "day") -> tuple[pl.DataFrame, list[str]]:
    """Days as labels such as 'Thu 21 Sep', in calendar order (no time-zone shifts in the browser)."""
    labelled = frame.with_columns(pl.col(column).dt.strftime("%a %d %b").alias("day_label"))
    order = labelled.sort(column)["day_label"].unique(maintain_order=True).to_list()
    return labelled, order


def topic_scale(labels: list[str]) -> alt.Scale:
    return alt.Scale(domain=sorted(labels), scheme="tableau10")


@register("topic_volume")
def topic_volume(frame: pl.DataFrame) -> Chart:
    """Stacked bars: comments per day, split by topic (rows of `daily_topics`)."""
    if frame.is_empty() or frame["comments"].sum() == 0:
        raise NothingToShow
    data, days = with_day_labels(frame)
    labels = data["topic_label"].unique().to_list()
    chart = (
        alt.Chart(inline(data.filter(pl.col("comments") > 0)))
        .mark_bar()
        .encode(
            x=alt.X("day_label:O", sort=days, scale=alt.Scale(domain=days), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("comments:Q", stack="zero", title="Comments on the topic",
                    axis=count_axis(data.group_by("day")
                                    .agg(pl.col("comments").sum())["comments"].max())),
            color=alt.Color("topic_label:N", scale=topic_scale(labels), title="Topic",
                            legend=alt.Legend(columns=3, symbolLimit=0)),
            tooltip=[
                alt.Tooltip("day_label:O", title="Day"),
                alt.Tooltip("topic_label:N", title="Topic"),
                alt.Tooltip("comments:Q", title="Comments"),
                alt.Tooltip("mean_sentiment:Q", title="Mean sentiment", format="+.2f"),
            ],
        )
        .properties(width=WIDTH, height=260)
    )
    return _themed(chart)


@register("topic_sentiment")
def topic_sentiment(frame: pl.DataFrame) -> Chart:
    """Heat map: mean sentiment per topic and day, with the number of comments in each cell."""
    labelled, days = with_day_labels(frame)  # every day of the period on the axis, as in the other charts
    data = labelled.filter(pl.col("mean_sentiment").is_not_null())
    if data.is_empty():
        raise NothingToShow
    labels = sorted(data["topic_label"].unique().to_list())
    base = alt.Chart(inline(data)).encode(
        x=alt.X("day_label:O", sort=days, scale=alt.Scale(domain=days), title=None,
                axis=alt.Axis(labelAngle=0, grid=False)),
        y=alt.Y("topic_label:N", sort=labels, title=None, axis=alt.Axis(grid=False, labelLimit=260)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("mean_sentiment:Q", scale=SENTIMENT_SCALE, legend=SENTIMENT_LEGEND),
        tooltip=[
            alt.Tooltip("day_label:O", title="Day"),
            alt.Tooltip("topic_label:N", title="Topic"),
            alt.Tooltip("comments:Q", title="Comments"),
            alt.Tooltip("mean_sentiment:Q", title="Mean sentiment", format="+.2f"),
        ],
    )
    counts = base.mark_text(fontSize=12, fontWeight="bold", color="#222222").encode(text=alt.Text("comments:Q"))
    chart = alt.layer(cells, counts).properties(width=WIDTH, height=max(60, 34 * len(labels)))
    return _themed(chart)


@register("skepticism_tracker")
def skepticism_tracker(frame: pl.DataFrame) -> Chart:
    """Per day: all comments (grey), those skeptical about verification (orange), and their share."""
    if frame.is_empty() or frame["comments"].sum() == 0:
        raise NothingToShow
    data, days = with_day_labels(frame)
    long = pl.concat(
        [
            data.select("day_label", pl.lit("All comments").alias("series"), pl.col("comments").cast(pl.Int64).alias("count")),
            data.select(
                "day_label",
                pl.lit("Skeptical about verification").alias("series"),
                pl.col("skeptical_comments").cast(pl.Int64).alias("count"),
            ),
        ]
    )
    x = alt.X("day_label:O", sort=days, scale=alt.Scale(domain=days), title=None, axis=alt.Axis(labelAngle=0))
    bars = (
        alt.Chart(inline(long))
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("count:Q", stack=None, title="Comments", axis=count_axis(data["comments"].max())),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=["All comments", "Skeptical about verification"], range=[ALL_COMMENTS, SKEPTICAL]),
                title=None,
            ),
            tooltip=[alt.Tooltip("day_label:O", title="Day"), alt.Tooltip("series:N", title="Series"),
                     alt.Tooltip("count:Q", title="Comments")],
        )
    )
    scored = data.filter(pl.col("skeptical_share").is_not_null())
    if scored.is_empty():  # not scored for skepticism yet: the bars alone
        return _themed(bars.properties(width=WIDTH, height=240))
    shares = (
        alt.Chart(inline(scored))
        .mark_text(dy=-8, fontSize=11, color=SKEPTICAL, fontWeight="bold")
        .encode(
            x=x,
            y=alt.Y("comments:Q"),
            text=alt.Text("skeptical_share:Q", format=".0%"),
            tooltip=[
                alt.Tooltip("day_label:O", title="Day"),
                alt.Tooltip("skeptical_share:Q", title="Skeptical share of scored comments", format=".0%"),
            ],
        )
    )
    return _themed(alt.layer(bars, shares).properties(width=WIDTH, height=240))


@register("tone_vs_sentiment")
def tone_vs_sentiment(frame: pl.DataFrame) -> Chart:
    """Two lines per day (rows of `daily_tone`): the mean reader tone of the model and VADER's mean
    compound, on the same -1..+1 axis with a rule at 0. A day without scored comments breaks its line."""
    if frame.is_empty() or (frame["mean_tone"].is_null().all() and frame["mean_sentiment"].is_null().all()):
        raise NothingToShow
    data, days = with_day_labels(frame)
    long = pl.concat(
        [
            data.select("day_label", pl.lit(TONE_SERIES).alias("series"),
                        pl.col("mean_tone").cast(pl.Float64).alias("mean"),
                        pl.col("tone_comments").cast(pl.Int64).alias("scored")),
            data.select("day_label", pl.lit(VADER_SERIES).alias("series"),
                        pl.col("mean_sentiment").cast(pl.Float64).alias("mean"),
                        pl.col("sentiment_comments").cast(pl.Int64).alias("scored")),
        ]
    )
    series = [TONE_SERIES, VADER_SERIES]
    zero = alt.Chart(alt.InlineData(values=[{}])).mark_rule(color="#9e9e9e", strokeDash=[2, 2]).encode(y=alt.datum(0))
    lines = (
        alt.Chart(inline(long))
        .mark_line(point=True, strokeWidth=2, invalid="break-paths-show-domains")
        .encode(
            x=alt.X("day_label:O", sort=days, scale=alt.Scale(domain=days), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("mean:Q", scale=alt.Scale(domain=SENTIMENT_DOMAIN), title="Mean score (−1 to +1)",
                    axis=alt.Axis(values=[-1, -0.5, 0, 0.5, 1], format="+.1f")),
            color=alt.Color("series:N", scale=alt.Scale(domain=series, range=[TONE_COLOR, VADER_COLOR]), title=None,
                            legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2, symbolSize=300)),
            strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=series, range=[[1, 0], [6, 3]]), title=None),
            tooltip=[
                alt.Tooltip("day_label:O", title="Day"),
                alt.Tooltip("series:N", title="Score"),
                alt.Tooltip("mean:Q", title="Mean", format="+.2f"),
                alt.Tooltip("scored:Q", title="Comments scored"),
            ],
        )
    )
    return _themed(alt.layer(zero, lines).properties(width=WIDTH, height=240))


@register("passage_comments")
def passage_comments(frame: pl.DataFrame) -> Chart:
    """Bars per passage (in reading order): comments responding to it, coloured by their mean sentiment."""
    if frame.is_empty() or frame["comments"].sum() == 0:
        raise NothingToShow
    data = frame.sort("passage_no")
    order = data["passage_label"].to_list()
    chart = (
        alt.Chart(inline(data))
        .mark_bar(stroke="#777777", strokeWidth=0.5)
        .encode(
            y=alt.Y("passage_label:O", sort=order, scale=alt.Scale(domain=order), title="Passage"),
            x=alt.X("comments:Q", title="Comments responding", axis=count_axis(data["comments"].max())),
            color=alt.Color("mean_sentiment:Q", scale=SENTIMENT_SCALE, legend=SENTIMENT_LEGEND),
            tooltip=[
                alt.Tooltip("passage_label:O", title="Passage"),
                alt.Tooltip("comments:Q", title="Comments"),
                alt.Tooltip("mean_sentiment:Q", title="Mean sentiment", format="+.2f"),
                alt.Tooltip("negative_comments:Q", title="Negative comments"),
                alt.Tooltip("skeptical_comments:Q", title="Skeptical comments"),
            ],
        )
        .properties(width=SIDE_WIDTH, height=max(60, 16 * len(order)))
    )
    return _themed(chart)


@register("topic_mix")
def topic_mix(frame: pl.DataFrame) -> Chart:
    """Bars per topic: the share of the article's comments raising it, coloured by their sentiment."""
    data = frame.sort(["comments", "topic_label"], descending=[True, False])
    order = data["topic_label"].to_list()
    bars = (
        alt.Chart(inline(data))
        .mark_bar(stroke="#777777", strokeWidth=0.5)
        .encode(
            y=alt.Y("topic_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=140)),
            x=alt.X("share:Q", title="Share of the article's comments", axis=alt.Axis(format=".0%"),
                    scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("mean_sentiment:Q", scale=SENTIMENT_SCALE, legend=SENTIMENT_LEGEND),
            tooltip=[
                alt.Tooltip("topic_label:N", title="Topic"),
                alt.Tooltip("comments:Q", title="Comments"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
                alt.Tooltip("mean_sentiment:Q", title="Mean sentiment", format="+.2f"),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=4, fontSize=11, color="#222222").encode(
        text=alt.Text("comments:Q"), color=alt.value("#222222")
    )
    return _themed(alt.layer(bars, labels).properties(width=SIDE_WIDTH, height=max(40, 24 * len(order))))


@register("bar")
def bar(
    frame: pl.DataFrame,
    category: str,
    value: str,
    category_title: str | None = None,
    value_title: str | None = None,
    color: str = "#4c78a8",
    value_format: str = "",
) -> Chart:
    """Horizontal bars, largest first: any query with a category column and a number column."""
    data = frame.sort([value, category], descending=[True, False])
    order = [str(v) for v in data[category].to_list()]
    axis = count_axis(data[value].max()) if value_format == "d" else alt.Axis(format=value_format or alt.Undefined)
    chart = (
        alt.Chart(inline(data))
        .mark_bar(color=color)
        .encode(
            y=alt.Y(f"{category}:N", sort=order, title=category_title),
            x=alt.X(f"{value}:Q", title=value_title or value, axis=axis),
            tooltip=[alt.Tooltip(f"{category}:N", title=category_title or category),
                     alt.Tooltip(f"{value}:Q", title=value_title or value)],
        )
        .properties(width=WIDTH - 160, height=max(40, 22 * len(order)))
    )
    return _themed(chart)


@register("line")
def line(
    frame: pl.DataFrame,
    x: str,
    y: str,
    series: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
) -> Chart:
    """Lines over time: a date column, a number column and optionally a series column."""
    data = frame
    x_field = x
    order: list[str] | None = None
    if isinstance(frame.schema[x], pl.Date):
        data, order = with_day_labels(frame, x)
        x_field = "day_label"
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x_field}:O", sort=order, title=x_title, axis=alt.Axis(labelAngle=0)),
        "y": alt.Y(f"{y}:Q", title=y_title or y),
        "tooltip": [alt.Tooltip(f"{x_field}:O", title=x_title or x), alt.Tooltip(f"{y}:Q", title=y_title or y)],
    }
    if series:
        encoding["color"] = alt.Color(f"{series}:N", title=None)
    chart = alt.Chart(inline(data)).mark_line(point=True).encode(**encoding).properties(width=WIDTH, height=220)
    return _themed(chart)
