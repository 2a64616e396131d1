"""Columnar cue matching shared by the topic and skepticism scorers.

A scorer is a set of cue groups, each a compiled regular expression with a weight. Over a whole
column at once, polars extracts every group's matches (`str.extract_all`), and a row's score is
the noisy-OR of the weights of the groups that matched: 1 - prod(1 - weight). A group counts once
however many of its cues match, so repeating one word does not raise a score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

import polars as pl

from analysis.score.patterns import MASK
from analysis.text import fold_punctuation_expr

TEXT = "_text"


@dataclass(frozen=True)
class CueGroup:
    """Cues that count as one piece of evidence.

    `mask`, when set, is removed from the text before this group is matched: the negated forms
    of the group's cues ("I don't doubt") so that they do not count.
    """

    name: str
    weight: float
    regex: str
    mask: str | None = None


def prepared_text(text: str = "text") -> pl.Expr:
    """The text the cue expressions run on: typographic apostrophes and quotes made ASCII."""
    return fold_punctuation_expr(pl.col(text).fill_null("")).alias(TEXT)


def masked(expr: pl.Expr, regex: str | None) -> pl.Expr:
    """`expr` with every match of `regex` replaced by the mask (no phrase can run across it)."""
    return expr if regex is None else expr.str.replace_all(regex, MASK)


def group_matches(text: pl.Expr, groups: Sequence[CueGroup], prefix: str) -> list[pl.Expr]:
    """One list column per group, named prefix + group name: the group's matches in the text."""
    return [
        masked(text, group.mask).str.extract_all(group.regex).alias(prefix + group.name)
        for group in groups
    ]


def hit(prefix: str, group: CueGroup) -> pl.Expr:
    """True where the group matched at least once."""
    return pl.col(prefix + group.name).list.len() > 0


def noisy_or(groups: Sequence[CueGroup], prefix: str) -> pl.Expr:
    """1 - prod(1 - weight) over the groups that matched, rounded to 4 places."""
    misses = [
        pl.when(hit(prefix, group)).then(pl.lit(1.0 - group.weight)).otherwise(pl.lit(1.0))
        for group in groups
    ]
    product = reduce(lambda left, right: left * right, misses, pl.lit(1.0))
    return (pl.lit(1.0) - product).round(4)


def _clean(element: pl.Expr) -> pl.Expr:
    return element.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars(" ,;:-\"'")


def evidence(groups: Sequence[CueGroup], prefix: str, *, label_groups: bool = False) -> pl.Expr:
    """The distinct matched texts of all groups, lower-cased, in group order.

    With `label_groups`, each is written "group: text" so the reader sees which cue fired.
    """
    lists = []
    for group in groups:
        column = pl.col(prefix + group.name)
        if label_groups:
            lists.append(column.list.eval(pl.lit(group.name + ": ") + _clean(pl.element())))
        else:
            lists.append(column.list.eval(_clean(pl.element())))
    return pl.concat_list(lists).list.unique(maintain_order=True)
