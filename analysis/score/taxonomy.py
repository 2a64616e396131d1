"""The topic taxonomy: an editable TOML file of keyword lists, validated and compiled.

The file in force is `--taxonomy PATH`, else $READERPULSE_TAXONOMY, else the project's, else the
packaged copy of data/topics.toml (`config.taxonomy`). Its SHA-256 is recorded with every topics run, so a tag can always be traced
to the taxonomy that produced it. The format (format = 2) is documented in docs/scoring.md:

    [topics.<id>]   label, description, keywords = [...], exclude = [...], threshold = 0.5
    [skepticism]    the same keys (label optional): the skepticism cues

Keywords are compiled here to the padded literals `readerpulse.score.keywords` looks for.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .. import config, defaults
from ..errors import ReaderpulseError

TAXONOMY_ENV = config.TAXONOMY_ENV
FORMAT_VERSION = 2
SKEPTICISM = "skepticism"
DEFAULT_THRESHOLD = 0.5
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"format", "topics", SKEPTICISM}
_TOPIC_KEYS = {"label", "description", "keywords", "exclude", "threshold"}


class TaxonomyError(ReaderpulseError):
    """A taxonomy file that is missing or not valid; the message says where and why."""

    exit_code = 2


@dataclass(frozen=True)
class Keyword:
    """One keyword as written in the file, and the literal it is matched as.

    `literal` is the normalised keyword padded with spaces (" security council "), or with a
    leading space only for a word family (`verif*` -> " verif"). `exact` keywords (letters all
    capitals, two or more: UN, U.N., TB2) are matched on the case-kept text, the others on the
    lower-cased text (their literal is lower case).
    """

    text: str
    literal: str
    exact: bool


@dataclass(frozen=True)
class Topic:
    """One label (a topic, or skepticism): a hit when 1 - 0.5**k >= `threshold`, k being the
    number of distinct keywords found once the `exclude` phrases are masked."""

    id: str
    label: str
    description: str
    keywords: tuple[Keyword, ...]
    exclude: tuple[Keyword, ...]
    threshold: float


@dataclass(frozen=True)
class Taxonomy:
    """The topics and skepticism cues of one taxonomy file, with its source and SHA-256."""

    source: str
    sha256: str
    topics: tuple[Topic, ...]
    skepticism: Topic | None = None

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id (KeyError if there is none)."""
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    @property
    def labels(self) -> tuple[Topic, ...]:
        """The topics, then skepticism when the file has cues for it."""
        return self.topics + ((self.skepticism,) if self.skepticism else ())


def default_path() -> Path:
    """The packaged taxonomy (a copy of data/topics.toml)."""
    return defaults.taxonomy_path()


def resolve_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The taxonomy file: the option, else $READERPULSE_TAXONOMY, else the project's, else the packaged one."""
    return config.taxonomy(option).path


def load_taxonomy(option: str | os.PathLike[str] | None = None) -> Taxonomy:
    """Read, validate and compile the taxonomy in force."""
    path = resolve_path(option)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TaxonomyError(
            f"taxonomy file not found: {path} (give --taxonomy PATH, set ${TAXONOMY_ENV} or the project's 'taxonomy')"
        ) from None
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read taxonomy ({exc.strerror or exc})") from exc
    return parse_taxonomy(raw, str(path))


