"""Columnar cue matching shared by the topic and skepticism scorers.

A scorer is a set of cue groups, each a set of cue expressions with a weight. A group matches a
text when one of its expressions matches (after its masks, if any, removed look-alikes), and a
row's score is the noisy-OR of the weights of the groups that matched: 1 - prod(1 - weight). A
group counts once however many of its cues match. The matched texts (evidence) are extracted
(`str.extract_all` over the group's chunks, the alternations of its expressions) only where the
group matched.

`flag_groups` states what a group's flag is: polars' `str.contains` of every chunk over every
row. `Matcher` computes the same flags with far less work, in three steps that change no result:

1. **Stand-ins.** Non-ASCII characters that no expression names (emoji, most letters, spaces,
   punctuation) are replaced, for matching only, by an ASCII character no expression names
   either and that falls in the same classes (\\w, \\d, \\s): a letter by "_", a space by a
   vertical tab, a symbol by a control character. No expression can tell the two apart, so every
   match is the same; but the regex engine's fast DFA gives up on Unicode word boundaries in
   non-ASCII text, and the slow engines it falls back on cost 10-20x more.
2. **Required literals.** `analysis.score.literals` reads from each expression the literals any
   match must contain ("nothing" in "did ~1 nothing"); `_prefilter.c` finds them all in one pass
   over each text and lists, per expression, the rows that have every one. The same pass reads
   the column's Arrow buffers and writes the texts with their stand-ins (`Matcher.scan`).
3. **Chunks on candidates only.** Each chunk's own expression (`str.extract_all`, the same
   string every batch; polars, side by side on threads) runs on the rows where one of its cues
   can match; a group's flag is "some chunk found something", and the evidence is read from
   what was found (one extraction per chunk costs less than a `str.contains` per cue followed
   by the extraction of the rows that matched). Rows left with no non-ASCII \\w, \\d or \\s
   character ("plain": dashes, the mask, emoji stand-ins are fine) run the expression with
   ASCII classes and word boundaries (`ascii_expression`), which matches exactly the same there
   and keeps the DFA (masks too); in the other rows (a letter some expression names, such as
   the "ü" of "Türkiye") the kept letters an expression does not name get stand-ins for it too
   (`_more_stand_ins`), which mostly makes them plain for it.

tests/score/test_matching.py checks that `Matcher` and `flag_groups` agree, on the labelled
comment sets and on generated text.
"""

from __future__ import annotations

import base64
import os
import zlib
from array import array
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from functools import lru_cache, reduce
from typing import Any

import polars as pl
import pyarrow as pa

from analysis import cache
from analysis.score._prefilter import Prefilter
from analysis.score.literals import (
    Literal,
    Requirement,
    named_characters,
    requirement_options,
    strength,
)
from analysis.score.patterns import MASK
from analysis.text import fold_punctuation_expr
from analysis.text.buffers import text_buffers

TEXT = "_text"
# Rows per part when a column is scanned in parts, side by side (see Matcher.scan): a column of
# 100,000 rows or more is split.
SCAN_PART_ROWS = 50_000


@dataclass(frozen=True)
class CueGroup:
    """Cues that count as one piece of evidence.

    `regexes` are the chunks: together they match any of the group's cues. `expressions`, when
    given, are the cues one by one, and `chunk_of` the chunk each belongs to (a chunk is the
    alternation of its expressions). `mask`, when set, is removed from the text before this
    group is matched: the negated forms of the group's cues ("I don't doubt") and look-alikes,
    so that they do not count.
    """

    name: str
    weight: float
    regexes: tuple[str, ...]
    mask: str | None = None
    expressions: tuple[str, ...] = ()
    chunk_of: tuple[int, ...] = ()

    def cues(self) -> list[tuple[str, int]]:
        """(expression, chunk) of every cue; without `expressions`, each chunk is one cue."""
        if self.expressions:
            return list(zip(self.expressions, self.chunk_of, strict=True))
        return [(regex, index) for index, regex in enumerate(self.regexes)]


def prepared_text(text: str = "text") -> pl.Expr:
    """The text the cue expressions run on: typographic apostrophes and quotes made ASCII."""
    return fold_punctuation_expr(pl.col(text).fill_null("")).alias(TEXT)


def masked(expr: pl.Expr, regex: str | None) -> pl.Expr:
    """`expr` with every match of `regex` replaced by the mask (no phrase can run across it)."""
    return expr if regex is None else expr.str.replace_all(regex, MASK)


def group_text_column(prefix: str, group: CueGroup) -> str:
    """The column a group is matched on: its own masked copy of the text, or the text."""
    return f"{prefix}{group.name}.text" if group.mask else TEXT


