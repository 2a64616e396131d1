"""The fast matcher (stand-ins, literal prefilter, expressions on candidates) against the definition.

`reference_topics` and `reference_skepticism` are the scorers as first written: every chunk of
every group over every row (`flag_groups`), evidence from every chunk. The scorers must give
exactly their rows, hits, scores, evidence and cues, on the labelled comment sets, the sample,
hand-picked texts with the characters the stand-ins are about, and generated text.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cache import CACHE_ENV
from analysis.score import matching, skepticism
from analysis.score.literals import Literal, requirement_options, requirements
from analysis.score.matching import (
    TEXT,
    CueGroup,
    Matcher,
    StandIns,
    Unit,
    evidence,
    flag_groups,
    masked,
    noisy_or,
    prepared_text,
)
from analysis.score.patterns import compile_pattern
from analysis.score.taxonomy import Taxonomy, load_taxonomy
from analysis.score.topics import HIT_SCHEMA, score_topics
from tests.conftest import SAMPLE, SHARED

DATA = Path(__file__).resolve().parent / "data"


def reference_topics(comments: pl.DataFrame, taxonomy: Taxonomy) -> pl.DataFrame:
    base = comments.lazy().select("comment_pk", prepared_text())
    frames = []
    for topic in taxonomy.topics:
        prefix = f"{topic.id}."
        required = [pl.col(prefix + g.name) for g in topic.groups if g.name in topic.require]
        condition = pl.all_horizontal(required) if required else pl.lit(True)
        text = base.with_columns(masked(pl.col(TEXT), topic.exclude).alias(TEXT))
        frames.append(
            flag_groups(text, topic.groups, prefix)
            .with_columns(score=noisy_or(topic.groups, prefix))
            .filter(condition & (pl.col("score") >= topic.threshold))
            .select("comment_pk", pl.lit(topic.id).alias("topic"), "score", evidence(topic.groups, prefix).alias("evidence"))
        )
    schema = {"comment_pk": pl.Int64(), **HIT_SCHEMA}
    return pl.concat(pl.collect_all(frames)).cast(pl.Schema(schema))


def reference_skepticism(comments: pl.DataFrame) -> pl.DataFrame:
    groups = skepticism.cue_groups()
    prefix = skepticism.PREFIX
    flagged = flag_groups(comments.lazy().select("comment_pk", prepared_text()), groups, prefix).with_columns(
        score=noisy_or(groups, prefix)
    )
    matched = flagged.filter(pl.col("score") > 0).select(
        "comment_pk", "score", evidence(groups, prefix, label_groups=True).alias("cues")
    )
    unmatched = flagged.filter(pl.col("score") == 0).select(
        "comment_pk", "score", pl.lit([], dtype=pl.List(pl.String)).alias("cues")
    )
    return (
        pl.concat([matched, unmatched])
        .sort("comment_pk")
        .with_columns(skeptical=pl.col("score") >= skepticism.THRESHOLD)
        .select("comment_pk", "score", "skeptical", "cues")
        .collect()
    )


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def frame(texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"comment_pk": range(len(texts)), "text": texts}, schema={"comment_pk": pl.Int64, "text": pl.String})


def assert_same_scores(texts: list[str], taxonomy: Taxonomy) -> None:
    comments = frame(texts)
    got = score_topics(comments, taxonomy).sort("comment_pk", "topic")
    expected = reference_topics(comments, taxonomy).sort("comment_pk", "topic")
    assert got.equals(expected), _first_difference(got, expected, texts)
    assert skepticism.score_skepticism(comments).equals(reference_skepticism(comments))


def _first_difference(got: pl.DataFrame, expected: pl.DataFrame, texts: list[str]) -> str:
    extra = got.join(expected, on=list(got.columns[:2]), how="anti")
    missing = expected.join(got, on=list(got.columns[:2]), how="anti")
    rows = [*extra.rows(), *missing.rows()]
    return f"differs at {rows[:1]}: {texts[rows[0][0]]!r}" if rows else "same hits, different values"


def labelled_texts() -> list[str]:
    texts: list[str] = []
    for path in [SHARED / "gold" / "comments_dev.csv", *sorted(DATA.glob("*.csv"))]:
        if path.exists():
            with path.open(encoding="utf-8", newline="") as fh:
                texts.extend(row["text"] for row in csv.DictReader(fh))
    return texts


def test_labelled_comments_score_as_the_reference(taxonomy: Taxonomy) -> None:
    texts = labelled_texts()
    assert len(texts) > 200
    assert_same_scores(texts, taxonomy)


def test_sample_comments_score_as_the_reference(taxonomy: Taxonomy) -> None:
    texts = [p.read_text("utf-8") for p in sorted(SAMPLE.glob("*.txt"))]
    paragraphs = [block for text in texts for block in text.split("\n\n") if block.strip()]
    assert_same_scores(paragraphs, taxonomy)


# Characters the stand-ins are about: letters, digits and spaces beyond ASCII, emoji, the mask,
# dashes the phrase separator names, and the two letters that match ASCII ones by case folding.
UNICODE_CASES = [
    "The UN did nothing 😡😡 for Stepanakert / Ստեփանակերտ.",
    "Türkiye and Erdoğan sent drones; the Kremlin watched. Москва молчит.",
    "\u212aremlin lied about the 200 killed",  # KELVIN SIGN K
    "Ru\u017f\u017fia did nothing",  # LONG S
    "the death toll is \u0663\u0660\u0660 dead",  # ARABIC-INDIC digits
    "the\u00a0UN\u2003did\u3000nothing",
    "UN-believable \u00a6 scenes \u2014 the UN \u2013 did nothing",
    "I don\u2019t doubt the figures \u2026 but I doubt the ministry",
    "caf\u00e9 verified? no: unverified claims, \u201cindependent\u201d monitors",
    "x\u0301UN nothing\u200d UN_ did_nothing UN\u00e9 \u00e9UN",
    "\u0130stanbul \u0131s \u00dfilent; \u01c5emal says the UN is toothless",
    # a letter one expression names (\u00fc of T\u00fcrkiye) next to the cues of all the others
    "T\u00fcrkiye lied: the death toll is fake, 200 killed \u00fcdid nothing UN\u00fc verified\u00fc",
    "\u00dcN did nothing; d\u00fcbious figures, I doubt\u00fc them; \u00fcnverified; 'mission\u00fc'",
    "the UN\u00a0\u00fc\u3000did nothing \u0663\u0660 killed \u00fc\u2014 body count \u00fc",
]


def test_unicode_texts_score_as_the_reference(taxonomy: Taxonomy) -> None:
    assert_same_scores(UNICODE_CASES, taxonomy)


def _cue_words(taxonomy: Taxonomy) -> list[str]:
    words: set[str] = set()
    for topic in taxonomy.topics:
        for terms in topic.terms.values():
            for term in terms:
                if not term.startswith("re:"):
                    words.update(w for w in re.findall(r"[A-Za-z][A-Za-z'\-.]*", term))
    for family in skepticism.FAMILIES:
        for pattern in family.patterns:
            if not pattern.startswith("re:"):
                words.update(re.findall(r"[A-Za-z][A-Za-z'\-.]*", pattern))
    return sorted(words)


WORDS = _cue_words(load_taxonomy())
NOISE = ["the", "and", "not", "no", "did", "nothing", "200", "killed", "?", "!", ".", ",", '"', "'",
         "lol", "😡", "é", "Ü", "\u00a0", "\u212a", "\u017f", "\u0663", "\u00a6", "\u2014", "-", "_", "\n"]
SEPARATORS = [" ", " ", " ", "", ", ", ". ", "\u00a0", "-", "/", "\u2013"]
tokens = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(NOISE),
    st.sampled_from(WORDS).map(str.upper), st.sampled_from(WORDS).map(str.title),
    st.text(st.characters(categories=("Lu", "Ll", "Nd", "Zs", "So", "Pd", "Po")), min_size=1, max_size=3),
)
texts = st.lists(st.tuples(tokens, st.sampled_from(SEPARATORS)).map("".join), max_size=25).map("".join)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=40))
def test_generated_text_scores_as_the_reference(batch: list[str]) -> None:
    assert_same_scores(batch, load_taxonomy())


def test_matcher_flags_equal_flag_groups_with_masks_in_a_chain() -> None:
    groups = (
        CueGroup("a", 0.5, (compile_pattern("did ~1 nothing"),), mask=compile_pattern("russia ~2 did")),
        CueGroup("b", 0.5, (compile_pattern("(UN|U.N.)") + "|" + compile_pattern("verif*"),)),
    )
    exclude = compile_pattern("UN-believable")
    units = [Unit("x.a", (exclude, groups[0].mask or ""), groups[0]), Unit("x.b", (exclude,), groups[1])]
    batch = ["Russia did nothing", "the UN did nothing", "UN-believable", "unverified", "U.N. verified 😀", "Ünverified"]
    text = pl.DataFrame({TEXT: batch}).lazy().with_columns(masked(pl.col(TEXT), exclude).alias(TEXT))
    expected = flag_groups(text, groups, "x.").select("x.a", "x.b").collect()
    matcher = Matcher(units)
    matches = matcher.match(pl.Series(batch))
    assert matches.flags.equals(expected)
    rows = pl.Series(range(len(batch)), dtype=pl.Int32)
    found = matcher.extract(matches, "x.b", rows)
    pieces = text.select(pl.col(TEXT).str.extract_all(groups[1].regexes[0])).collect()[TEXT].to_list()
    assert [found.filter(pl.col("pos") == i)["found"].to_list() for i in range(len(batch))] == pieces


# --- required literals -----------------------------------------------------------------------


def lits(pattern: str) -> list[list[tuple[str, bool, bool, bool]]]:
    return [sorted((x.text, x.ci, x.left, x.right) for x in r) for r in requirements(compile_pattern(pattern))]


def test_words_require_their_letters_with_boundaries() -> None:
    assert lits("nothing") == [[("nothing", True, True, True)]]
    assert lits("verif*") == [[("verif", True, True, False)]]  # a family continues the word
    assert lits("UN") == [[("UN", False, True, True)]]  # exact case
    assert lits("cease-fire") == [[("cease", True, True, False)], [("fire", True, False, True)]]
    assert lits("can't") == [[("can", True, True, False)]]  # the one-letter "t" says too little


def test_phrases_require_every_word_and_gaps_keep_boundaries() -> None:
    assert lits("(did|does) ~1 nothing") == [
        [("did", True, True, True), ("does", True, True, True)],
        [("nothing", True, True, True)],
    ]


def test_optional_and_class_parts_require_nothing() -> None:
    assert requirements(r"(?:abc)?x*[de]") == []
    assert requirements(r"\d+") == []
    assert [sorted(x.text for x in r) for r in requirements(r"(?i:foo|bar)baz")] == [["bar", "foo"], ["baz"]]


def test_alternations_become_options() -> None:
    options = requirement_options(compile_pattern("(the world|international) ~2 (watched|shrugged)"))
    texts = [[sorted(x.text for x in r) for r in option] for option in options]
    assert texts == [[["the"], ["world"], ["shrugged", "watched"]], [["international"], ["shrugged", "watched"]]]
    assert requirement_options(r"a|\d") == [[]]  # one alternative needs nothing: no filter


def test_dots_and_quotation_marks_are_part_of_literals() -> None:
    # a boundary is only claimed next to a letter or digit
    assert requirement_options(r"\bU\.N\.") == [[frozenset({Literal("U.N.", False, True, False)})]]
    assert requirement_options(r"\bU\.N\b") == [[frozenset({Literal("U.N", False, True, True)})]]
    # the lone quotation marks are kept next to a word (they are rare, a lone letter is not)
    options = requirement_options(r'(?i)"[^"\n]{2,80}"\s*(?:lol|says)\b')
    assert [sorted(sorted(x.text for x in r) for r in option) for option in options] == [[['"'], ["lol"]], [['"'], ["says"]]]


def test_repeated_letters_go_on_with_their_run() -> None:
    assert requirement_options(r"(?i:\bri{2,}ght\b)") == [
        [frozenset({Literal("rii", True, True, False)}), frozenset({Literal("iight", True, False, True)})]
    ]
    assert requirement_options(r"\bab{3}c\b") == [[frozenset({Literal("abbbc", False, True, True)})]]


def test_a_lone_letter_of_one_alternative_does_not_void_the_union() -> None:
    # "t" of can'?t would make the union of the alternatives say too little: "can" is taken
    assert lits("UN ~3 (can't|failed)") == [
        [("UN", False, True, True)],
        [("can", True, True, False), ("failed", True, True, True)],
    ]


def test_an_alternative_that_is_an_alternation_gives_one_option_each() -> None:
    # "\b(?:P5|P[\s-]?5)" among other names: "p" and "5" together, not "p5" or "p" anywhere
    options = requirement_options(r"(?:\bUN\b|\b(?i:P5)|\b(?i:P[\s\-]?5)|x)")
    assert options == requirement_options(r"(?:\bUN\b|(?:\b(?i:P5)|\b(?i:P[\s\-]?5))|x)")
    assert [sorted(sorted(x.text for x in r) for r in option) for option in options] == [
        [["UN"]], [["p5"]], [["5"], ["p"]], [["x"]]
    ]
    assert requirement_options(r"(?:ab|(?:cd|\d))") == [[]]  # one alternative needs nothing


def test_literal_is_hashable_and_ordered() -> None:
    assert Literal("a", True) < Literal("b", True)
    assert len({Literal("a", True), Literal("a", True)}) == 1


# --- stand-ins -------------------------------------------------------------------------------


def test_stand_ins_keep_what_the_expressions_name() -> None:
    stand = StandIns.for_expressions([compile_pattern("t\u00fcrkiye"), compile_pattern("UN")])
    assert "\u00fc" in stand.keep and "\u00dc" in stand.keep  # named, with its case partner
    assert "\u212a" in stand.bypass and "\u017f" in stand.bypass  # fold to k and s
    replaced = pl.select(stand.expr(pl.lit(pl.Series(["T\u00fcrkiye \u00e9 \u0663 \u00a0 \U0001f621"])))).item()
    assert stand.digit is None  # digits beyond ASCII stay as they are
    assert replaced == f"T\u00fcrkiye {stand.word} \u0663 {stand.space} {stand.other}"
    assert replaced.replace("\u00fc", "u").replace("\u0663", "3").isascii()


def test_stand_ins_are_chosen_among_unnamed_characters() -> None:
    stand = StandIns.for_expressions([r"[_0-9a-wyA-Z]x", r"\x0b"])
    assert stand.word == "z"  # "_" and the other letters are named
    assert stand.space == "\x0c"
    text = pl.Series(["a\u0663b\u00e9"])
    # without a digit stand-in, the digit must survive the word step too
    assert pl.select(stand.expr(pl.lit(text))).item() == f"a\u0663b{stand.word}"


def test_ascii_expressions_match_the_same_in_ascii_text() -> None:
    from analysis.score.matching import ascii_expression

    assert ascii_expression(r"\bfoo\w*[^\s,\]]\d") == r"(?-u:\b)foo[[:word:]]*[^[:space:],\]][[:digit:]]"
    assert ascii_expression(r"\\w[]a\S]\B") == r"\\w[]a[:^space:]](?-u:\B)"
    texts = pl.Series(["foo_bar 12, x\tfoo- 3 x_1 verified? no!", "A.B. cant can't UN-believable", ""])
    for topic in load_taxonomy().topics:
        for group in topic.groups:
            for regex in group.regexes:
                assert texts.str.extract_all(regex).equals(texts.str.extract_all(ascii_expression(regex)))


# Rows the regex engine's DFA cannot take as they are: letters one expression names (ü, Ü, ğ),
# non-ASCII digits (no stand-in), spaces and dashes, right against the cue words.
KEPT = ["\u00fc", "\u00dc", "\u011f", "\u0663", "\u00a0", "\u2014", "\u00a6", "\u212a", "\u017f"]
kept_tokens = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(WORDS).map(str.title), st.sampled_from(KEPT), st.sampled_from(NOISE),
    st.tuples(st.sampled_from(KEPT), st.sampled_from(WORDS), st.sampled_from(KEPT)).map("".join),
)
kept_texts = st.lists(st.tuples(kept_tokens, st.sampled_from(SEPARATORS)).map("".join), max_size=25).map("".join)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(kept_texts, min_size=1, max_size=40))
def test_generated_text_with_kept_characters_scores_as_the_reference(batch: list[str]) -> None:
    assert_same_scores(batch, load_taxonomy())


def _taxonomy_units(taxonomy: Taxonomy) -> list[Unit]:
    return [Unit(f"{t.id}.{g.name}", (t.exclude,) if t.exclude else (), g) for t in taxonomy.topics for g in t.groups]


def test_a_matcher_read_back_from_the_cache_matches_as_the_one_derived(
    taxonomy: Taxonomy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    units = _taxonomy_units(taxonomy)
    cold = Matcher(units)
    (entry,) = tmp_path.glob("matcher-*.json")

    def derive(*args: object) -> None:
        raise AssertionError("derived again instead of read from the cache")

    with monkeypatch.context() as patched:
        patched.setattr(matching, "_derive", derive)
        warm = Matcher(units)
    assert (warm.stand_ins, warm._table, warm._needs) == (cold.stand_ins, cold._table, cold._needs)
    texts = pl.DataFrame({"text": labelled_texts() + UNICODE_CASES}).select(prepared_text())[TEXT]
    found, again = cold.match(texts), warm.match(texts)
    assert found.flags.equals(again.flags)
    assert found.pieces.keys() == again.pieces.keys()
    assert all(found.pieces[key].equals(again.pieces[key]) for key in found.pieces)
    # an entry that does not check out is derived again and replaced
    entry.write_text(entry.read_text("utf-8").replace('"table":"', '"table":"!'), "utf-8")
    assert Matcher(units)._table == cold._table
    assert '"table":"!' not in entry.read_text("utf-8")


def test_derived_data_reads_back_equal_for_every_matcher(taxonomy: Taxonomy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache entry of each matcher (the topics', the skepticism one and one whose cue can
    match anywhere, so that an output needs every row) reads back as the data derived."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    anywhere = CueGroup("digits", 0.5, (r"[0-9]+",), expressions=(r"[0-9]+",), chunk_of=(0,))
    for units in (_taxonomy_units(taxonomy), list(skepticism._matcher().units), [Unit("any.digits", (), anywhere)]):
        matcher = Matcher(units)
        expressions = [rx for _, rx, _ in matcher._cues] + matcher._masks
        n_outputs = matcher._n_targets + len(matcher._masks)
        derived = matching._derive(expressions, matcher._target_of, n_outputs)
        assert matching._Derived.from_entry(json.loads(json.dumps(derived.entry())), n_outputs) == derived
    assert derived.needs == [False]


def test_a_matcher_entry_out_of_range_is_derived_again(taxonomy: Taxonomy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    units = _taxonomy_units(taxonomy)
    cold = Matcher(units)
    (path,) = tmp_path.glob("matcher-*.json")
    entry = json.loads(path.read_text("utf-8"))
    for broken in (
        {**entry, "outputs": [n + 1000 for n in entry["outputs"]]},
        {**entry, "entries": [[e[0] + 100_000] for e in entry["entries"]]},
        {**entry, "needs": entry["needs"][:-1]},
        {**entry, "stand_ins": {**entry["stand_ins"], "word": 7}},
    ):
        path.write_text(json.dumps(broken), "utf-8")
        again = Matcher(units)
        assert (again._needs, again._table, again.stand_ins) == (cold._needs, cold._table, cold.stand_ins)
        assert json.loads(path.read_text("utf-8")) == entry  # replaced by the data derived again
