"""What a regular expression needs to find in a text before it can match: literal requirements.

`requirements(regex)` reads the expression's syntax tree (Python's own parser, `re._parser`; every
expression of the project is checked by both Python and polars, and uses only syntax the two
read alike) and returns a list of requirements, all of which hold for any text the expression
matches. A requirement is a set of literals, at least one of which occurs in the text:

* a literal is a run of ASCII letters and digits (and "." or '"', see LITERAL_PUNCTUATION) the
  expression must match in sequence (`verif` in `\\bverif\\w*`, `nothing` in `... nothing\\b`,
  `U.N.` in `\\bU\\.N\\.`), lower-cased when it is matched case-insensitively;
* `left`/`right` say that a word boundary is certain before/after it (a `\\b`, or a neighbour
  that can only be a non-word character such as the phrase separator), so a literal glued to an
  ASCII letter, digit or "_" on that side does not count;
* optional parts, character classes, `.` and the like require nothing; an alternation requires
  one of its alternatives (the union of one requirement of each); a repetition of at least one
  requires what its body requires.

The requirements only ever over-approximate: a text without them cannot match. (Under Unicode
case folding a case-insensitive ASCII letter also matches a few non-ASCII characters, such as
KELVIN SIGN for k: the caller does not apply the requirements to texts with such characters.)

`named_characters(regexes)` lists the characters the expressions name (literals, class members,
ranges): the others can only be matched through classes such as \\w, \\s, \\d or a negated class.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

IGNORECASE = re.IGNORECASE


@dataclass(frozen=True, order=True)
class Literal:
    """A run of ASCII letters and digits every match contains."""

    text: str
    ci: bool  # matched case-insensitively (text is lower case)
    left: bool = False  # a word boundary is certain before it
    right: bool = False  # ... and after it


Requirement = frozenset[Literal]

# Punctuation a literal may hold besides ASCII letters and digits (`_prefilter.c` has a symbol
# for each): "U.N." in \bU\.N\., the quotation marks of a quoted phrase.
LITERAL_PUNCTUATION = '."'


def _word_char(ch: str) -> bool:
    """Could `ch` be a word character (\\w) for Python or Rust? (True when unsure.)"""
    if ch.isascii():
        return ch.isalnum() or ch == "_"
    category = unicodedata.category(ch)
    return not (category.startswith(("P", "Z")) and category != "Pc")


def _class_is_nonword(items: Sequence[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op is _c.LITERAL:
            if _word_char(chr(av)):
                return False
        elif op is _c.CATEGORY:
            if av is not _c.CATEGORY_SPACE:
                return False
        else:  # NEGATE, RANGE, other categories
            return False
    return True


def _edge_nonword(items: Sequence[tuple[Any, Any]], then: bool, *, at_end: bool) -> bool:
    """Does every match of `items` start (`at_end`: end) with a non-word character (or a \\b)?

    `then`: the answer when `items` can match nothing, so that what follows decides.
    """
    if not items:
        return then
    op, av = items[-1] if at_end else items[0]
    rest = list(items[:-1] if at_end else items[1:])

    def around(body: Sequence[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
        """`body` in place of the edge item, the rest of `items` on its inner side."""
        return [*rest, *body] if at_end else [*body, *rest]

    if op is _c.AT:
        return av is _c.AT_BOUNDARY or _edge_nonword(rest, then, at_end=at_end)
    if op is _c.LITERAL:
        return not _word_char(chr(av))
    if op is _c.IN:
        return _class_is_nonword(av)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, _, body = av
        edge = _edge_nonword(list(body), False, at_end=at_end)
        return edge if low >= 1 else edge and _edge_nonword(rest, then, at_end=at_end)
    if op is _c.SUBPATTERN:
        return _edge_nonword(around(av[3]), then, at_end=at_end)
    if op is _c.BRANCH:
        return all(_edge_nonword(around(branch), then, at_end=at_end) for branch in av[1])
    return False


def _starts_nonword(items: Sequence[tuple[Any, Any]], then: bool) -> bool:
    """Does every match of `items` start with a non-word character (or a \\b)?"""
    return _edge_nonword(items, then, at_end=False)


def _ends_nonword(items: Sequence[tuple[Any, Any]], then: bool) -> bool:
    """Does every match of `items` end with a non-word character (or a \\b)?"""
    return _edge_nonword(items, then, at_end=True)


# Words so frequent in English that requiring one of them filters out almost nothing.
COMMON_WORDS = frozenset(
    {
        "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
        "but", "by", "can", "could", "did", "do", "does", "for", "from", "get", "go", "had", "has",
        "have", "he", "her", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just",
        "like", "more", "my", "no", "not", "now", "of", "on", "one", "only", "or", "other", "our",
        "out", "over", "said", "say", "says", "she", "so", "some", "than", "that", "the", "their",
        "them", "then", "there", "these", "they", "this", "those", "to", "too", "up", "us", "was",
        "we", "were", "what", "when", "where", "which", "who", "will", "with", "would", "you", "your",
    }
)


def strength(requirement: Requirement) -> tuple[int, int, int]:
    """How selective a requirement is likely to be: rarer, longer, bounded literals first."""

    def score(lit: Literal) -> int:
        common = lit.text.lower() in COMMON_WORDS
        return min(len(lit.text), 6) + int(lit.left) + int(lit.right) - (6 if common else 0)

    return (min(score(lit) for lit in requirement), -len(requirement), 0)


def _sequence(items: Sequence[tuple[Any, Any]], icase: bool, left: bool, right: bool) -> list[Requirement]:
    items = list(items)
    found: list[Requirement] = []
    run: list[str] = []  # within one sequence the case flag does not change
    run_start = 0
    unbounded_left = False  # the run starts inside a repetition: no boundary before it

    def flush(end: int, *, unbounded_right: bool = False) -> None:
        nonlocal unbounded_left
        if run:
            text = "".join(run)
            # a boundary is only certain next to a word character: a literal that starts or
            # ends with punctuation gets no boundary on that side
            found.append(
                frozenset(
                    {
                        Literal(
                            text.lower() if icase else text,
                            icase,
                            not unbounded_left and text[0].isalnum() and _ends_nonword(items[:run_start], left),
                            not unbounded_right and text[-1].isalnum() and _starts_nonword(items[end:], right),
                        )
                    }
                )
            )
            run.clear()
        unbounded_left = False

    for i, (op, av) in enumerate(items):
        if op is _c.LITERAL:
            ch = chr(av)
            if ch.isascii() and (ch.isalnum() or ch in LITERAL_PUNCTUATION):
                if not run:
                    run_start = i
                run.append(ch)
                continue
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1 and _literal_char(av[2]):
            # "i{2,}" of "ri{2,}ght": its first copies go on with the run ("rii"); when more
            # may follow, the run ends there and the next one starts with as many ("iight")
            low, high, body = av
            if not run:
                run_start = i
            run.extend(chr(body[0][1]) * low)
            if high != low:
                flush(i, unbounded_right=True)
                run.extend(chr(body[0][1]) * low)
                run_start = i
                unbounded_left = True
            continue
        flush(i)
        before = _ends_nonword(items[:i], left)
        after = _starts_nonword(items[i + 1 :], right)
        if op is _c.SUBPATTERN:
            _, add, remove, body = av
            ci = (icase or bool(add & IGNORECASE)) and not remove & IGNORECASE
            found.extend(_sequence(body, ci, before, after))
        elif op is _c.BRANCH:
            alternatives = [_sequence(branch, icase, before, after) for branch in av[1]]
            if alternatives and all(alternatives):
                # one requirement of each alternative: a lone letter ("t" of "can'?t") only
                # where the alternative has nothing longer, as it would void the whole union
                found.append(frozenset().union(*(max(_strong(alt), key=strength) for alt in alternatives)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, _, body = av
            if low >= 1:
                found.extend(_sequence(body, icase, False, False))
    flush(len(items))
    return found


def _literal_char(body: Any) -> bool:
    """Is `body` (of a repetition) one character a literal can hold?"""
    items = list(body)
    if len(items) != 1 or items[0][0] is not _c.LITERAL:
        return False
    ch = chr(items[0][1])
    return ch.isascii() and (ch.isalnum() or ch in LITERAL_PUNCTUATION)


def _strong(found: list[Requirement]) -> list[Requirement]:
    unique = list(dict.fromkeys(found))
    # a lone letter or digit is everywhere; a quotation mark is not, so it is kept
    strong = [r for r in unique if min(len(lit.text) for lit in r) > 1 or all(lit.text == '"' for lit in r)]
    if not any(min(len(lit.text) for lit in r) > 1 for r in strong):
        return unique
    return strong


def requirements(regex: str) -> list[Requirement]:
    """Literal requirements of `regex` that all hold whenever it matches ([] if none is known).

    Requirements made of one-character literals are left out when there are others.
    """
    tree = _parser.parse(regex)
    return _strong(_sequence(tree.data, bool(tree.state.flags & IGNORECASE), False, False))


def requirement_options(regex: str) -> list[list[Requirement]]:
    """Requirements of `regex` as alternatives: it can only match where all the requirements of
    at least one option hold. An expression that is an alternation (a vocabulary list, a group of
    cues) gets one option per alternative, which is more selective than `requirements`, where an
    alternation needs one requirement made of one literal set per alternative. An option with no
    requirement means the expression can match anywhere: then the result is [[]].
    """
    tree = _parser.parse(regex)
    options = _options(tree.data, bool(tree.state.flags & IGNORECASE), 0)
    return [[]] if any(not option for option in options) else options


def _unwrapped(items: Any, icase: bool) -> tuple[list[Any], bool]:
    """`items` without the groups that are all of it (their case flag applied)."""
    while len(items) == 1 and items[0][0] is _c.SUBPATTERN:
        _, add, remove, body = items[0][1]
        icase = (icase or bool(add & IGNORECASE)) and not remove & IGNORECASE
        items = body
    return list(items), icase


def _options(items: Any, icase: bool, depth: int) -> list[list[Requirement]]:
    items, icase = _unwrapped(items, icase)
    branches = [i for i, (op, _) in enumerate(items) if op is _c.BRANCH]
    if not branches:
        return [_strong(_sequence(items, icase, False, False))]
    # the sequence matches where one of its versions with an alternative in place does
    at = max(branches, key=lambda i: len(items[i][1][1]))
    options = []
    for branch in items[at][1][1]:
        version = [*items[:at], *branch, *items[at + 1 :]]
        inner, inner_icase = _unwrapped(version, icase)
        ops = [op for op, _ in inner]
        if depth < 4 and ops.count(_c.BRANCH) == 1 and all(op in (_c.BRANCH, _c.AT) for op in ops):
            # a version that is itself an alternation ("\b(?:P5|P[\s-]?5)" among the UN's
            # names), but for assertions, matches where one of its alternatives does (with the
            # assertions in place): one option each
            options.extend(_options(inner, inner_icase, depth + 1))
        else:
            options.append(_strong(_sequence(version, icase, False, False)))
    return options


def named_characters(regexes: Iterable[str]) -> tuple[set[str], bool]:
    """Every character the expressions name (literals, class members and ranges), and whether
    any part of them matches case-insensitively."""
    named: set[int] = set()
    icase = False

    def walk(items: Sequence[tuple[Any, Any]]) -> None:
        nonlocal icase
        for op, av in items:
            if op in (_c.LITERAL, _c.NOT_LITERAL):
                named.add(av)
            elif op is _c.IN:
                for o, a in av:
                    if o is _c.LITERAL:
                        named.add(a)
                    elif o is _c.RANGE:
                        named.update(range(a[0], a[1] + 1))
            elif op is _c.SUBPATTERN:
                icase = icase or bool(av[1] & IGNORECASE)
                walk(av[3])
            elif op is _c.BRANCH:
                for branch in av[1]:
                    walk(branch)
            elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
                walk(av[2])

    for regex in regexes:
        tree = _parser.parse(regex)
        icase = icase or bool(tree.state.flags & IGNORECASE)
        walk(tree.data)
    return {chr(c) for c in named}, icase
