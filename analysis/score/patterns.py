"""A small pattern language for topic terms and skepticism cues, compiled to regular expressions.

The compiled expressions use only syntax that both polars (the Rust `regex` crate) and Python's
`re` accept, so the same pattern runs over a whole column in polars and over one string in
Python. Syntax (documented for editors in docs/scoring.md):

    word          the word, case-insensitively, on word boundaries
    verif*        a word family: the stem and any continuation (verify, verified, verification)
    can't         an apostrophe is optional (can't, cant)
    cease-fire    a hyphen matches a hyphen, a space or nothing (cease-fire, cease fire, ceasefire)
    UN, MoD       a word with two or more capitals keeps its exact case (acronyms: not "un")
    a b           words in sequence, separated by spaces or punctuation other than . ! ?
    a ~3 b        up to 3 other words between a and b
    (a|b c)       alternatives, each itself a pattern
    {name}        any pattern of the vocabulary list `name`
    re:...        a raw regular expression (Rust syntax: no look-around, no back-references)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import polars as pl

from analysis import cache

# Between two words of a phrase: white space and clause-internal punctuation, never a sentence
# end (. ! ?). U+00A6 (broken bar) replaces masked look-alikes: no phrase runs across it.
# The classes are spelled out (not [^\w...]): Unicode \w and \b in every separator would make
# the compiled expressions exceed the Rust engine's size limit.
MASK = " \u00a6 "
SEP = r"[\s,;:\"'()\[\]\-\u2013\u2014/*&+@#]+"
GAP_WORD = r"[^\s,;:\"()\[\]/.!?\u00a6]+"
RAW_PREFIX = "re:"
_META = set(r".^$*+?()[]{}|\\")
_GLOBAL_FLAGS = re.compile(r"^\(\?([a-zA-Z]+)\)")
_LEXEME = re.compile(r"\s*(\(|\)|\||\{[a-z_][a-z0-9_]*\}|~\d+|[^\s(){}|]+)")


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message names the pattern."""


@dataclass(frozen=True)
class _Word:
    text: str


@dataclass(frozen=True)
class _Gap:
    size: int


@dataclass(frozen=True)
class _Ref:
    name: str


@dataclass(frozen=True)
class _Group:
    alternatives: tuple[tuple[_Node, ...], ...]


_Node = _Word | _Gap | _Ref | _Group


def _lex(pattern: str) -> list[str]:
    lexemes: list[str] = []
    pos = 0
    stripped = pattern.rstrip()
    while pos < len(stripped):
        match = _LEXEME.match(stripped, pos)
        if not match:
            raise PatternError(f"cannot read {pattern!r} at position {pos}")
        lexemes.append(match.group(1))
        pos = match.end()
    return lexemes


