"""The weekly report: period, definitions, the files it writes, escaping."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from markupsafe import escape
from readerpulse import defaults, queries
from readerpulse.cli import main
from readerpulse.errors import ReaderpulseError, UsageError
from readerpulse.report import definition, render
from readerpulse.report.weekly import Period, ReportResult, build_report, parse_week, resolve_period
from readerpulse.store import connect

from tests.report.conftest import SCRIPT_COMMENT, SCRIPT_EVIDENCE

# --- the period -----------------------------------------------------------------------------------


def test_iso_week() -> None:
    period = parse_week("2023-W38")
    assert (period.start, period.end) == (date(2023, 9, 18), date(2023, 9, 24))
    assert period.is_iso_week and period.slug == "2023-W38"
    assert period.label == "Week 38 of 2023: Monday 18 September – Sunday 24 September 2023"
    assert period.previous == Period(date(2023, 9, 11), date(2023, 9, 17))
    assert period.previous_label == "the previous week"


def test_other_periods() -> None:
    period = Period(date(2023, 12, 28), date(2024, 1, 3))
    assert not period.is_iso_week and period.slug == "2023-12-28_2024-01-03"
    assert period.label == "Thursday 28 December 2023 – Wednesday 3 January 2024"
    assert period.previous_label == "the previous 7 days"


@pytest.mark.parametrize("text", ["2023-38", "W38", "2023-W54", "2023-W38-1"])
def test_bad_weeks(text: str) -> None:
    with pytest.raises(UsageError, match="ISO week|not a week"):
        parse_week(text)


def test_resolve_period(reader_week: duckdb.DuckDBPyConnection) -> None:
    queries.install_staging(reader_week)
    latest = resolve_period(reader_week, None, None, None)
    assert latest == Period(date(2023, 9, 18), date(2023, 9, 24))
    assert resolve_period(reader_week, None, date(2023, 9, 20), None) == Period(date(2023, 9, 20), date(2023, 9, 26))
    assert resolve_period(reader_week, None, None, date(2023, 9, 20)) == Period(date(2023, 9, 14), date(2023, 9, 20))
    with pytest.raises(UsageError, match="either --week or --start"):
        resolve_period(reader_week, "2023-W38", date(2023, 9, 20), None)
    with pytest.raises(UsageError, match="before --start"):
        resolve_period(reader_week, None, date(2023, 9, 20), date(2023, 9, 19))


def test_no_comments_no_default_week(conn: duckdb.DuckDBPyConnection) -> None:
    queries.install_staging(conn)
    with pytest.raises(ReaderpulseError, match="give --week"):
        resolve_period(conn, None, None, None)


# --- definitions ----------------------------------------------------------------------------------


def test_the_weekly_definition_loads() -> None:
    weekly = definition.load("weekly")
    assert [s.id for s in weekly.sections] == [
        "headline", "topic-volume", "tone", "topic-sentiment", "skepticism", "skepticism-cues", "review",
    ]
    tone = weekly.sections[2]
    assert (tone.query, tone.chart) == ("daily_tone", "tone_vs_sentiment")
    assert any(note.startswith("Reader tone is the learned tone") and "docs/scoring.md" in note for note in weekly.notes)
    assert any(note.startswith("Sentiment is VADER's compound score") for note in weekly.notes)
    assert weekly.articles is not None
    assert [p.id for p in weekly.articles.panels] == ["passages", "topics", "skeptical", "negative"]


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    root = tmp_path / "reports"
    root.mkdir()
    shutil.copy(defaults.reports_dir() / "weekly.html.j2", root / "weekly.html.j2")
    return root


def write_definition(root: Path, sections: str) -> None:
    (root / "weekly.toml").write_text('title = "T"\ntemplate = "weekly.html.j2"\n' + sections, "utf-8")


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('id = "x"\ntitle = "X"\nquery = "nope"\nshow = "table"', "no query named 'nope'"),
        ('id = "x"\ntitle = "X"\nquery = "topic_weekly"\nchart = "pie"', "no chart named 'pie'"),
        ('id = "x"\ntitle = "X"\nquery = "topic_weekly"\nchart = "bar"\noptions = { category = "topic" }',
         "missing a required argument: 'value'"),
        ('id = "x"\ntitle = "X"\nquery = "topic_weekly"\nshow = "pie"', "needs a 'chart'"),
        ('id = "x"\ntitle = "X"\nquery = "topic_weekly"\nchart = "bar"\nshow = "table"', "either 'chart' or 'show'"),
        ('id = "x"\ntitle = "X"\nquery = "review_queue"\nshow = "quotes"\nparams = { max_sentimnt = 1 }',
         "has no parameter 'max_sentimnt'"),
        ('id = "x"\ntitle = "X"\nquery = "review_queue"\nshow = "quotes"\nparams = { max_sentiment = "low" }',
         "must be DOUBLE"),
        ('id = "x"\ntitle = "X"\nquery = "review_queue"\nshow = "quotes"\nparams = { start = 2023-09-18 }',
         "come from the report's period"),
        ('id = "X Y"\ntitle = "X"\nquery = "review_queue"\nshow = "quotes"', "lower-case letters"),
        ('id = "x"\ntitle = "X"\nquery = "review_queue"\nshow = "quotes"\ncolour = "red"', "unknown keys ['colour']"),
    ],
)
def test_definition_mistakes_fail_fast(reports: Path, section: str, message: str) -> None:
    write_definition(reports, f"[[sections]]\n{section}\n")
    with pytest.raises(definition.ReportDefinitionError, match=re.escape(message)):
        definition.load("weekly", reports)


def test_unknown_report(reports: Path) -> None:
    with pytest.raises(UsageError, match="no report named 'monthly'"):
        definition.load("monthly", reports)


def test_a_new_section_needs_no_python(reports: Path, reader_week: duckdb.DuckDBPyConnection) -> None:
    write_definition(
        reports,
        '[[sections]]\nid = "commenters"\ntitle = "Most active commenters"\nquery = "top_commenters"\n'
        'chart = "bar"\noptions = { category = "commenter", value = "comments" }\n\n'
        '[[sections]]\nid = "threads"\ntitle = "Threads"\nquery = "thread_shape"\nshow = "table"\n',
    )
    report = build_report(reader_week, definition.load("weekly", reports), parse_week("2023-W38"))
    bar, table = report.sections
    assert bar.chart is not None and bar.chart.spec["encoding"]["y"]["field"] == "commenter"
    assert table.frame["article_id"].to_list() == ["a1", "a2", "a3"]
    html = render.render_html(report)
    assert "<th>largest_thread</th>" in html


# --- the files ------------------------------------------------------------------------------------


def test_report_files(weekly_report: ReportResult) -> None:
    html_path = weekly_report.html
    assert html_path.name == "weekly-2023-W38.html"
    assert html_path.parent.name == "weekly-2023-W38"
    charts = weekly_report.report.charts
    assert [c.id for c in charts] == [
        "chart-topic-volume", "chart-tone", "chart-topic-sentiment", "chart-skepticism", "chart-skepticism-cues",
        "chart-a1-passages", "chart-a1-topics", "chart-a2-passages", "chart-a2-topics",
    ]
    assert len(weekly_report.images) == 2 * len(charts)
    for chart in charts:
        png = (html_path.parent / chart.png).read_bytes()
        svg = (html_path.parent / chart.svg).read_text("utf-8")
        assert png.startswith(b"\x89PNG")
        assert svg.lstrip().startswith("<svg") and "</svg>" in svg


def test_the_page_is_self_contained(weekly_report: ReportResult) -> None:
    html = weekly_report.html.read_text("utf-8")
    assert html.count("window.vegaEmbed=") == 1  # the Vega bundle, inlined once
    assert html.count("<script") == 3  # specs (JSON), the bundle, the boot script
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?https?:", html)
    assert "cdn." not in html.lower()
    specs = json.loads(re.search(r'<script type="application/json" id="report-specs">(.*?)</script>', html, re.S)[1])
    assert list(specs) == [c.id for c in weekly_report.report.charts]
    assert not any("$schema" in spec for spec in specs.values())  # the page names the mode itself
    for chart_id in specs:
        assert f'<div class="chart" id="{chart_id}"' in html


def test_content(weekly_report: ReportResult) -> None:
    html = weekly_report.html.read_text("utf-8")
    assert "Week 38 of 2023: Monday 18 September – Sunday 24 September 2023" in html
    for heading in ("The week at a glance", "What readers talked about, day by day", "Doubts about verification",
                    "Article by article", "The article, passage by passage", "Most skeptical comments"):
        assert heading in html
    assert "▲ +7 against the previous week (3, +233%)" in html  # 10 comments against 3
    assert "Sat 23 Sep 2023, 14:05 UTC" in html  # quoted comments carry their time
    assert '<span class="commenter" title="commenter pseudonym">u9</span>' in html


def section_html(html: str, section_id: str) -> str:
    match = re.search(rf'<section class="block" id="{section_id}">(.*?)</section>', html, re.S)
    assert match, section_id
    return match[1]


def quote_html(html: str, text: str) -> list[str]:
    """Every quote (<li class="quote">) of the page whose comment text is `text` (escaped)."""
    quotes = re.findall(r'<li class="quote">(.*?)</li>\s*(?=<li class="quote">|</ol>)', html, re.S)
    return [q for q in quotes if f"<blockquote>{escape(text)}</blockquote>" in q]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_headline_shows_tone_beside_vader(weekly_report: ReportResult) -> None:
    headline = squash(section_html(weekly_report.html.read_text("utf-8"), "headline"))
    labels = re.findall(r'<div class="figure-label">(.*?)</div>', headline)
    assert labels == ["Comments", "Articles commented on", "Commenters", "Mean sentiment (VADER)", "Mean reader tone",
                      "Negative by VADER sentiment", "Negative by reader tone", "Skeptical about verification"]
    # with the hostile comment (VADER -0.95, tone -0.7): tone (-1.3 - 0.7) / 8, VADER (-0.8 - 0.95) / 9
    assert '<div class="figure-label">Mean reader tone</div> <div class="figure-value">−0.25</div> <div class="figure-change">' in headline
    assert '<div class="figure-label">Mean sentiment (VADER)</div> <div class="figure-value">−0.19</div> <div class="figure-note">negative on balance</div>' in headline
    assert headline.count("figure-note") == 1  # VADER's words (cuts at ±0.05) are not put on the model's tone
    assert '<div class="figure-label">Negative by reader tone</div> <div class="figure-value">62.5%</div>' in headline  # 5 of 8


def test_quotes_show_vader_and_tone_side_by_side_with_the_evidence(weekly_report: ReportResult) -> None:
    html = weekly_report.html.read_text("utf-8")
    (c5,) = quote_html(section_html(html, "review"), "Is there any proof of these casualty numbers? Sounds like propaganda.")
    c5 = squash(c5)
    vader = ('<span class="score-box tone-negative" title="VADER compound score, −1 to +1"> <span class="score-name">'
             'VADER sentiment</span> <b class="score">−0.60</b> <span class="score-label">negative</span></span>')
    tone = ('<span class="score-box tone-negative" title="The model\'s reader tone, −1 to +1"> <span class="score-name">'
            'Reader tone</span> <b class="score">−0.80</b> <span class="score-label">negative</span></span>')
    assert f'<p class="quote-scores"> {vader} {tone} </p>' in c5  # side by side, VADER first
    assert "disagree" not in c5
    assert ('<li><span class="evidence-name">Casualty figures:</span> <span class="evidence-word">casualty numbers</span>'
            '<span class="evidence-word">proof</span></li> <li><span class="evidence-name">Humanitarian situation:</span> '
            '<span class="evidence-word">casualty</span></li> <li><span class="evidence-name">Skepticism cues:</span> '
            '<span class="cue">any proof</span><span class="cue">propaganda</span></li>') in c5  # strongest topic first
    # c10 (on a2, quoted as most skeptical and as most negative): VADER negative, the tone neutral
    c10 = [squash(q) for q in quote_html(html, "Unconfirmed reports and no source cited.")]
    assert len(c10) == 2
    for quote in c10:
        assert '<b class="score">−0.20</b> <span class="score-label">negative</span>' in quote
        assert ('<span class="score-box tone-neutral" title="The model\'s reader tone, −1 to +1"> <span class="score-name">'
                'Reader tone</span> <b class="score">−0.10</b> <span class="score-label">neutral</span></span>') in quote
        assert '<span class="disagree">VADER and the reader tone disagree</span>' in quote
    assert html.count('<span class="disagree">') == 2


def test_quotes_without_tone_or_topics(reader_week_path: Path, tmp_path: Path) -> None:
    """A quoted comment the model has not scored and that raises no topic: 'not scored yet', no evidence list."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(reader_week_path, path)
    conn = connect(path)
    try:
        conn.execute("DELETE FROM tone WHERE comment_pk = 4; DELETE FROM topic_hits WHERE comment_pk = 4")
        report = build_report(conn, definition.load("weekly"), parse_week("2023-W38"))
    finally:
        conn.close()
    quotes = [squash(q) for q in quote_html(render.render_html(report), "Civilians are suffering terribly.")]
    assert len(quotes) == 1  # the most negative comment of a1
    (c4,) = quotes
    assert ('<span class="score-box tone-unscored" title="The model\'s reader tone, −1 to +1"> <span class="score-name">'
            'Reader tone</span> <b class="score">n/a</b> <span class="score-label">not scored yet</span></span>') in c4
    assert "disagree" not in c4 and 'class="evidence"' not in c4


