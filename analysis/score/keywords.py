"""Keyword matching: which of the taxonomy's keywords each comment contains, a column at a time.

The text and the keywords are reduced to words separated by single spaces (`normalised_text`):
a possessive 's dropped (Russia's = Russia), other apostrophes dropped (can't = cant), every run of characters that
are not letters or digits one space, and `?` and `!` words of their own. The text, padded with a
space on both sides, is then searched with polars' Aho-Corasick (`str.extract_many`) for every
keyword as a padded literal (" security council ", or " verif" for `verif*`): once lower-cased
for the ordinary keywords, once as written for the exact-case ones (UN, U.N., TB2). A topic's
`exclude` phrases are masked (`str.replace_many`) before its keywords are looked for, so topics
with the same exclude list share one pass and topics without one share the plain pass.

`keyword_matches` is the one entry point: the keyword layer's hits are the models' features, the
evidence shown to analysts, and the decision for a topic without a model.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import pyarrow as pa

from .taxonomy import SKEPTICISM, Keyword, Taxonomy, Topic

# Typographic apostrophes (as in readerpulse.text.tokens) and the ASCII one: dropped.
APOSTROPHES = "['\u2018\u2019\u201b\u02bc\u0060\u00b4]"
# A letter, an apostrophe and s or S at the end of a word: the end is spelled as a following
# non-word character (kept) or the end of the text, not as \b, which makes the regex engine
# leave its fast DFA for a backtracking search on any non-ASCII text (4x slower).
POSSESSIVE = r"(\p{L})['\u2018\u2019\u201b\u02bc\u0060\u00b4][sS](\W|$)"
# What is left of a masked exclude phrase: no keyword literal contains it, and it glues to the
# rest of a word cut by a masked word family ("un-believ*" in "UN-believable" leaves "\x1fable").
MASK = "\x1f"
_KEPT = "_kept"


def normalised_text(expr: pl.Expr) -> pl.Expr:
    """The text reduced to words separated by single spaces, case kept (lower-case it to match
    the ordinary keywords). The models' featuriser reuses it: the same words as the keywords."""
    return (
        expr.fill_null("")
        # a possessive 's goes with its apostrophe: "Russia's" is "Russia", "Macron’s" "Macron"
        .str.replace_all(POSSESSIVE, "${1}${2}")
        .str.replace_all(APOSTROPHES, "")
        .str.replace_all(r"[?!]", " ${0} ")
        # (a single space is left alone: most separators, and replacing them costs a third)
        .str.replace_all(r"[^\p{L}\p{N}\p{M}?!]{2,}|[^\p{L}\p{N}\p{M}?! ]", " ")
        .str.strip_chars(" ")
    )


def padded_text(expr: pl.Expr) -> pl.Expr:
    """`normalised_text` with a space on both sides: what the keyword literals are found in."""
    return pl.concat_str(pl.lit(" "), normalised_text(expr), pl.lit(" "))


def _masked(kept: pl.Expr, exclude: Sequence[Keyword]) -> pl.Expr:
    """The padded case-kept text with the exclude phrases replaced by MASK (in exact case for
    exact-case phrases, ignoring case for the others). Each phrase keeps the spaces around it,
    so the phrases after it still match; two passes catch one repeated right after itself (the
    first pass has consumed the space between them)."""
    text = kept
    exact = sorted({k.literal for k in exclude if k.exact}, key=len, reverse=True)
    loose: set[str] = set()
    for keyword in exclude:
        if not keyword.exact:
            # ASCII letters are matched in any case; other letters as lower, upper or title case
            loose |= {keyword.literal, keyword.literal.upper(), keyword.literal.title()}
    ordered = sorted(loose, key=len, reverse=True)
    for literals, ignore_case in ((exact, False), (ordered, True)):
        if not literals:
            continue
        replacement = {lit: " " + MASK + (" " if lit.endswith(" ") else "") for lit in literals}
        for _ in range(2):
            text = text.str.replace_many(replacement, ascii_case_insensitive=ignore_case, leftmost=True)
    return text


def _found(kept: pl.Expr, lower: Sequence[str], exact: Sequence[str]) -> pl.Expr:
    """The `lower` literals found in the lower-cased text and the `exact` ones in the case-kept
    text (`kept`, padded), with repeats. Exact literals have capitals and lower ones none: one
    list holds both without mixing them up."""
    parts = []
    if lower:
        parts.append(kept.str.to_lowercase().str.extract_many(sorted(set(lower)), overlapping=True))
    if exact:
        parts.append(kept.str.extract_many(sorted(set(exact)), overlapping=True))
    if not parts:
        return pl.lit([], dtype=pl.List(pl.String))
    return parts[0] if len(parts) == 1 else pl.concat_list(parts)


def _literals(keywords: Sequence[Keyword]) -> tuple[list[str], list[str]]:
    return [k.literal for k in keywords if not k.exact], [k.literal for k in keywords if k.exact]


# A hit is coded as one integer, row * ROW + label * LABEL + keyword (the label's place in the
# taxonomy, the keyword's place in its list): distinct hits in order are then one unique and one
# sort over integers.
_LABEL = 1 << 10
_ROW = _LABEL * _LABEL