class _Parser:
    """Recursive descent over the lexemes: sequence := item*, item := word | gap | ref | group."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.lexemes = _lex(pattern)
        self.pos = 0

    def parse(self) -> tuple[_Node, ...]:
        """The pattern as a sequence of nodes; every lexeme must be used."""
        sequence = self._sequence()
        if self.pos != len(self.lexemes):
            raise PatternError(f"unbalanced ')' or '|' in {self.pattern!r}")
        return sequence

    def _sequence(self) -> tuple[_Node, ...]:
        nodes: list[_Node] = []
        while self.pos < len(self.lexemes) and self.lexemes[self.pos] not in (")", "|"):
            nodes.append(self._item())
        if not nodes:
            raise PatternError(f"empty pattern or alternative in {self.pattern!r}")
        if isinstance(nodes[0], _Gap) or isinstance(nodes[-1], _Gap):
            raise PatternError(f"a gap (~N) must stand between two words in {self.pattern!r}")
        return tuple(nodes)

    def _item(self) -> _Node:
        lexeme = self.lexemes[self.pos]
        self.pos += 1
        if lexeme == "(":
            alternatives = [self._sequence()]
            while self.pos < len(self.lexemes) and self.lexemes[self.pos] == "|":
                self.pos += 1
                alternatives.append(self._sequence())
            if self.pos >= len(self.lexemes) or self.lexemes[self.pos] != ")":
                raise PatternError(f"missing ')' in {self.pattern!r}")
            self.pos += 1
            return _Group(tuple(alternatives))
        if lexeme.startswith("{"):
            return _Ref(lexeme[1:-1])
        if lexeme.startswith("~") and lexeme[1:].isdigit():
            return _Gap(int(lexeme[1:]))
        return _Word(lexeme)


def _word_regex(word: str, left: bool, right: bool) -> str:
    """A word; `left`/`right`: it stands at the pattern's edge and needs a word boundary there.

    Inside a phrase the separator already guarantees the boundary.
    """
    family = word.endswith("*")
    if family:
        word = word[:-1]
    if not word or "*" in word:
        raise PatternError(f"'*' may only end a word: {word + '*' if family else word!r}")
    if word.startswith("-") or word.endswith("-"):
        raise PatternError(f"a hyphen joins two words ('cease-fire'); a space already matches one: {word!r}")
    body = []
    for ch in word:
        if ch == "'":
            body.append("'?")
        elif ch == "-":
            body.append(r"[\s\-]?")
        elif ch in _META:
            body.append("\\" + ch)
        else:
            body.append(ch)
    regex = "".join(body)
    if sum(ch.isupper() for ch in word) < 2:
        regex = f"(?i:{regex})"
    start = r"\b" if left and (word[0].isalnum() or word[0] == "_") else ""
    if family:
        return start + regex + r"\w*"  # \w* stops at a word boundary by itself
    end = r"\b" if right and (word[-1].isalnum() or word[-1] == "_") else ""
    return start + regex + end


class _Compiler:
    def __init__(self, vocab: Mapping[str, Sequence[str]]) -> None:
        self.vocab = vocab
        self.stack: list[str] = []

    def pattern(self, pattern: str) -> str:
        """The regular expression of a whole pattern (raw ones pass through)."""
        if pattern.startswith(RAW_PREFIX):
            raw = pattern[len(RAW_PREFIX) :]
            if not raw:
                raise PatternError("empty raw pattern 're:'")
            # A leading global flag, "(?i)...", becomes a scoped one, "(?i:...)", so the
            # expression can be combined with others (Python rejects a global flag mid-way).
            flags = _GLOBAL_FLAGS.match(raw)
            return f"(?{flags.group(1)}:{raw[flags.end():]})" if flags else raw
        return self.sequence(_Parser(pattern).parse(), True, True)

    def sequence(self, nodes: Sequence[_Node], left: bool, right: bool) -> str:
        """Nodes joined by separators; `left`/`right`: the sequence is at the pattern's edge."""
        parts: list[str] = []
        last = len(nodes) - 1
        for index, node in enumerate(nodes):
            if isinstance(node, _Gap):
                parts.append(f"(?:{SEP}{GAP_WORD}){{0,{node.size}}}?")
                continue
            if index:
                parts.append(SEP)
            parts.append(self.node(node, left and index == 0, right and index == last))
        return "".join(parts)

    def node(self, node: _Node, left: bool, right: bool) -> str:
        """One word, group or vocabulary reference."""
        if isinstance(node, _Word):
            return _word_regex(node.text, left, right)
        if isinstance(node, _Group):
            return "(?:" + "|".join(self.sequence(alt, left, right) for alt in node.alternatives) + ")"
        if isinstance(node, _Ref):
            return self.reference(node.name, left, right)
        raise PatternError(f"unexpected {node!r}")  # pragma: no cover - gaps handled by sequence

    def reference(self, name: str, left: bool, right: bool) -> str:
        """A {name} reference: any pattern of that vocabulary list (no self-reference)."""
        if name not in self.vocab:
            raise PatternError(f"unknown vocabulary list {{{name}}}")
        if name in self.stack:
            raise PatternError(f"vocabulary list {{{name}}} refers to itself")
        self.stack.append(name)
        try:
            return "(?:" + "|".join(self._vocab_pattern(p, left, right) for p in self.vocab[name]) + ")"
        finally:
            self.stack.pop()


    def _vocab_pattern(self, pattern: str, left: bool, right: bool) -> str:
        if pattern.startswith(RAW_PREFIX):
            return self.pattern(pattern)
        return self.sequence(_Parser(pattern).parse(), left, right)


def compile_pattern(pattern: str, vocab: Mapping[str, Sequence[str]] | None = None) -> str:
    """The regular expression for one pattern of the language above."""
    return _Compiler(vocab or {}).pattern(pattern)


def compile_any(patterns: Sequence[str], vocab: Mapping[str, Sequence[str]] | None = None) -> str:
    """One regular expression matching any of `patterns`; an invalid one is named in the error.

    It is `compile_group` with no size limit: one chunk, the alternation of every expression.
    """
    return compile_group(patterns, vocab, budget=sys.maxsize).chunks[0]


def _joined(expressions: Sequence[str]) -> str:
    return "|".join(f"(?:{regex})" for regex in expressions)


def _cached_expressions(stored: object, patterns: Sequence[str]) -> list[str]:
    """Expressions read back from the cache: one non-empty string per pattern, or ValueError."""
    if not isinstance(stored, list) or len(stored) != len(patterns) or not all(isinstance(e, str) and e for e in stored):
        raise ValueError("a patterns cache entry of another shape")
    return stored


