"""Topic tagging: aliases, look-alikes, negation, questions, sarcasm, evidence and scores."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.score.taxonomy import Taxonomy, load_taxonomy, parse_taxonomy
from analysis.score.topics import score_topics, topics_frame


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def topics_of(text: str, taxonomy: Taxonomy) -> set[str]:
    hits = score_topics(pl.DataFrame({"comment_pk": [1], "text": [text]}), taxonomy)
    return set(hits["topic"].to_list())


def hit(text: str, topic: str, taxonomy: Taxonomy) -> dict[str, object]:
    hits = score_topics(pl.DataFrame({"comment_pk": [1], "text": [text]}), taxonomy)
    rows = hits.filter(pl.col("topic") == topic).to_dicts()
    assert rows, f"{topic} not found in {text!r}"
    return rows[0]


# Look-alikes: the word is there, the topic is not.
@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("UN-believable scenes at the border today, cars everywhere and nothing moving.", "un_inaction"),
        ("UN-acceptable queue at the Goris pharmacy, nothing works.", "un_inaction"),
        ("Made a Russian salad for the welcome dinner at the shelter.", "russia_role"),
        ("Moscow mule is my drink of choice after this week.", "russia_role"),
        ("my Russian wife keeps saying the whole thing is a tragedy", "russia_role"),
        ("A Russian-speaking reporter interviewed families at the border.", "russia_role"),
        ("my cat is the only real peacekeeper in this house", "russia_role"),
        ("I work in casualty insurance and our client is worried about his family.", "casualty_trust"),
        ("Took the kids to an action movie, the body count was ridiculous so we left.", "casualty_trust"),
        ("The body count in that Netflix war series was absurd.", "casualty_trust"),
        ("My phone battery died after 12 hours at the border.", "casualty_trust"),
        ("Roast turkey for the refugees' dinner tonight, donated by a local restaurant.", "turkey_role"),
    ],
)
def test_look_alikes_do_not_match(text: str, topic: str, taxonomy: Taxonomy) -> None:
    assert topic not in topics_of(text, taxonomy)


# The topic without its obvious keyword: readers use other names.
@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("The Kremlin decided Karabakh was not worth the trouble.", "russia_role"),
        ("Moscow made its deal with Baku long ago.", "russia_role"),
        ("Where were the peacekeepers on the 19th?", "russia_role"),
        ("Lavrov says everything went to plan.", "russia_role"),
        ("The Security Council couldn't even agree on a statement.", "un_inaction"),
        ("International law is dead, it died in Syria.", "un_inaction"),
        ("The ICJ ordered the road opened and it was ignored for months.", "un_inaction"),
        ("Real body count is way higher.", "casualty_trust"),
        ("Dozens killed overnight near Martakert.", "casualty_trust"),
        ("The death toll keeps climbing.", "casualty_trust"),
        ("Erdogan is openly celebrating.", "turkey_role"),
        ("The Lachin corridor was closed for nine months.", "blockade_exodus"),
        ("Red Cross convoy finally got through with food.", "humanitarian"),
        ("Pashinyan should resign.", "armenia_politics"),
        ("Macron condemned the offensive in strong words.", "western_reactions"),
    ],
)
def test_aliases_find_the_topic(text: str, topic: str, taxonomy: Taxonomy) -> None:
    assert topic in topics_of(text, taxonomy)


def test_a_body_alone_is_not_inaction(taxonomy: Taxonomy) -> None:
    assert "un_inaction" not in topics_of("The UN refugee agency registered 50,000 arrivals.", taxonomy)
    assert "un_inaction" not in topics_of("The Security Council meets at 3pm New York time.", taxonomy)


def test_inaction_alone_is_not_un_inaction(taxonomy: Taxonomy) -> None:
    assert "un_inaction" not in topics_of("Nothing happened at the border today, thank God.", taxonomy)


def test_inaction_credited_to_a_state_is_not_the_bodies(taxonomy: Taxonomy) -> None:
    text = "Russia did nothing for Karabakh but it won't forgive Armenia for the ICC vote."
    assert topics_of(text, taxonomy) >= {"russia_role"}
    assert "un_inaction" not in topics_of(text, taxonomy)


def test_negation_does_not_remove_a_topic(taxonomy: Taxonomy) -> None:
    # "not literally nothing" is still about how slow the Council is.
    text = "The Security Council did get briefed. Slow, yes, painfully slow, but not literally nothing."
    assert "un_inaction" in topics_of(text, taxonomy)


def test_questions_about_futility_count(taxonomy: Taxonomy) -> None:
    assert "un_inaction" in topics_of("Would a UN mission on the ground have changed anything?", taxonomy)
    assert "un_inaction" in topics_of("what good is a genocide convention nobody enforces", taxonomy)


def test_sarcasm_about_statements_counts(taxonomy: Taxonomy) -> None:
    text = 'The UN "urges". Everybody feel safer now?'
    found = hit(text, "un_inaction", taxonomy)
    assert found["evidence"] == ["un", "urges", "feel safer"]


def test_a_plain_statement_is_not_enough(taxonomy: Taxonomy) -> None:
    assert "un_inaction" not in topics_of("The UN urged both sides to stop fighting.", taxonomy)


def test_hits_keep_score_and_evidence(taxonomy: Taxonomy) -> None:
    found = hit("Peacekeepers. PEACEKEEPERS. What peace did they keep?", "russia_role", taxonomy)
    assert found["score"] == 0.8
    assert found["evidence"] == ["peacekeepers", "peace did they keep"]


def test_only_hits_are_returned_with_the_key_and_schema(taxonomy: Taxonomy) -> None:
    frame = pl.DataFrame({"comment_pk": [7, 8], "text": ["Moscow sold them out.", "my eyes hurt"]})
    hits = score_topics(frame, taxonomy)
    assert hits.schema == pl.Schema(
        {"comment_pk": pl.Int64, "topic": pl.String, "score": pl.Float64, "evidence": pl.List(pl.String)}
    )
    assert hits.select("comment_pk", "topic").rows() == [(7, "russia_role")]


def test_null_and_empty_texts_have_no_topics(taxonomy: Taxonomy) -> None:
    frame = pl.DataFrame({"comment_pk": [1, 2], "text": [None, ""]}, schema={"comment_pk": pl.Int64, "text": pl.String})
    assert score_topics(frame, taxonomy).height == 0


ENGINE = b"""
[topics.widgets]
label = "Widgets"
threshold = 0.6
require = ["noun"]
exclude = ["widget shop"]
[topics.widgets.groups.noun]
weight = 0.4
terms = ["widget*"]
[topics.widgets.groups.verb]
weight = 0.4
terms = ["(broke|broken)"]
"""


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("the widget broke", 0.64),  # 1 - 0.6 * 0.6
        ("widgets, widgets, widgets", None),  # one group, however often: 0.4 < 0.6
        ("it broke, it is broken", None),  # the required group is missing
        ("the widget shop broke down", None),  # look-alike masked out
    ],
)
def test_noisy_or_threshold_require_and_exclude(text: str, score: float | None) -> None:
    hits = score_topics(pl.DataFrame({"comment_pk": [1], "text": [text]}), parse_taxonomy(ENGINE))
    assert (hits["score"].to_list() or [None]) == [score]


def test_topics_frame_lists_the_taxonomy(taxonomy: Taxonomy) -> None:
    frame = topics_frame(taxonomy)
    assert frame.columns == ["topic", "label", "description"]
    assert frame.height == len(taxonomy.topics)


# Cue families added with the fifth own labelled set (docs/scoring.md, "Measured accuracy").
@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # Another country's defence ministry, Russians living abroad: not Russia's role.
        ("The MoD in Baku says 192 servicemen were killed.", "russia_role"),
        ("Russians who moved to Yerevan after 2022 are volunteering at the border too.", "russia_role"),
        ("That was the un-answerable question of the night.", "un_inaction"),
        ("The big five tech companies could fund the whole relief effort with one day of profit.", "un_inaction"),
        # Informational questions are not the rhetorical "did they even ...?".
        ("Is the Security Council meeting really at 3pm? I want to watch it live.", "un_inaction"),
        ("Has the UN actually announced where the new camp will be?", "un_inaction"),
        # "Meanwhile" alone is only a weak contrast: with the body 0.52, under the threshold.
        ("The UN opened an office in Goris. Meanwhile the buses keep arriving.", "un_inaction"),
    ],
)
def test_new_look_alikes_do_not_match(text: str, topic: str, taxonomy: Taxonomy) -> None:
    assert topic not in topics_of(text, taxonomy)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # The body implied: the P5, New York, Turtle Bay; the failure implied: habit, procedure, irony.
        ("The P5 sent their thoughts and prayers. Again.", "un_inaction"),
        ("New York will issue another statement. Wake me up when someone shows up.", "un_inaction"),
        ("Turtle Bay can condemn all it wants.", "un_inaction"),
        ("Did the Security Council even manage to agree on a statement?", "un_inaction"),
        ("The UN is alarmed. Meanwhile the buses keep leaving.", "un_inaction"),
        ("The international court exists on paper, and only on paper.", "un_inaction"),
        ("russians were sleeping in their base while the shelling went on", "russia_role"),
        ('The "peace" keepers watched the convoy from their trucks.', "russia_role"),
        ("The guarantor was busy elsewhere.", "russia_role"),
        ("Azerbaijan's health ministry hasn't released its civilian casualties.", "casualty_trust"),
    ],
)
def test_implied_bodies_and_failures_find_the_topic(text: str, topic: str, taxonomy: Taxonomy) -> None:
    assert topic in topics_of(text, taxonomy)