def test_articles_show_tone_beside_vader(weekly_report: ReportResult) -> None:
    html = squash(weekly_report.html.read_text("utf-8"))
    # a1 with the hostile comment: VADER (-0.7 - 0.6 + 0.1 - 0.3 + 0.5 + 0.0 - 0.95) / 7, the tone (-1.9 - 0.7) / 6
    assert ("<li>mean sentiment (VADER) <b>−0.28</b> (negative on balance)</li> "
            "<li>mean reader tone <b>−0.43</b></li>") in html
    assert "<li>mean reader tone <b>+0.30</b></li>" in html  # a2


def test_score_filters() -> None:
    assert [render.sentiment_label(v) for v in (-0.05, 0.0, 0.05, None)] == ["negative", "neutral", "positive", "not scored yet"]
    assert [render.label_class(v) for v in ("negative", "neutral", "positive", None, '" onclick="x')] == [
        "negative", "neutral", "positive", "unscored", "unscored",
    ]
    assert render.scores_disagree({"sentiment": 0.1, "tone_label": "negative"})
    assert not render.scores_disagree({"sentiment": -0.6, "tone_label": "negative"})
    assert not render.scores_disagree({"sentiment": None, "tone_label": "negative"})
    assert not render.scores_disagree({"sentiment": 0.1, "tone_label": None})