def parse_taxonomy(raw: bytes, source: str = "<taxonomy>") -> Taxonomy:
    """Validate and compile taxonomy TOML given as bytes."""
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TaxonomyError(f"{source}: not valid TOML: {exc}") from exc
    version = document.get("format")
    if version != FORMAT_VERSION:
        raise TaxonomyError(
            f"{source}: format = {version!r}, but readerpulse reads format = {FORMAT_VERSION} taxonomies only: "
            "the format changed (topics are keyword lists now; groups, weights, vocab and patterns are gone); "
            "see docs/scoring.md, 'Topics', to rewrite the file"
        )
    _check_keys(document, _TOP_KEYS, source)
    topics_table = document.get("topics")
    if not isinstance(topics_table, dict) or not topics_table:
        raise TaxonomyError(f"{source}: no [topics.<id>] tables")
    topics = []
    for topic_id, table in topics_table.items():
        where = f"{source}: topic {topic_id!r}"
        if not _ID.match(topic_id):
            raise TaxonomyError(f"{where}: id must be lower_case_with_underscores (a-z, 0-9, _; a letter first)")
        if topic_id == SKEPTICISM:
            raise TaxonomyError(f"{where}: the id is taken by skepticism; its cues go in a [skepticism] table")
        topics.append(_topic(topic_id, table, where, label_required=True))
    skepticism = None
    if SKEPTICISM in document:
        skepticism = _topic(SKEPTICISM, document[SKEPTICISM], f"{source}: [skepticism]", label_required=False)
    return Taxonomy(
        source=source, sha256=hashlib.sha256(raw).hexdigest(), topics=tuple(topics), skepticism=skepticism
    )


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise TaxonomyError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _strings(value: Any, where: str, *, empty_ok: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}: must be a list of non-empty strings")
    if not value and not empty_ok:
        raise TaxonomyError(f"{where}: an empty list (give at least one keyword)")
    return tuple(value)


def _threshold(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise TaxonomyError(f"{where}: must be a number in (0, 1] (0.5: one keyword, 0.75: two, 0.875: three)")
    return float(value)


def _topic(topic_id: str, table: Any, where: str, *, label_required: bool) -> Topic:
    if not isinstance(table, dict):
        raise TaxonomyError(f"{where}: must be a table")
    _check_keys(table, _TOPIC_KEYS, where)
    label = table.get("label", None if label_required else "Skepticism about verification")
    if not isinstance(label, str) or not label.strip():
        raise TaxonomyError(f"{where}: needs a label")
    description = table.get("description", "")
    if not isinstance(description, str):
        raise TaxonomyError(f"{where}: description must be a string")
    if "keywords" not in table:
        raise TaxonomyError(f"{where}: needs keywords = [...]")
    keywords = compile_keywords(_strings(table["keywords"], f"{where}: keywords", empty_ok=False), f"{where}: keywords")
    exclude = compile_keywords(_strings(table.get("exclude", []), f"{where}: exclude", empty_ok=True), f"{where}: exclude")
    return Topic(
        id=topic_id,
        label=label.strip(),
        description=description.strip(),
        keywords=keywords,
        exclude=exclude,
        threshold=_threshold(table.get("threshold", DEFAULT_THRESHOLD), f"{where}: threshold"),
    )


def is_exact(keyword: str) -> bool:
    """Is the keyword matched in its exact case: its letters all capitals, two or more of them."""
    letters = [c for c in keyword if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def compile_keywords(written: tuple[str, ...], where: str) -> tuple[Keyword, ...]:
    """The keywords as literals: normalised by the same polars expression as the texts."""
    # imported here: keywords imports this module for the types
    from .keywords import normalised_text

    stems = [w.strip()[:-1] if w.strip().endswith("*") else w.strip() for w in written]
    for text, stem in zip(written, stems, strict=True):
        if "*" in stem:
            raise TaxonomyError(f"{where}: {text!r}: '*' may only end a keyword (verif* = any word starting with verif)")
    normal = pl.DataFrame({"k": stems}, schema={"k": pl.String}).select(
        kept=normalised_text(pl.col("k")), lower=normalised_text(pl.col("k")).str.to_lowercase()
    )
    keywords = []
    seen: dict[tuple[str, bool], str] = {}
    for text, stem, norm, lower in zip(written, stems, normal["kept"], normal["lower"], strict=True):
        if not norm:
            raise TaxonomyError(f"{where}: {text!r} has no letters or digits (nor ? or !) to match")
        exact = is_exact(stem)
        prefix = text.strip().endswith("*")
        if prefix and stem[-1:] and not (stem[-1].isalnum()):
            raise TaxonomyError(f"{where}: {text!r}: '*' must follow a letter or digit")
        literal = " " + (norm if exact else lower) + ("" if prefix else " ")
        if (literal, exact) in seen:
            raise TaxonomyError(f"{where}: {text!r} is the same keyword as {seen[(literal, exact)]!r}")
        seen[(literal, exact)] = text
        keywords.append(Keyword(text=text, literal=literal, exact=exact))
    return tuple(keywords)