def _hits(found: pl.DataFrame, table: pl.DataFrame) -> pl.Series:
    """The coded hits of the keywords of `table` (literal, code) among the found literals."""
    return (
        found.explode("found", keep_nulls=False)
        .join(table, left_on="found", right_on="literal")
        .select(pl.col("row") * _ROW + pl.col("code"))
        .to_series()
    )


def keyword_matches(texts: pl.Series, taxonomy: Taxonomy, normalised: pl.Series | None = None) -> pl.DataFrame:
    """One row per text, in order; one List[String] column per label: each topic id and
    'skepticism', holding the distinct keywords (as written in the file) that matched, in file
    order. A taxonomy without a [skepticism] table gives empty skepticism lists. `normalised`:
    `normalised_text` of the texts, when the caller has it already.

    One pass over every text looks for every keyword and every exclude phrase; a topic with an
    exclude list is matched again, on its masked text, only where one of its phrases was seen.
    """
    labels = taxonomy.labels
    if len(labels) >= _LABEL or any(len(t.keywords) >= _LABEL for t in labels):
        raise ValueError("at most 1,023 topics of at most 1,023 keywords each")
    table = pl.DataFrame(
        [(k.literal, n * _LABEL + i) for n, t in enumerate(labels) for i, k in enumerate(t.keywords)],
        schema={"literal": pl.String, "code": pl.Int64},
        orient="row",
    )
    # topics with the same exclude list are matched again on the same masked text
    passes: dict[tuple[Keyword, ...], list[int]] = {}
    for n, topic in enumerate(labels):
        if topic.exclude:
            passes.setdefault(topic.exclude, []).append(n)
    excluded = pl.DataFrame(
        [(k.literal if k.exact else k.literal.lower(), p) for p, ex in enumerate(passes) for k in ex],
        schema={"literal": pl.String, "pass": pl.Int32},
        orient="row",
    ).unique()
    lower, exact = _literals([k for t in labels for k in (*t.keywords, *t.exclude)])
    given = normalised is not None
    base = pl.DataFrame({"text": normalised if given else texts}, schema={"text": pl.String}).select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
        (pl.concat_str(pl.lit(" "), pl.col("text"), pl.lit(" ")) if given else padded_text(pl.col("text"))).alias(_KEPT),
    )
    found = base.select("row", _found(pl.col(_KEPT), lower, exact).alias("found"))
    hits = _hits(found, table)
    if passes:
        seen = found.explode("found", keep_nulls=False).join(excluded, left_on="found", right_on="literal")
        for p, (exclude, members) in enumerate(passes.items()):
            rows = seen.filter(pl.col("pass") == p)["row"].unique()
            if rows.len() == 0:
                continue
            # the members' hits on these rows are replaced by those on the masked text
            codes = pl.Series(members, dtype=pl.Int64).implode()
            label = (hits // _LABEL) % _LABEL
            hits = hits.filter(~((hits // _ROW).is_in(rows.implode()) & label.is_in(codes)))
            lower, exact = _literals([k for n in members for k in labels[n].keywords])
            again = base.filter(pl.col("row").is_in(rows.implode())).select(
                "row", _found(_masked(pl.col(_KEPT), exclude), lower, exact).alias("found")
            )
            mine = table.filter((pl.col("code") // _LABEL).is_in(codes))
            hits = pl.concat([hits, _hits(again, mine)])
    coded = hits.unique().sort().to_frame("code").select(
        row=pl.col("code") // _ROW,
        label=(pl.col("code") // _LABEL) % _LABEL,
        keyword=pl.col("code") % _LABEL,
    )
    columns = [_lists(coded.filter(pl.col("label") == n), topic, base.height) for n, topic in enumerate(labels)]
    if taxonomy.skepticism is None:
        columns.append(pl.Series(SKEPTICISM, [[]] * base.height, dtype=pl.List(pl.String)))
    return pl.DataFrame(columns)


def _lists(hits: pl.DataFrame, topic: Topic, n_rows: int) -> pl.Series:
    """The column of `topic`: hits (row, keyword place), sorted, made one list per row (built
    from offsets, without a join or a group_by)."""
    written = pl.Series([k.text for k in topic.keywords], dtype=pl.String)
    offsets = hits["row"].search_sorted(pl.int_range(0, n_rows + 1, eager=True, dtype=pl.Int64), side="left")
    values = written.gather(hits["keyword"])
    column = pl.from_arrow(pa.LargeListArray.from_arrays(offsets.cast(pl.Int64).to_arrow(), values.to_arrow()))
    assert isinstance(column, pl.Series)
    return column.cast(pl.List(pl.String)).alias(topic.id)


def keyword_count(column: str) -> pl.Expr:
    """k, the number of distinct keywords found, of a keyword_matches column."""
    return pl.col(column).list.len()


def keyword_score(column: str) -> pl.Expr:
    """1 - 0.5**k, rounded to 4 places: 0 without a keyword, 0.5 with one, 0.75 with two, ..."""
    return (1.0 - pl.lit(0.5).pow(keyword_count(column))).round(4)