def flag_groups(frame: pl.LazyFrame, groups: Sequence[CueGroup], prefix: str) -> pl.LazyFrame:
    """Add one boolean column per group (prefix + name): did the group match the text?

    The text is the TEXT column; a group with a mask gets its own masked copy first. This is
    the definition `Matcher` reproduces faster.
    """
    frame = frame.with_columns(
        masked(pl.col(TEXT), g.mask).alias(group_text_column(prefix, g)) for g in groups if g.mask
    )
    return frame.with_columns(
        pl.any_horizontal(pl.col(group_text_column(prefix, g)).str.contains(rx) for rx in g.regexes).alias(
            prefix + g.name
        )
        for g in groups
    )


def noisy_or(groups: Sequence[CueGroup], prefix: str) -> pl.Expr:
    """1 - prod(1 - weight) over the groups whose flag is set, rounded to 4 places."""
    misses = [
        pl.when(pl.col(prefix + g.name)).then(pl.lit(1.0 - g.weight)).otherwise(pl.lit(1.0))
        for g in groups
    ]
    product = reduce(lambda left, right: left * right, misses, pl.lit(1.0))
    return (pl.lit(1.0) - product).round(4)


def _clean(element: pl.Expr) -> pl.Expr:
    return element.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars(" ,;:-\"'")


def evidence(groups: Sequence[CueGroup], prefix: str, *, label_groups: bool = False) -> pl.Expr:
    """The distinct matched texts of all groups, lower-cased, in group order (the definition).

    With `label_groups`, each is written "group: text" so the reader sees which cue fired.
    It extracts every match of every chunk in every row: `Matcher.extract` gives the same lists
    for the rows that need them, much faster.
    """
    lists = []
    for group in groups:
        text = pl.col(group_text_column(prefix, group))
        for regex in group.regexes:
            found = text.str.extract_all(regex)
            lists.append(cleaned(found, group.name if label_groups else None))
    return pl.concat_list(lists).list.unique(maintain_order=True)


def cleaned(found: pl.Expr, label: str | None) -> pl.Expr:
    """Matched texts lower-cased, spaces collapsed, edge punctuation stripped; "label: " first."""
    if label is not None:
        return found.list.eval(pl.lit(label + ": ") + _clean(pl.element()))
    return found.list.eval(_clean(pl.element()))


def combined_evidence(pieces: Sequence[tuple[pl.DataFrame, str | None]], height: int) -> pl.Series:
    """Per row (0..height-1), the distinct cleaned pieces, in the order given.

    `pieces` are `Matcher.extract` frames (pos, found), each with its label ("label: " is put
    before each of its pieces) or None; the result equals `evidence` for those rows.
    """
    long = pl.concat(
        [
            frame.select("pos", (pl.lit(f"{label}: ") + _clean(pl.col("found")) if label else _clean(pl.col("found"))).alias("found"))
            for frame, label in pieces
        ]
        or [pl.DataFrame(schema={"pos": pl.Int32, "found": pl.String})]
    )
    grouped = long.sort("pos", maintain_order=True).group_by("pos", maintain_order=True).agg(
        pl.col("found").unique(maintain_order=True)
    )
    every = pl.DataFrame({"pos": pl.int_range(height, dtype=pl.Int32, eager=True)})
    return (
        every.join(grouped, on="pos", how="left")
        .sort("pos")["found"]
        .fill_null(pl.lit([], dtype=pl.List(pl.String)))
    )


# --- stand-ins for characters no expression names --------------------------------------------


@lru_cache(maxsize=1)
def _non_ascii() -> pl.Series:
    """Every non-ASCII code point except surrogates, as one string (for asking the engine)."""
    points = array("I", [*range(0x80, 0xD800), *range(0xE000, 0x110000)])
    return pl.Series([points.tobytes().decode("utf-32-le")])


def _class_of(chars: Sequence[str]) -> str:
    return "".join(f"\\x{{{ord(c):x}}}" for c in chars)


def _engine_matches(regex: str) -> str:
    """The non-ASCII characters that `regex` (one character long) matches, per polars."""
    found = _non_ascii().str.extract_all(regex).explode().drop_nulls()
    return "".join(sorted(set(found.to_list())))


