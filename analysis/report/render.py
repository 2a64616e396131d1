"""The report's HTML: a Jinja2 template from reports/, autoescaped everywhere.

Everything that comes from the database (comment and passage text, titles, pseudonyms, topic
labels) is escaped by the template engine. Only two things are inserted raw, both made here: the
Vega JavaScript bundle (ours, shipped by vl-convert) and the chart specs as JSON in which every
``<``, ``>`` and ``&`` is a ``\\u`` escape, so no text can close the script element it sits in.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import altair as alt
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

if TYPE_CHECKING:
    from .weekly import Report

QUOTE_CHARS = 700  # longer comments are cut, with an ellipsis, in quotes


def vega_lite_version() -> str:
    """The Vega-Lite version Altair writes specs for, as vl-convert names it (e.g. '6.4')."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


_BUNDLE_SNIPPET = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


def _bundle_cache() -> Path:
    """Where the bundle is kept between runs: it depends only on vl-convert and the Vega-Lite version."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    key = hashlib.sha256(
        f"{metadata.version('vl-convert-python')} {vega_lite_version()} {_BUNDLE_SNIPPET}".encode()
    ).hexdigest()[:16]
    return Path(base) / "readerpulse" / f"vega-bundle-{key}.js"


@functools.cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script (no network at run time).

    Bundling takes ~2 s, so the result is kept in the user's cache folder (keyed by the vl-convert
    and Vega-Lite versions) and made again only when it is missing or unreadable.
    """
    cache = _bundle_cache()
    try:
        return cache.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    import vl_convert

    bundle: str = vl_convert.javascript_bundle(_BUNDLE_SNIPPET, vl_version=vega_lite_version())
    # `</script` can only occur inside a JavaScript string, regex or comment, where `<\/` means the same.
    bundle = bundle.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        partial.write_text(bundle, "utf-8")
        partial.replace(cache)  # atomic: a reader sees the whole bundle or none
    except OSError:
        pass  # no cache then: the next run bundles again
    return bundle


def script_json(value: Any) -> Markup:
    """JSON that is safe inside a <script> element whatever strings it carries."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return Markup(text)  # noqa: S704 -- escaped above, never closes the element


# --- formatting filters (their output is escaped like any other value) --------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count(value: Any) -> str:
    return "–" if _missing(value) else f"{int(value):,}".replace(",", "\u202f")


def signed(value: Any, digits: int = 2) -> str:
    """A sentiment score such as +0.21 or −0.35 (true minus sign)."""
    if _missing(value):
        return "n/a"
    text = f"{float(value):+.{digits}f}"
    return text.replace("-", "\u2212")


def percent(value: Any, digits: int = 0) -> str:
    return "n/a" if _missing(value) else f"{100 * float(value):.{digits}f}%"


def when(value: Any) -> str:
    """A comment's time: 'Thu 21 Sep 2023, 17:57 UTC'."""
    if isinstance(value, datetime):
        return f"{value:%a} {value.day} {value:%b %Y, %H:%M} UTC"
    return "time unknown" if value is None else str(value)


def day(value: Any) -> str:
    if isinstance(value, datetime | date):
        return f"{value:%a} {value.day} {value:%b %Y}"
    return "date unknown" if value is None else str(value)


def tone(value: Any) -> str:
    """Words for a mean compound score, with the cut-offs the sentiment labels use."""
    if _missing(value):
        return "not scored yet"
    score = float(value)
    if score <= -0.05:
        return "negative on balance"
    if score >= 0.05:
        return "positive on balance"
    return "neutral on balance"


TONE_LABELS = ("negative", "neutral", "positive")


def sentiment_label(value: Any) -> str:
    """VADER's label of one compound score (cut-offs ±0.05), or 'not scored yet'."""
    return "not scored yet" if _missing(value) else tone_class(value)


def label_class(label: Any) -> str:
    """A stored tone label as a style class: one of the known labels, else 'unscored' (never the raw text)."""
    return label if label in TONE_LABELS else "unscored"


def scores_disagree(row: dict[str, Any]) -> bool:
    """Whether VADER's label of the row's sentiment and the model's tone label differ (both present)."""
    vader, model = row.get("sentiment"), row.get("tone_label")
    return not _missing(vader) and model in TONE_LABELS and tone_class(vader) != model


def plural(noun: str, number: Any) -> str:
    """'comment' or 'comments' for the number."""
    return noun if number == 1 else f"{noun}s"


def tone_class(value: Any) -> str:
    """negative, neutral, positive or unscored: for styling only."""
    words = tone(value).split()
    return "unscored" if words[0] == "not" else words[0]


def figure_value(row: dict[str, Any]) -> str:
    unit, value = row["unit"], row["this_period"]
    if unit == "count":
        return count(value)
    if unit == "share":
        return percent(value, 1)
    return signed(value)


def figure_change(row: dict[str, Any], against: str) -> str:
    """'+6 against the previous week (3)' in the figure's own unit."""
    unit, now, before, change = row["unit"], row["this_period"], row["previous_period"], row["change"]
    if _missing(before):
        return f"nothing to compare with in {against}"
    if unit == "count":
        if not before:
            return f"none in {against}"
        return f"{signed(change, 0)} against {against} ({count(before)}, {signed(change / before * 100, 0)}%)"
    if _missing(now):
        return f"{against}: {figure_value({**row, 'this_period': before})}"
    if unit == "share":
        return f"{signed(change * 100, 1)} points against {against} ({percent(before, 1)})"
    return f"{signed(change)} against {against} ({signed(before)})"


def direction(row: dict[str, Any]) -> str:
    change = row.get("change")
    if change is None or _missing(change) or change == 0:
        return "flat"
    return "up" if float(change) > 0 else "down"


def quote(text: Any) -> str:
    value = "" if text is None else str(text).strip()
    return value if len(value) <= QUOTE_CHARS else value[:QUOTE_CHARS].rstrip() + "…"


def safe_url(url: Any) -> str | None:
    """Links only to http(s) addresses (never javascript: or data:)."""
    if not isinstance(url, str):
        return None
    return url if urlsplit(url.strip()).scheme in ("http", "https") else None


def cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, float):
        return f"{value:.3g}"
    return "" if value is None else str(value)


FILTERS = {
    "count": count,
    "signed": signed,
    "percent": percent,
    "when": when,
    "day": day,
    "tone": tone,
    "tone_class": tone_class,
    "sentiment_label": sentiment_label,
    "label_class": label_class,
    "scores_disagree": scores_disagree,
    "plural": plural,
    "figure_value": figure_value,
    "figure_change": figure_change,
    "direction": direction,
    "quote": quote,
    "safe_url": safe_url,
    "cell": cell,
}


def environment(directory: Any) -> Environment:
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=True,  # every {{ value }} is HTML-escaped, whatever the template's name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def render_html(report: Report) -> str:
    definition = report.definition
    env = environment(list(definition.template_dirs or (definition.path.parent,)))
    template = env.get_template(definition.template)
    specs = {chart.id: chart.spec for chart in report.charts}
    page = template.render(
        report=report,
        definition=definition,
        period=report.period,
        specs_json=script_json(specs),
        vega_js=Markup(vega_bundle()),  # noqa: S704 -- vl-convert's bundle, made safe in vega_bundle()
        chart_count=len(specs),
    )
    return page.lstrip()  # the template's macros leave blank lines before <!DOCTYPE html>