def test_comment_text_is_escaped(weekly_report: ReportResult) -> None:
    html = weekly_report.html.read_text("utf-8")
    assert "<script>window.pwned" not in html
    assert "<img src=x" not in html
    escaped = str(escape(SCRIPT_COMMENT))
    assert escaped.startswith("&lt;script&gt;window.pwned = 1&lt;/script&gt;&lt;img src=x onerror=&#34;")
    assert html.count(escaped) == 3  # comments to look at, most skeptical, most negative
    assert "&lt;b&gt;fake&lt;/b&gt; news" in html  # cues too
    assert "window.pwned = 5" not in html.replace(str(escape(SCRIPT_EVIDENCE)), "")  # topic evidence too:
    assert html.count(f'<span class="evidence-word">{escape(SCRIPT_EVIDENCE)}</span>') == 3  # escaped, in all 3 quotes
    assert "The UN called for &lt;em&gt;restraint&lt;/em&gt; &amp; calm." in html  # passages too
    assert "javascript:" not in html  # a link that is not http(s) is dropped
    assert "\\u003c/script\\u003e\\u003cscript\\u003ewindow.pwned = 3" in html  # topic label inside the specs


def test_script_json_cannot_close_its_element() -> None:
    text = str(render.script_json({"a": "</script><b>&\u2028"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><b>&\u2028"}


def test_one_article(hostile_week_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["report", "weekly", "--db", str(hostile_week_path), "--start", "2023-09-18", "--end", "2023-09-24",
         "--article", "a2", "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path == tmp_path / "weekly-2023-W38-a2" / "weekly-2023-W38-a2.html"
    html = path.read_text("utf-8")
    assert "Aid convoy reaches Stepanakert" in html and "Karabakh" not in html
    assert "2 charts" not in result.stderr and "1 article " in result.stderr


def test_cli_errors(hostile_week_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["report", "weekly", "--db", str(hostile_week_path), "--week", "38"])
    assert result.exit_code == 2 and "ISO week such as 2023-W38" in result.stderr
    result = runner.invoke(main, ["report", "monthly", "--db", str(hostile_week_path)])
    assert result.exit_code == 2 and "no report named 'monthly'; known reports: weekly" in result.stderr
    result = runner.invoke(main, ["report", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and "no such database" in result.stderr


def test_an_empty_week_still_reads(reader_week_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["report", "--db", str(reader_week_path), "--week", "2023-W30", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    html = Path(result.stdout.strip()).read_text("utf-8")
    assert "No comments this period." in html
    assert "No article received comments this period." in html
    assert '"report-specs">{}</script>' in html
