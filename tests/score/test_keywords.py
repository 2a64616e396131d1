"""The keyword layer: normalisation, whole words, word families, exact case, excludes, the API."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readerpulse.score.keywords import POSSESSIVE, keyword_matches, normalised_text
from readerpulse.score.taxonomy import Taxonomy, parse_taxonomy

TAXONOMY = """
format = 2
[topics.bodies]
label = "Bodies"
keywords = ["UN", "U.N.", "united nations", "veto*", "all talk", "can't", "source?", "TB2"]
exclude = ["un-believ*", "all talk show"]
[topics.russia]
label = "Russia"
keywords = ["russia*", "moscow", "peacekeeper", "CSTO"]
exclude = ["russian salad"]
[topics.plain]
label = "Plain"
keywords = ["csto", "türkiye", "erdoğan"]
[skepticism]
keywords = ["verif*", "?", "who counted", "!"]
""".encode()


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return parse_taxonomy(TAXONOMY, "test.toml")


def found(text: str | None, taxonomy: Taxonomy) -> dict[str, list[str]]:
    row = keyword_matches(pl.Series([text], dtype=pl.String), taxonomy).row(0, named=True)
    return {label: keywords for label, keywords in row.items() if keywords}


def norm(text: str) -> str:
    return str(pl.select(normalised_text(pl.lit(text))).item())


def test_normalisation() -> None:
    assert norm("Can’t  verify—the U.N.'s figures?!") == "Cant verify the U N s figures ? !"
    assert norm("  cease-fire... 5,000 dead\n\t") == "cease fire 5 000 dead"
    assert norm("Ստեփանակերտ 🙂 Erdoğan_") == "Ստեփանակերտ Erdoğan"
    assert norm("...") == ""
    # a possessive 's goes with its apostrophe; other apostrophes leave their letters
    assert norm("Russia's role, Macron’s words; it's RUSSIA'S") == "Russia role Macron words it RUSSIA"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="aZé9_ s'’-\u0301\u200d!", max_size=30), min_size=1, max_size=8))
def test_possessives_are_the_word_boundary_definition(texts: list[str]) -> None:
    # POSSESSIVE spells "\b after the s" as a following non-word character or the end
    by_boundary = r"(\p{L})['\u2018\u2019\u201b\u02bc\u0060\u00b4][sS]\b"
    series = pl.Series(texts, dtype=pl.String)
    ours = series.str.replace_all(POSSESSIVE, "${1}${2}")
    assert ours.to_list() == series.str.replace_all(by_boundary, "${1}").to_list()


def test_possessives_find_the_plain_keyword(taxonomy: Taxonomy) -> None:
    assert found("Moscow's men and the UN's veto", taxonomy) == {"russia": ["moscow"], "bodies": ["UN", "veto*"]}


def test_the_api_shape(taxonomy: Taxonomy) -> None:
    texts = pl.Series(["Moscow vetoed it, the UN vetoes everything", None, "", "who counted?"])
    frame = keyword_matches(texts, taxonomy)
    assert frame.schema == pl.Schema({name: pl.List(pl.String) for name in ["bodies", "russia", "plain", "skepticism"]})
    # one row per text, in order; distinct keywords as written, in file order
    assert frame.rows() == [
        (["UN", "veto*"], ["moscow"], [], []),
        ([], [], [], []),
        ([], [], [], []),
        ([], [], [], ["?", "who counted"]),
    ]


def test_whole_words_and_word_families(taxonomy: Taxonomy) -> None:
    assert found("the peacekeepers left", taxonomy) == {}  # "peacekeeper" is a whole word
    assert found("a PEACEKEEPER and Russians", taxonomy) == {"russia": ["russia*", "peacekeeper"]}
    assert found("prussia", taxonomy) == {}  # a family starts a word
    assert found("verification", taxonomy) == {"skepticism": ["verif*"]}
    assert found("the united   nations, all-talk", taxonomy) == {"bodies": ["united nations", "all talk"]}


def test_exact_case_keywords(taxonomy: Taxonomy) -> None:
    assert found("un momento", taxonomy) == {}
    assert found("the UN and the U.N.", taxonomy) == {"bodies": ["UN", "U.N."]}
    assert found("the u.n.", taxonomy) == {}
    assert found("TB2 drones, tb2", taxonomy) == {"bodies": ["TB2"]}
    # an exact-case keyword and a lower-case one with the same letters are different keywords
    assert found("the CSTO", taxonomy) == {"russia": ["CSTO"], "plain": ["csto"]}
    assert found("the csto", taxonomy) == {"plain": ["csto"]}


def test_apostrophes_questions_and_non_ascii(taxonomy: Taxonomy) -> None:
    assert found("They can’t. Source??", taxonomy) == {"bodies": ["can't", "source?"], "skepticism": ["?"]}
    assert found("they cant", taxonomy) == {"bodies": ["can't"]}
    assert found("what a source", taxonomy) == {}
    assert found("TÜRKIYE and Erdoğan!", taxonomy) == {"plain": ["türkiye", "erdoğan"], "skepticism": ["!"]}


def test_excludes_mask_look_alikes_for_their_topic_only(taxonomy: Taxonomy) -> None:
    assert found("UN-believable scenes", taxonomy) == {}
    assert found("UN-Believable. The UN did nothing", taxonomy) == {"bodies": ["UN"]}
    assert found("russian salad, Russian Salad and russian salad", taxonomy) == {}
    assert found("russian salad for Russian troops", taxonomy) == {"russia": ["russia*"]}
    assert found("an all talk show", taxonomy) == {}
    assert found("all talk, and an all talk show", taxonomy) == {"bodies": ["all talk"]}


def test_many_rows_match_like_one_row_at_a_time(taxonomy: Taxonomy) -> None:
    texts = [
        "Moscow and the UN: all talk?", "UN-believable", "russian salad!", "verified by who counted",
        None, "TB2", "the U.N. can't", "Russian salad. Russia.", "", "source ?",
    ] * 7
    together = keyword_matches(pl.Series(texts, dtype=pl.String), taxonomy)
    alone = pl.concat([keyword_matches(pl.Series([t], dtype=pl.String), taxonomy) for t in texts])
    assert together.equals(alone)


def test_without_skepticism_table_the_column_is_empty() -> None:
    taxonomy = parse_taxonomy(b'format = 2\n[topics.a]\nlabel = "A"\nkeywords = ["verify"]\n')
    frame = keyword_matches(pl.Series(["verify?"]), taxonomy)
    assert frame.rows() == [(["verify"], [])]