def _cache_key(patterns: Sequence[str], vocab: Mapping[str, Sequence[str]] | None, budget: int) -> str | None:
    """The cache key of patterns compiled (and checked by both engines, which is the slow part):
    only expressions that compiled are kept, so an invalid pattern is reported every time."""
    lists = {name: list(words) for name, words in sorted((vocab or {}).items())}
    return cache.entry_key("patterns", [list(patterns), lists, budget])


# Packing many patterns into one alternation makes the engine's lazy DFA thrash (one 19,000-char
# group ran 10x slower than its patterns one by one); expressions of a few thousand characters
# keep it fast with few passes over the column.
CHUNK_BUDGET = 4000


def compile_chunks(
    patterns: Sequence[str],
    vocab: Mapping[str, Sequence[str]] | None = None,
    budget: int = CHUNK_BUDGET,
) -> tuple[str, ...]:
    """Expressions that together match what any of `patterns` matches, each at most ~`budget` long."""
    return compile_group(patterns, vocab, budget).chunks


@dataclass(frozen=True)
class CompiledGroup:
    """A list of patterns compiled: one expression per pattern, and the chunks that join them."""

    chunks: tuple[str, ...]  # alternations of consecutive pattern expressions
    expressions: tuple[str, ...]  # one per pattern, in order
    chunk_of: tuple[int, ...]  # the chunk each pattern's expression is part of

    @classmethod
    def from_entry(cls, entry: dict[str, Any], patterns: Sequence[str]) -> CompiledGroup:
        """The group a cache entry keeps (its expressions and their chunks): the chunks are
        joined again from them, so they cannot disagree; ValueError if the entry does not fit."""
        expressions = _cached_expressions(entry["expressions"], patterns)
        chunk_of = entry["chunk_of"]
        if (
            not isinstance(chunk_of, list)
            or len(chunk_of) != len(expressions)
            or not all(isinstance(c, int) for c in chunk_of)
            or chunk_of[0] != 0
            or any(b - a not in (0, 1) for a, b in zip(chunk_of, chunk_of[1:], strict=False))
        ):
            raise ValueError("a patterns cache entry of another shape")
        chunks = [_joined([e for e, c in zip(expressions, chunk_of, strict=True) if c == k]) for k in range(chunk_of[-1] + 1)]
        return cls(tuple(chunks), tuple(expressions), tuple(chunk_of))


def compile_group(
    patterns: Sequence[str],
    vocab: Mapping[str, Sequence[str]] | None = None,
    budget: int = CHUNK_BUDGET,
) -> CompiledGroup:
    """`patterns` compiled one by one and packed into chunks of at most ~`budget` characters."""
    if not patterns:
        raise PatternError("an empty list of patterns")
    key = _cache_key(patterns, vocab, budget)
    entry = cache.load("patterns", key)
    if entry is not None:
        with suppress(KeyError, TypeError, ValueError):
            return CompiledGroup.from_entry(entry, patterns)
    group = _packed(patterns, vocab, budget)
    cache.store("patterns", key, {"expressions": list(group.expressions), "chunk_of": list(group.chunk_of)})
    return group


def _packed(patterns: Sequence[str], vocab: Mapping[str, Sequence[str]] | None, budget: int) -> CompiledGroup:
    """`compile_group` itself: compile, pack and check."""
    chunks: list[list[str]] = []
    chunk_patterns: list[list[str]] = []
    expressions: list[str] = []
    chunk_of: list[int] = []
    size = 0
    for pattern in patterns:
        regex = compile_pattern(pattern, vocab)
        if not chunks or size + len(regex) > budget:
            chunks.append([])
            chunk_patterns.append([])
            size = 0
        chunks[-1].append(regex)
        chunk_patterns[-1].append(pattern)
        expressions.append(regex)
        chunk_of.append(len(chunks) - 1)
        size += len(regex)
    combined = []
    for regexes, sources in zip(chunks, chunk_patterns, strict=True):
        combined.append(_checked(_joined(regexes), regexes, sources))
    return CompiledGroup(tuple(combined), tuple(expressions), tuple(chunk_of))


def _checked(combined: str, regexes: Sequence[str], patterns: Sequence[str]) -> str:
    try:
        check_regex(combined, " | ".join(patterns))
    except PatternError:
        for regex, pattern in zip(regexes, patterns, strict=True):
            check_regex(regex, pattern)  # names the culprit
        raise
    return combined


def check_regex(regex: str, pattern: str) -> None:
    """Raise PatternError unless both polars and Python accept `regex`."""
    try:
        re.compile(regex)
        pl.Series([""], dtype=pl.String).str.contains(regex)
    except (re.error, pl.exceptions.PolarsError) as exc:
        raise PatternError(f"pattern {pattern!r} is not a valid expression: {exc}") from exc
