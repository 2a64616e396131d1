"""The topic taxonomy: an editable TOML file, validated and compiled to cue groups.

The file in force is `--taxonomy PATH`, else $READERPULSE_TAXONOMY, else the repository's
data/topics.toml. Its SHA-256 is recorded with every topics run, so a tag can always be traced
to the taxonomy that produced it. The format is documented in docs/scoring.md.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import ReaderpulseError
from analysis.score.matching import CueGroup
from analysis.score.patterns import CompiledGroup, PatternError, compile_any, compile_group

TAXONOMY_ENV = "READERPULSE_TAXONOMY"
FORMAT_VERSION = 1
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"format", "vocab", "topics"}
_TOPIC_KEYS = {"label", "description", "threshold", "require", "exclude", "groups"}
_GROUP_KEYS = {"weight", "terms"}


class TaxonomyError(ReaderpulseError):
    """A taxonomy file that is missing or not valid; the message says where and why."""

    exit_code = 2


@dataclass(frozen=True)
class Topic:
    """One topic: a hit needs every `require` group and a noisy-OR score >= `threshold`."""

    id: str
    label: str
    description: str
    threshold: float
    require: tuple[str, ...]
    exclude: str | None
    groups: tuple[CueGroup, ...]
    terms: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Taxonomy:
    """The topics of one taxonomy file, with where it came from and its SHA-256."""

    source: str
    sha256: str
    topics: tuple[Topic, ...]

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id (KeyError if there is none)."""
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)


def default_path() -> Path:
    """data/topics.toml of the repository this package lives in."""
    return Path(__file__).resolve().parents[2] / "data" / "topics.toml"


def resolve_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The taxonomy file: the option, else $READERPULSE_TAXONOMY, else the default."""
    if option:
        return Path(option)
    env = os.environ.get(TAXONOMY_ENV)
    return Path(env) if env else default_path()


def load_taxonomy(option: str | os.PathLike[str] | None = None) -> Taxonomy:
    """Read, validate and compile the taxonomy in force."""
    path = resolve_path(option)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TaxonomyError(
            f"taxonomy file not found: {path} (give --taxonomy PATH or set ${TAXONOMY_ENV})"
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
    _check_keys(document, _TOP_KEYS, source)
    if document.get("format", FORMAT_VERSION) != FORMAT_VERSION:
        raise TaxonomyError(f"{source}: format must be {FORMAT_VERSION}")
    vocab = _vocab(document.get("vocab", {}), source)
    topics_table = document.get("topics")
    if not isinstance(topics_table, dict) or not topics_table:
        raise TaxonomyError(f"{source}: no [topics.<id>] tables")
    topics = tuple(
        _topic(topic_id, table, vocab, f"{source}: topic {topic_id!r}")
        for topic_id, table in topics_table.items()
    )
    return Taxonomy(source=source, sha256=hashlib.sha256(raw).hexdigest(), topics=topics)


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise TaxonomyError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}: must be a list of non-empty strings")
    return tuple(value)


def _fraction(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise TaxonomyError(f"{where}: must be a number in (0, 1]")
    return float(value)


def _vocab(table: Any, source: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise TaxonomyError(f"{source}: [vocab] must be a table of lists")
    vocab = {}
    for name, patterns in table.items():
        if not _ID.match(name):
            raise TaxonomyError(f"{source}: vocab name {name!r} must be lower_case_with_underscores")
        vocab[name] = _strings(patterns, f"{source}: vocab.{name}")
    return vocab


def _compile(patterns: Sequence[str], vocab: Mapping[str, Sequence[str]], where: str) -> str:
    try:
        return compile_any(patterns, vocab)
    except PatternError as exc:
        raise TaxonomyError(f"{where}: {exc}") from exc


def _compile_group(patterns: Sequence[str], vocab: Mapping[str, Sequence[str]], where: str) -> CompiledGroup:
    try:
        return compile_group(patterns, vocab)
    except PatternError as exc:
        raise TaxonomyError(f"{where}: {exc}") from exc


def _topic(topic_id: str, table: Any, vocab: Mapping[str, Sequence[str]], where: str) -> Topic:
    if not _ID.match(topic_id):
        raise TaxonomyError(f"{where}: id must be lower_case_with_underscores")
    if not isinstance(table, dict):
        raise TaxonomyError(f"{where}: must be a table")
    _check_keys(table, _TOPIC_KEYS, where)
    label = table.get("label")
    if not isinstance(label, str) or not label.strip():
        raise TaxonomyError(f"{where}: needs a label")
    groups_table = table.get("groups")
    if not isinstance(groups_table, dict) or not groups_table:
        raise TaxonomyError(f"{where}: needs at least one [topics.{topic_id}.groups.<name>] table")
    groups = []
    terms = {}
    for name, group in groups_table.items():
        gwhere = f"{where}, group {name!r}"
        if not isinstance(group, dict):
            raise TaxonomyError(f"{gwhere}: must be a table")
        _check_keys(group, _GROUP_KEYS, gwhere)
        terms[name] = _strings(group.get("terms"), f"{gwhere}: terms")
        weight = _fraction(group.get("weight"), f"{gwhere}: weight")
        compiled = _compile_group(terms[name], vocab, gwhere)
        groups.append(
            CueGroup(name, weight, compiled.chunks, expressions=compiled.expressions, chunk_of=compiled.chunk_of)
        )
    require = _strings(table.get("require", []), f"{where}: require") if "require" in table else ()
    missing = sorted(set(require) - set(groups_table))
    if missing:
        raise TaxonomyError(f"{where}: require names unknown group(s) {', '.join(missing)}")
    exclude = None
    if table.get("exclude"):
        exclude = _compile(_strings(table["exclude"], f"{where}: exclude"), vocab, f"{where}: exclude")
    return Topic(
        id=topic_id,
        label=label.strip(),
        description=str(table.get("description", "")).strip(),
        threshold=_fraction(table.get("threshold", 0.5), f"{where}: threshold"),
        require=require,
        exclude=exclude,
        groups=tuple(groups),
        terms=terms,
    )
