"""`Prefilter.scan` (Arrow buffers, stand-ins in C) against what it replaces.

The scan must give the texts `StandIns.expr` gives, the candidates `Prefilter.candidates` gives
for those texts, and per row whether a stand-in was put in and whether a non-ASCII character of
a class (\\w, \\d, \\s) is left (the rows the ASCII form of an expression may not run on).
"""

from __future__ import annotations

from array import array

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.score import skepticism, topics
from analysis.score.matching import Matcher, ascii_expression
from analysis.score.taxonomy import load_taxonomy
from tests.score.test_matching import UNICODE_CASES, labelled_texts

EXTRA = [
    "",
    "plain ascii, no stand-in",
    "em\u2014dash and en\u2013dash are named: kept, in no class",
    "the broken bar \u00a6 is the mask",
    "\u00fc and \u00dc are named and letters; \u0663 is a digit left as it is",
    "\u212aelvin and lo\u017fng s bypass the filter",
    "emoji \U0001f621, nbsp\u00a0, ideographic space\u3000, \u00e9t\u00e9",
    "\u200d\u200b\u00ad soft things",
]


def _matchers() -> list[Matcher]:
    return [topics._matcher(load_taxonomy()), skepticism._matcher()]


def _by_definition(matcher: Matcher, texts: pl.Series) -> tuple[pl.Series, list[set[int]], list[bool], list[bool]]:
    mapped = pl.select(matcher.stand_ins.expr(pl.lit(texts))).to_series()
    raw_offsets, raw_rows = matcher._prefilter.candidates(mapped.to_list())
    offsets = array("q", raw_offsets)
    rows = array("i", raw_rows)
    candidates = [set(rows[offsets[k] : offsets[k + 1]]) for k in range(len(offsets) - 1)]
    classed = mapped.str.contains(r"[[^\x00-\x7f]&&[\w\d\s]]").to_list()
    replaced = (mapped != texts).to_list()
    return mapped, candidates, classed, replaced


def _assert_scan_is_the_definition(matcher: Matcher, texts: pl.Series) -> None:
    scan = matcher.scan(texts)
    mapped, candidates, classed, replaced = _by_definition(matcher, texts.fill_null(""))
    assert scan.mapped.to_list() == mapped.to_list()
    assert (~scan.plain).to_list() == classed
    assert scan.replaced.to_list() == replaced
    for k, found in enumerate(scan.candidates):
        if found is None:
            assert not candidates[k]
            continue
        plain_rows, other_rows = (part.to_list() for part in found)
        assert plain_rows == sorted(plain_rows) and other_rows == sorted(other_rows)
        assert set(plain_rows) | set(other_rows) == candidates[k]
        assert all(not classed[r] for r in plain_rows) and all(classed[r] for r in other_rows)


@pytest.mark.parametrize("which", [0, 1])
def test_scan_equals_stand_ins_and_candidates(which: int) -> None:
    texts = pl.Series([*labelled_texts(), *UNICODE_CASES, *EXTRA], dtype=pl.String)
    _assert_scan_is_the_definition(_matchers()[which], texts)


def test_scan_reads_sliced_and_chunked_columns_and_nulls() -> None:
    matcher = _matchers()[0]
    texts = pl.Series([*UNICODE_CASES, None, *EXTRA], dtype=pl.String)
    _assert_scan_is_the_definition(matcher, texts.slice(3, 9))
    _assert_scan_is_the_definition(matcher, pl.concat([texts.slice(0, 4), texts.slice(4)], rechunk=False))
    _assert_scan_is_the_definition(matcher, pl.Series([], dtype=pl.String))


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_a_scan_in_parts_is_the_scan_in_one(parts: int) -> None:
    matcher = _matchers()[0]
    texts = pl.Series([*labelled_texts(), None, *UNICODE_CASES, *EXTRA], dtype=pl.String)
    for column in (texts, texts.slice(5, 40), texts.slice(0, 2), texts.clear()):
        whole, split = matcher.scan(column, parts=1), matcher.scan(column, parts=parts)
        assert split.mapped.to_list() == whole.mapped.to_list()
        assert split.plain.equals(whole.plain) and split.replaced.equals(whole.replaced)
        for one, many in zip(whole.candidates, split.candidates, strict=True):
            assert (one is None) == (many is None)
            if one is not None and many is not None:
                assert one[0].equals(many[0]) and one[1].equals(many[1])


def test_scan_checks_its_buffers() -> None:
    matcher = _matchers()[0]
    column = pa.array(["abc"], type=pa.large_string())
    _, offsets, data = column.buffers()
    with pytest.raises(ValueError):
        matcher._prefilter.scan(offsets, data, 0, 2, matcher._table)
    with pytest.raises(ValueError):
        matcher._prefilter.scan(offsets, data, 0, 1, b"short")