@dataclass(frozen=True)
class StandIns:
    """How non-ASCII characters are replaced, for matching, without changing any match."""

    keep: str  # non-ASCII characters some expression names (or matches by case): never replaced
    bypass: str  # non-ASCII characters that match some ASCII letter case-insensitively
    digit: str | None  # the stand-in of a non-ASCII \d character (None: not replaced)
    word: str | None  # ... of another \w character
    space: str | None  # ... of a \s character
    other: str | None  # ... of any other character

    @classmethod
    def for_expressions(cls, expressions: Sequence[str]) -> StandIns:
        """Stand-ins none of `expressions` can tell from the characters they replace."""
        named, icase = named_characters(expressions)
        flag = "(?i)" if icase else ""
        named_non_ascii = sorted(c for c in named if not c.isascii())
        keep = _engine_matches(f"{flag}[{_class_of(named_non_ascii)}]") if named_non_ascii else ""
        bypass = _engine_matches("(?i)[a-zA-Z0-9]") if icase else ""
        named_ascii = {c for c in named if c.isascii()}
        if icase:
            named_ascii |= {c.swapcase() for c in named_ascii}

        def free(candidates: str) -> str | None:
            return next((c for c in candidates if c not in named_ascii), None)

        letters = "_qxzjQXZJ" + "".join(chr(c) for c in range(ord("a"), ord("z") + 1))
        controls = "".join(map(chr, [*range(1, 9), *range(14, 32), 127]))
        return cls(
            keep="".join(sorted(set(keep) | set(bypass))),
            bypass=bypass,
            # digits beyond ASCII are rare: they stay (an ASCII digit would often be in evidence)
            digit=None,
            word=free(letters),
            space=free("\x0b\x0c"),
            other=free(controls),
        )

    def pattern(self) -> str:
        """An expression matching any stand-in character."""
        chars = [c for c in (self.digit, self.word, self.space, self.other) if c is not None]
        return f"[{_class_of(chars)}]" if chars else "[^\\x00-\\x{10ffff}]"

    def table(self) -> bytes:
        """`expr` as a table for `Prefilter.scan`: one byte per code point.

        0: the character stays and is in no class (\\w, \\d, \\s); 255: it stays and is in
        one; else the ASCII stand-in that replaces it. Made by running `expr` itself over every
        non-ASCII character, so the two agree by construction.
        """
        return _stand_in_table(self)

    def expr(self, text: pl.Expr) -> pl.Expr:
        """`text` with every replaceable non-ASCII character replaced by its stand-in."""
        others = f"[^\\x00-\\x7f{_class_of(self.keep)}]"
        left_alone = ""  # classes without a stand-in stay as they are: later steps skip them
        steps = (
            ("\\d", self.digit, "\\D"),
            ("\\w", self.word, "\\W"),
            ("\\s", self.space, "\\S"),
            ("", self.other, ""),
        )
        for cls, stand_in, complement in steps:
            if stand_in is None:
                left_alone += f"&&{complement}" if complement else ""
                continue
            regex = f"[{cls}&&{others}{left_alone}]" if cls else f"[{others}{left_alone}]"
            text = text.str.replace_all(regex, stand_in.replace("$", "$$"))
        return text


