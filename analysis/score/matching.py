"""Columnar cue matching shared by the topic and skepticism scorers.

A scorer is a set of cue groups, each a compiled regular expression with a weight. Over a whole
column at once, polars tests every group (`str.contains`), and a row's score is the noisy-OR of
the weights of the groups that matched: 1 - prod(1 - weight). A group counts once however many
of its cues match, so repeating one word does not raise a score. The matched texts (evidence)
are extracted (`str.extract_all`) only for the rows that need them: matching is cheap, extracting
every match of every group in every row is not.
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
    of the group's cues ("I don't doubt") and look-alikes, so that they do not count.
    """

    name: str
    weight: float
    regexes: tuple[str, ...]  # together they match any of the group's cues
    mask: str | None = None


def prepared_text(text: str = "text") -> pl.Expr:
    """The text the cue expressions run on: typographic apostrophes and quotes made ASCII."""
    return fold_punctuation_expr(pl.col(text).fill_null("")).alias(TEXT)


def masked(expr: pl.Expr, regex: str | None) -> pl.Expr:
    """`expr` with every match of `regex` replaced by the mask (no phrase can run across it)."""
    return expr if regex is None else expr.str.replace_all(regex, MASK)


def _text_column(prefix: str, group: CueGroup) -> str:
    return f"{prefix}{group.name}.text" if group.mask else TEXT


def flag_groups(frame: pl.LazyFrame, groups: Sequence[CueGroup], prefix: str) -> pl.LazyFrame:
    """Add one boolean column per group (prefix + name): did the group match the text?

    The text is the TEXT column; a group with a mask gets its own masked copy first.
    """
    frame = frame.with_columns(
        masked(pl.col(TEXT), g.mask).alias(_text_column(prefix, g)) for g in groups if g.mask
    )
    return frame.with_columns(
        pl.any_horizontal(pl.col(_text_column(prefix, g)).str.contains(rx) for rx in g.regexes).alias(
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
    """The distinct matched texts of all groups, lower-cased, in group order.

    With `label_groups`, each is written "group: text" so the reader sees which cue fired.
    Meant for the rows that matched: it extracts every match of every group.
    """
    lists = []
    for group in groups:
        for regex in group.regexes:
            found = pl.col(_text_column(prefix, group)).str.extract_all(regex)
            if label_groups:
                lists.append(found.list.eval(pl.lit(group.name + ": ") + _clean(pl.element())))
            else:
                lists.append(found.list.eval(_clean(pl.element())))
    return pl.concat_list(lists).list.unique(maintain_order=True)