def test_scan_reads_no_further_than_a_row_cut_short() -> None:
    """Bytes that are not UTF-8 (a character cut at a row's end) are read one at a time, never
    past the row: Arrow strings are always UTF-8, but the scan takes any buffers."""
    matcher = _matchers()[0]
    data = b"the UN did nothing \xe2\x80" + b"UN did nothing \xf0"
    offsets = array("q", [0, 21, len(data)]).tobytes()
    _, _, mapped_offsets, mapped, flags = matcher._prefilter.scan(offsets, data, 0, 2, matcher._table)
    assert array("q", mapped_offsets).tolist() == [0, 21, len(data)]
    assert mapped.startswith(b"the UN did nothing ") and len(flags) == 2


def test_stand_in_table_is_the_expression() -> None:
    matcher = _matchers()[1]
    table = matcher.stand_ins.table()
    assert len(table) == 0x110000 and not any(table[:128])
    for ch in "\u00e9\U0001f621\u00a0\u2014\u00a6\u0663\u212a":
        mapped = pl.select(matcher.stand_ins.expr(pl.lit(pl.Series([ch])))).item()
        if mapped != ch:
            assert table[ord(ch)] == ord(mapped)
        else:
            in_class = pl.Series([ch]).str.contains(r"[\w\d\s]").item()
            assert table[ord(ch)] == (255 if in_class else 0)


text_chars = st.characters(categories=("Lu", "Ll", "Nd", "Zs", "So", "Pd", "Po", "Mn", "Cf"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(text_chars, max_size=30) | st.sampled_from(EXTRA + UNICODE_CASES), max_size=20))
def test_generated_texts_scan_as_the_definition(batch: list[str]) -> None:
    _assert_scan_is_the_definition(_matchers()[0], pl.Series(batch, dtype=pl.String))


def test_ascii_expressions_match_the_same_on_plain_text() -> None:
    """Plain: non-ASCII characters only outside \\w, \\d, \\s (the mask, dashes, emoji...)."""
    texts = pl.Series(
        [
            "the UN \u00a6 did nothing \u2014 200 killed",
            "\u2013UN\u2013 did\u2014nothing; \U0001f621 verified\u00a6",
            "\u00abnot verified\u00bb \u2026 the Kremlin\u2019s MoD",
        ]
    )
    matcher = _matchers()[0]
    assert matcher.scan(texts).plain.all()
    for _, regex, _ in matcher._cues:
        assert texts.str.extract_all(regex).equals(texts.str.extract_all(ascii_expression(regex)))


@pytest.mark.parametrize("which", [0, 1])
def test_candidates_hold_every_row_an_expression_matches(which: int) -> None:
    """Soundness without the scorers: an expression matches no row the scan leaves out (also
    literals matched with their exact case, such as "UN", against "un", "Un", "UN-")."""
    matcher = _matchers()[which]
    texts = pl.Series([*labelled_texts(), *UNICODE_CASES, *EXTRA, "un Un uN UN UNs xUN UN- MoD mod MOD"])
    scan = matcher.scan(texts)
    expressions = [regex for _, regex, _ in matcher._cues] + matcher._masks
    for k, regex in enumerate(expressions):
        found = scan.candidates[matcher._target_of[k]]
        if found is None:
            continue
        matched = set(pl.int_range(len(texts), eager=True).filter(scan.mapped.str.contains(regex)).to_list())
        assert matched <= set(found[0].to_list()) | set(found[1].to_list()), regex


def test_candidates_with_punctuation_and_repeated_letters_hold_every_match() -> None:
    """Literals with "." and '"' and runs through repeated letters: every match is a candidate,
    and rows without them are not."""
    from analysis.score.matching import CueGroup, Unit

    expressions = (
        r"\bU\.N\.",
        r"\bU\.N\b",
        r"""(?i:"[^"\n]{2,80}"[^\w"\n]{0,3}(?:lol|says)\b)""",
        r"(?i:\bri{2,}ght\b)",
        r"(?:\bUN|\bEU)\s+(?:can'?t|failed)\b",
    )
    matcher = Matcher([Unit(f"u{i}", (), CueGroup(f"u{i}", 0.5, (rx,))) for i, rx in enumerate(expressions)])
    texts = pl.Series(
        [
            "the U.N. again", "U.N", "xU.N.", "U.Nx", "U N", "u.n.", 'he "did it" lol', '"quoted" says',
            '"no close lol', "no quotes lol says", "riiight", "RIIIIGHT!", "right", "riight", "rigght",
            "UN can't", "EU cant", "UN can", "UN failed", "the UN tried", 'a "U.N." "riight" says',
        ]
    )
    scan = matcher.scan(texts)
    for k, regex in enumerate(expressions):
        found = scan.candidates[k]
        assert found is not None
        rows = set(found[0].to_list()) | set(found[1].to_list())
        matched = set(pl.int_range(len(texts), eager=True).filter(texts.str.contains(regex)).to_list())
        assert matched <= rows, regex
    candidates = [sorted(set(f[0].to_list()) | set(f[1].to_list())) for f in scan.candidates if f is not None]
    assert candidates[0] == [0, 20]  # "U.N." with a boundary before it (not "xU.N.")
    assert candidates[2] == [6, 7, 8, 20]  # a quotation mark and the word
    assert candidates[3] == [10, 11, 13, 20]  # "rii" and "iight", not "right"
    assert candidates[4] == [15, 16, 17, 18]  # "UN" or "EU", and "can" or "failed"