def _code_points(text: str) -> pl.Series:
    data = text.encode("utf-32-le")
    return pl.Series(pa.Array.from_buffers(pa.uint32(), len(data) // 4, [None, pa.py_buffer(data)]))


@lru_cache(maxsize=16)
def _stand_in_table(stand_ins: StandIns) -> bytes:
    source = _non_ascii()
    mapped = pl.select(stand_ins.expr(pl.lit(source))).item()
    before, after = _code_points(source.item()), _code_points(mapped)
    changed = before != after
    kept = "".join(map(chr, before.filter(~changed).to_list()))
    kept_classed = [ord(c) for c in pl.Series([kept]).str.extract_all(r"[\w\d\s]").explode().drop_nulls().to_list()]
    table = pl.repeat(0, 0x110000, dtype=pl.UInt8, eager=True)
    table = table.scatter(before.filter(changed), after.filter(changed).cast(pl.UInt8))
    table = table.scatter(pl.Series(kept_classed, dtype=pl.UInt32), 255)
    values = table.to_arrow().buffers()[1]
    assert values is not None
    return bytes(values.to_pybytes()[:0x110000])


# --- the matcher ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One flag to compute: `group` matched on the text with `masks` removed first, in order."""

    name: str
    masks: tuple[str, ...]
    group: CueGroup


@dataclass
class Matches:
    """The flags of a batch (one Boolean column per unit), and what `Matcher.extract` needs."""

    flags: pl.DataFrame
    # per unit: its text, stand-ins in, masked where one of its expressions can match
    texts: dict[str, pl.Series] = field(default_factory=dict)
    # per (unit index, chunk): (row, found) where the chunk found pieces
    pieces: dict[tuple[int, int], pl.DataFrame] = field(default_factory=dict)
    original: pl.Series = field(default_factory=pl.Series)  # the texts as given
    plain: pl.Series = field(default_factory=pl.Series)  # per row: no non-ASCII \w, \d, \s left
    replaced: pl.Series = field(default_factory=pl.Series)  # per row: has a stand-in


@dataclass(frozen=True)
class Scope:
    """Where each unit's flag is needed (see `Matcher.match`).

    `rows`: given a Boolean column per unit ("could it match"), the rows (a Boolean mask per
    unit name) where its flag and evidence are needed; it must stay correct when some columns
    hold the units' actual flags instead. `first`: units matched in a first round, whose actual
    flags then narrow the rows of the others (for instance the groups a topic requires).
    """

    rows: Callable[[pl.DataFrame], dict[str, pl.Series]]
    first: frozenset[str] = frozenset()


@dataclass
class Scan:
    """`Prefilter.scan` of a batch: the texts with stand-ins, and the candidates."""

    mapped: pl.Series
    plain: pl.Series  # per row: the mapped text has no non-ASCII \w, \d or \s character
    replaced: pl.Series  # per row: some character got a stand-in
    candidates: list[tuple[pl.Series, pl.Series] | None]  # per pattern: (plain rows, other rows)


def _literal_flags(literal: Literal) -> int:
    return (1 if literal.left else 0) | (2 if literal.right else 0)


@dataclass(frozen=True)
class _Derived:
    """What a matcher works out from its expressions before it can scan a text: the stand-ins
    and their table, and the prefilter's literals, requirements and entries. It depends on the
    expressions and the output of each alone, so it is kept between runs (analysis.cache)."""

    stand_ins: StandIns
    needs: list[bool]  # per output: False when some expression of it can match anywhere
    literals: list[tuple[str, bool, int, list[int]]]  # text, case-insensitive, boundaries, requirements
    n_requirements: int
    entries: list[list[int]]  # per entry: its requirements, the rarest first
    outputs: list[int]  # per entry: its output
    table: bytes  # StandIns.table()

    def prefilter(self, n_outputs: int) -> Prefilter:
        """The C prefilter of these literals and entries."""
        return Prefilter(self.literals, self.n_requirements, self.entries, self.outputs, n_outputs, self.stand_ins.bypass)

    def entry(self) -> dict[str, Any]:
        """As a cache entry (JSON: the table zlib-compressed in base64)."""
        return {
            "stand_ins": asdict(self.stand_ins),
            "needs": self.needs,
            "literals": self.literals,
            "n_requirements": self.n_requirements,
            "entries": self.entries,
            "outputs": self.outputs,
            "table": base64.b64encode(zlib.compress(self.table)).decode("ascii"),
        }

    @classmethod
    def from_entry(cls, entry: dict[str, Any], n_outputs: int) -> _Derived:
        """The inverse of `entry`; ValueError (or KeyError, TypeError) if it does not check out."""
        inflate = zlib.decompressobj()
        table = inflate.decompress(base64.b64decode(entry["table"], validate=True), _TABLE_SIZE + 1)
        derived = cls(
            StandIns(**entry["stand_ins"]),
            [bool(n) for n in entry["needs"]],
            [(str(t), bool(ci), int(f), [int(r) for r in rids]) for t, ci, f, rids in entry["literals"]],
            int(entry["n_requirements"]),
            [[int(r) for r in e] for e in entry["entries"]],
            [int(o) for o in entry["outputs"]],
            table,
        )
        requirements = [r for _, _, _, rids in derived.literals for r in rids] + [r for e in derived.entries for r in e]
        stand_ins = asdict(derived.stand_ins)
        if (
            not all(isinstance(v, str) for v in (stand_ins.pop("keep"), stand_ins.pop("bypass")))
            or not all(v is None or (isinstance(v, str) and len(v) == 1) for v in stand_ins.values())
            or len(table) != _TABLE_SIZE
            or len(derived.needs) != n_outputs
            or len(derived.outputs) != len(derived.entries)
            or not all(0 <= o < n_outputs for o in derived.outputs)
            or not all(0 <= r < derived.n_requirements for r in requirements)
            or not all(derived.entries)
        ):
            raise ValueError("a matcher cache entry of another shape")
        return derived


_TABLE_SIZE = 0x110000  # StandIns.table(): one byte per code point


def _derived(expressions: Sequence[str], target_of: Sequence[int], n_outputs: int) -> tuple[_Derived, Prefilter]:
    """`_derive`, from the cache when an earlier run kept it, and the prefilter built from it
    (an entry the prefilter refuses is derived again, like one that does not read)."""
    key = cache.entry_key("matcher", [list(expressions), list(target_of)])
    entry = cache.load("matcher", key)
    if entry is not None:
        with suppress(KeyError, TypeError, ValueError, zlib.error):
            derived = _Derived.from_entry(entry, n_outputs)
            return derived, derived.prefilter(n_outputs)
    derived = _derive(expressions, target_of, n_outputs)
    cache.store("matcher", key, derived.entry())
    return derived, derived.prefilter(n_outputs)


def _derive(expressions: Sequence[str], target_of: Sequence[int], n_outputs: int) -> _Derived:
    """The stand-ins and the prefilter's data for `expressions` (cue expressions, then masks),
    whose outputs are `target_of` (one each)."""
    stand_ins = StandIns.for_expressions(expressions)
    ids: dict[Requirement, int] = {}
    entries: list[list[int]] = []
    outputs: list[int] = []
    needs = [True] * n_outputs
    for index, regex in enumerate(expressions):
        options = requirement_options(regex)
        if options == [[]]:
            needs[target_of[index]] = False  # it can match anywhere: every row
            continue
        for option in options:
            # the first requirement triggers the check of the others: the rarest first
            ordered = sorted(option, key=strength, reverse=True)
            entries.append([ids.setdefault(r, len(ids)) for r in ordered])
            outputs.append(target_of[index])
    literals: dict[Literal, list[int]] = {}
    for requirement, rid in ids.items():
        for literal in sorted(requirement):
            literals.setdefault(literal, []).append(rid)
    return _Derived(
        stand_ins,
        needs,
        [(lit.text, lit.ci, _literal_flags(lit), rids) for lit, rids in literals.items()],
        len(ids),
        entries,
        outputs,
        stand_ins.table(),
    )


class Matcher:
    """The flags of many cue groups over a column of texts: `flag_groups`, computed faster.

    Each chunk is extracted (`str.extract_all`) on the rows where one of its cues can match: a
    group's flag is "some chunk found something", and `extract` reads the pieces found.
    """

    def __init__(self, units: Sequence[Unit]) -> None:
        self.units = tuple(units)
        self._masks = list(dict.fromkeys(m for u in self.units for m in u.masks))
        # every cue expression, then every mask: the prefilter's patterns
        self._cues = [(i, rx, chunk) for i, u in enumerate(self.units) for rx, chunk in u.group.cues()]
        self._unit_index = {u.name: i for i, u in enumerate(self.units)}
        expressions = [rx for _, rx, _ in self._cues] + self._masks
        # The prefilter's outputs ("targets", then the masks): one per chunk, whose rows are
        # those of any of its cues.
        self._chunks = list(dict.fromkeys((unit_index, chunk) for unit_index, _, chunk in self._cues))
        chunk_target = {key: t for t, key in enumerate(self._chunks)}
        target_of = [chunk_target[(unit_index, chunk)] for unit_index, _, chunk in self._cues]
        self._n_targets = len(self._chunks)
        target_of += [self._n_targets + m for m in range(len(self._masks))]
        self._target_of = target_of  # per cue expression, then per mask: its output
        # per unit: the targets of its chunks
        self._unit_targets = [[t for t, (u, _) in enumerate(self._chunks) if u == i] for i in range(len(self.units))]
        n_outputs = self._n_targets + len(self._masks)
        derived, self._prefilter = _derived(expressions, target_of, n_outputs)
        self.stand_ins = derived.stand_ins
        self._needs = derived.needs
        self._table = derived.table
        self._extra: dict[str, list[tuple[str, str]]] = {}

    def scan(self, texts: pl.Series, parts: int | None = None) -> Scan:
        """Stand-ins and candidates of `texts` (prepared) in one pass of `Prefilter.scan`.

        The C scan reads the Arrow buffers of the column, writes the texts with stand-ins (as
        `StandIns.expr` would) and lists, per prefilter pattern, the rows to run it on (None:
        every row), split into plain rows and the others. Large columns are scanned in `parts`
        (default: one per SCAN_PART_ROWS rows, at most one per thread) side by side: the C scan
        releases the GIL, and the parts' results are joined in row order.
        """
        n = len(texts)
        offsets, data = text_buffers(texts)
        if parts is None:
            parts = min(_WORKERS, n // SCAN_PART_ROWS)
        parts = max(1, min(parts, n))
        bounds = [n * i // parts for i in range(parts + 1)]

        def scan_part(i: int) -> tuple[bytes, bytes, bytes, bytes, bytes]:
            start, stop = bounds[i], bounds[i + 1]
            return self._prefilter.scan(offsets, data, start, stop - start, self._table)

        results = list(_pool().map(scan_part, range(parts))) if parts > 1 else [scan_part(0)]
        mapped_parts, flag_parts = [], []
        candidate_parts: list[list[tuple[pl.Series, pl.Series] | None]] = []
        for i, (raw_offsets, raw_rows, mapped_offsets, mapped_data, row_flags) in enumerate(results):
            size = bounds[i + 1] - bounds[i]
            mapped_parts.append(
                pa.LargeStringArray.from_buffers(size, pa.py_buffer(mapped_offsets), pa.py_buffer(mapped_data))
            )
            flag_parts.append(pl.Series(pa.Array.from_buffers(pa.uint8(), size, [None, pa.py_buffer(row_flags)])))
            offsets_by = array("q", raw_offsets)
            rows = pl.Series(pa.Array.from_buffers(pa.int32(), len(raw_rows) // 4, [None, pa.py_buffer(raw_rows)]))
            if bounds[i]:
                rows = rows + bounds[i]

            def part(k: int, rows: pl.Series = rows, offsets_by: array[int] = offsets_by) -> pl.Series:
                return rows.slice(offsets_by[k], offsets_by[k + 1] - offsets_by[k])

            candidate_parts.append(
                [(part(2 * k), part(2 * k + 1)) if needs else None for k, needs in enumerate(self._needs)]
            )
        mapped = pl.Series(TEXT, pa.chunked_array(mapped_parts, type=pa.large_string()), dtype=pl.String).rechunk()
        flags = pl.concat(flag_parts) if len(flag_parts) > 1 else flag_parts[0]
        candidates: list[tuple[pl.Series, pl.Series] | None] = []
        for k, needs in enumerate(self._needs):
            if not needs:
                candidates.append(None)
                continue
            found = [c[k] for c in candidate_parts]
            candidates.append(
                (pl.concat([f[0] for f in found if f is not None]), pl.concat([f[1] for f in found if f is not None]))
                if len(found) > 1
                else found[0]
            )
        return Scan(mapped, (flags & 1) == 0, (flags & 2) != 0, candidates)

    def match(self, texts: pl.Series, scope: Scope | None = None) -> Matches:
        """Flags of every unit (and of every chunk of its group) for `texts` (already prepared).

        `scope`: given "could the unit match" per unit and row (the
        candidates, a superset of the flags), the rows where each unit's flag and evidence are
        needed at all; elsewhere its flag may be False where it would match. The topics scorer
        passes the rows where a topic could reach its threshold with the groups that could
        match (the noisy-OR is monotone in the flags).
        """
        n = len(texts)
        scan = self.scan(texts)
        mapped, plain = scan.mapped, scan.plain
        every = pl.int_range(n, dtype=pl.Int32, eager=True)
        every_plain = every.filter(plain)
        every_other = every.filter(~plain)
        candidates = [(every_plain, every_other) if rows is None else rows for rows in scan.candidates]
        mask_rows = {
            mask: pl.concat(rows).sort()
            for mask, rows in zip(self._masks, candidates[self._n_targets :], strict=True)
        }
        # A unit's text is read only where one of its expressions can match: a mask is applied
        # only there (the rows of the units whose chain of masks starts with it).
        needed: dict[tuple[str, ...], list[pl.Series]] = {}
        for unit_index, unit in enumerate(self.units):
            targets = self._unit_targets[unit_index]
            for depth in range(1, len(unit.masks) + 1):
                needed.setdefault(unit.masks[:depth], []).extend(part for t in targets for part in candidates[t])
        columns: dict[tuple[str, ...], pl.Series] = {(): mapped}
        for unit in self.units:
            for depth in range(1, len(unit.masks) + 1):
                chain = unit.masks[:depth]
                if chain in columns:
                    continue
                previous, mask = columns[chain[:-1]], chain[-1]
                rows = mask_rows[mask]
                if 0 < len(rows) < n:
                    rows = rows.filter(_mark(n, needed[chain]).gather(rows))
                if len(rows):
                    replaced = _by_flag(
                        plain.gather(rows),
                        _gather(previous, rows, n),
                        lambda t: t.str.replace_all(ascii_expression(mask), MASK),  # noqa: B023 (called at once)
                        lambda t: t.str.replace_all(mask, MASK),  # noqa: B023
                    )
                    columns[chain] = replaced if len(rows) == n else previous.clone().scatter(rows, replaced)
                else:
                    columns[chain] = previous

        unit_texts = {unit.name: columns[unit.masks] for unit in self.units}
        matches = Matches(pl.DataFrame(), unit_texts, original=texts, plain=plain, replaced=scan.replaced)
        unit_rows = self._extract_chunks(matches, candidates, scope)
        flags = [_mark(n, rows).alias(unit.name) for unit, rows in zip(self.units, unit_rows, strict=True)]
        matches.flags = pl.DataFrame(flags) if flags else pl.DataFrame()
        return matches

    def _extract_chunks(
        self, matches: Matches, candidates: Sequence[tuple[pl.Series, pl.Series]], scope: Scope | None
    ) -> list[list[pl.Series]]:
        """Each chunk extracted on the rows where one of its cues can match (and that `scope`
        keeps), into `matches.pieces`; per unit, the rows where a chunk found something."""
        # plain rows then the others: each row once (the frames are sorted by row at the end)
        chunk_rows = {key: pl.concat(candidates[t]) for t, key in enumerate(self._chunks)}
        n = len(matches.original)
        unit_rows: list[list[pl.Series]] = [[] for _ in self.units]

        def could() -> pl.DataFrame:
            """Per unit: its actual flag if it has been matched, else where it could match."""
            return pl.DataFrame(
                [
                    _mark(n, unit_rows[unit_index] if unit.name in done else unit_chunks[unit_index]).alias(unit.name)
                    for unit_index, unit in enumerate(self.units)
                ]
            )

        unit_chunks: list[list[pl.Series]] = [[] for _ in self.units]
        for (unit_index, _), rows in chunk_rows.items():
            unit_chunks[unit_index].append(rows)
        done: set[str] = set()
        rounds = [None] if scope is None else [scope.first, None]
        for round_units in rounds:
            kept = {} if scope is None else scope.rows(could())
            tasks = []
            for (unit_index, chunk), rows in chunk_rows.items():
                name = self.units[unit_index].name
                if name in done or (round_units is not None and name not in round_units):
                    continue
                keep = kept.get(name)
                if keep is not None and len(rows):
                    rows = rows.filter(keep.gather(rows))
                if len(rows):
                    tasks.append((unit_index, chunk, rows))
            for (unit_index, chunk, _), frame in zip(tasks, _pool().map(self._chunk_extractor(matches), tasks), strict=True):
                if frame.height:
                    matches.pieces[(unit_index, chunk)] = frame
                    unit_rows[unit_index].append(frame["row"])
            done |= {unit.name for unit in self.units if round_units is None or unit.name in round_units}
        return unit_rows

    def _chunk_extractor(self, matches: Matches) -> Callable[[tuple[int, int, pl.Series]], pl.DataFrame]:
        def run(task: tuple[int, int, pl.Series]) -> pl.DataFrame:
            unit_index, chunk, rows = task
            regex = self.units[unit_index].group.regexes[chunk]
            frame = self._extract_fast(matches, unit_index, rows, rows, regex)
            return frame.rename({"pos": "row"}).filter(pl.col("found").list.len() > 0).sort("row")

        return run

    def extract(self, matches: Matches, unit: str, rows: pl.Series) -> pl.DataFrame:
        """Every piece `str.extract_all` of each chunk of the unit's group finds, at `rows`.

        The text is the unit's: the batch's text with the unit's masks applied. One row per
        piece: `pos` (the index into `rows`) and `found`, by `pos`, then in chunk order, then in
        the order extract_all gives them. Equal to extracting every chunk everywhere: the pieces
        are those `match` found, where one of the chunk's cues could match (elsewhere it finds
        nothing), on the text with stand-ins first (see `_extract_fast`).
        """
        return self.extract_many(matches, [(unit, rows)])[0]

    def extract_many(self, matches: Matches, requests: Sequence[tuple[str, pl.Series]]) -> list[pl.DataFrame]:
        """`extract` for several (unit, rows) at once."""
        empty = pl.DataFrame(schema={"pos": pl.Int32, "found": pl.List(pl.String)})
        results = []
        for unit, rows in requests:
            unit_index = self._unit_index[unit]
            positions = pl.DataFrame({"row": rows.cast(pl.Int32), "pos": pl.int_range(len(rows), dtype=pl.Int32, eager=True)})
            frames = [
                known.join(positions, on="row").select("pos", "found")
                for chunk in range(len(self.units[unit_index].group.regexes))
                if (known := matches.pieces.get((unit_index, chunk))) is not None
            ]
            results.append(
                pl.concat([empty, *frames]).sort("pos", maintain_order=True).explode("found").drop_nulls("found")
            )
        return results

    def _extract_fast(
        self, matches: Matches, unit_index: int, rows: pl.Series, where: pl.Series, regex: str
    ) -> pl.DataFrame:
        """(pos, found): extract_all of `regex` from the unit's text at `rows` (pos: `where`).

        It runs on the text with stand-ins, with ASCII classes on plain rows (`ascii_expression`:
        the same matches there). The matches are at the same places as in the text itself; a
        matched piece without a stand-in character is the text's own, a piece with one is
        extracted again from the text itself (the original text with the unit's masks applied,
        made for those rows only). Only rows that got a stand-in can have such a piece (in the
        others the text with stand-ins is the text). The rows come back in no particular order.
        """
        unit = self.units[unit_index]
        column = matches.texts[unit.name]
        plain = matches.plain.gather(rows)
        parts = []
        if plain.any():
            some = rows if plain.all() else rows.filter(plain)
            found = column.gather(some).str.extract_all(ascii_expression(regex))
            mark = matches.replaced.gather(some)
            parts.append(pl.DataFrame({"pos": where if plain.all() else where.filter(plain), "row": some, "found": found, "mark": mark}))
        if not plain.all():
            # Rows with a non-ASCII letter some expression names ("ü" of "Türkiye"): for this
            # expression, the ones it does not name get stand-ins too, which often makes the
            # row plain for it (the regex engine's DFA gives up on the others).
            some = rows.filter(~plain)
            text = column.gather(some)
            for chars, stand_in in self._more_stand_ins(regex):
                text = text.str.replace_all(chars, stand_in)
            now_plain = ~text.str.contains(_CLASSED_NON_ASCII)
            found = _by_flag(now_plain, text, lambda t: t.str.extract_all(ascii_expression(regex)), lambda t: t.str.extract_all(regex))
            mark = pl.repeat(True, len(some), eager=True)
            parts.append(pl.DataFrame({"pos": where.filter(~plain), "row": some, "found": found, "mark": mark}))
        frame = pl.concat(parts) if len(parts) > 1 else parts[0]
        suspects = frame.filter("mark")
        frame = frame.drop("mark")
        if not suspects.height:
            return frame.drop("row")
        has_stand_in = suspects["found"].list.eval(pl.element().str.contains(self.stand_ins.pattern())).list.any()
        if not has_stand_in.any():
            return frame.drop("row")
        again = suspects.filter(has_stand_in)
        text = matches.original.gather(again["row"])
        for mask in unit.masks:
            text = text.str.replace_all(mask, MASK)
        redone = again.select("pos", found=text.str.extract_all(regex))
        keep = frame.join(again.select("row"), on="row", how="anti").drop("row")
        return pl.concat([keep, redone])

    def _more_stand_ins(self, regex: str) -> list[tuple[str, str]]:
        """(character class, stand-in): the kept letters and spaces `regex` cannot tell from the
        stand-ins of their class (it names neither them nor, case-insensitively, a character
        they match), as replace_all arguments."""
        if regex not in self._extra:
            classed = _engine_matches_in(_CLASSED_NON_ASCII, self.stand_ins.keep)
            named, icase = named_characters([regex])
            named_non_ascii = sorted(c for c in named if not c.isascii())
            related = set()
            if named_non_ascii:
                related |= set(_engine_matches_in(f"{'(?i)' if icase else ''}[{_class_of(named_non_ascii)}]", classed))
            if icase:
                related |= set(self.stand_ins.bypass)
            free = [c for c in classed if c not in related]
            words = [c for c in _engine_matches_in(r"[\w&&\D]", "".join(free))]
            spaces = [c for c in _engine_matches_in(r"\s", "".join(free))]
            extra = []
            if words and self.stand_ins.word is not None:
                extra.append((f"[{_class_of(words)}]", self.stand_ins.word.replace("$", "$$")))
            if spaces and self.stand_ins.space is not None:
                extra.append((f"[{_class_of(spaces)}]", self.stand_ins.space.replace("$", "$$")))
            self._extra[regex] = extra
        return self._extra[regex]


_CLASSED_NON_ASCII = r"[[^\x00-\x7f]&&[\w\d\s]]"


def _engine_matches_in(regex: str, chars: str) -> str:
    """The characters of `chars` that `regex` (one character long) matches, per polars."""
    if not chars:
        return ""
    return "".join(pl.Series([chars]).str.extract_all(regex).explode().drop_nulls().to_list())


def _by_flag(
    flag: pl.Series, values: pl.Series, if_true: Callable[[pl.Series], pl.Series], if_false: Callable[[pl.Series], pl.Series]
) -> pl.Series:
    """`if_true` of the values where `flag` holds and `if_false` of the others, in order."""
    if flag.all():
        return if_true(values)
    if not flag.any():
        return if_false(values)
    index = pl.int_range(len(flag), dtype=pl.Int32, eager=True)
    return pl.concat(
        [
            pl.DataFrame({"i": index.filter(flag), "v": if_true(values.filter(flag))}),
            pl.DataFrame({"i": index.filter(~flag), "v": if_false(values.filter(~flag))}),
        ]
    ).sort("i")["v"]


_ASCII_CLASSES = {"w": "word", "d": "digit", "s": "space"}


@lru_cache(maxsize=4096)
def ascii_expression(regex: str) -> str:
    """`regex` for texts made only of ASCII characters: the same matches, a smaller automaton.

    \\w, \\d, \\s (and their negations) become the ASCII classes [[:word:]], [[:digit:]],
    [[:space:]], and \\b, \\B ASCII word boundaries: on ASCII text each is exactly what
    its Unicode form matches. Everything else is left as written.
    """
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            code = regex[i + 1]
            name = _ASCII_CLASSES.get(code.lower())
            if name is not None:
                negate = "^" if code.isupper() else ""
                out.append(f"[:{negate}{name}:]" if depth else f"[[:{negate}{name}:]]")
            elif code in "bB" and not depth:
                out.append(f"(?-u:\\{code})")
            else:
                out.append(regex[i : i + 2])
            i += 2
            continue
        if ch == "[":
            depth += 1
            out.append(ch)
            i += 1
            # a "]" right after "[" or "[^" is a member, not the end of the class
            if i < len(regex) and regex[i] == "^":
                out.append("^")
                i += 1
            if i < len(regex) and regex[i] == "]":
                out.append("]")
                i += 1
            continue
        if ch == "]" and depth:
            depth -= 1
        out.append(ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    """Threads for running many small polars operations side by side (each releases the GIL)."""
    return ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="cues")


_WORKERS = max(2, os.cpu_count() or 2)


def _gather(column: pl.Series, rows: pl.Series, n: int) -> pl.Series:
    return column if len(rows) == n else column.gather(rows)


def _mark(n: int, rows: Sequence[pl.Series]) -> pl.Series:
    flag = pl.repeat(False, n, eager=True)
    for part in rows:
        if len(part):
            flag = flag.scatter(part, True)
    return flag
