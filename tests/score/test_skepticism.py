"""Skepticism about verification: cue families, negation, questions, sarcasm, look-alikes."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.score import skepticism
from analysis.score.skepticism import FAMILIES, THRESHOLD, score_skepticism


def judge(text: str) -> dict[str, object]:
    rows = score_skepticism(pl.DataFrame({"comment_pk": [1], "text": [text]})).to_dicts()
    return rows[0]


def test_seed_example_is_skeptical_with_its_cues() -> None:
    found = judge(
        "The situation looks bad, but how reliable are these casualty numbers? "
        "Would be nice to have some independent verification."
    )
    assert found["skeptical"] is True
    assert found["cues"] == ["verification: independent verification", "reliability_question: how reliable"]
    assert found["score"] == round(1 - (1 - 0.85) * (1 - 0.75), 4)


@pytest.mark.parametrize(
    "text",
    [
        "Honestly I doubt either number is the real one.",
        "Can't verify anything coming out of there.",
        "Who verified these figures? Nobody.",
        "Those numbers are clearly exaggerated.",
        "Armenian sources inflate every death toll.",
        "Propaganda machine working overtime.",
        "Somebody's lying, and I'm not sure it's the one you think.",
        "Either it was an army or the number is made up.",
        "Somebody's math is off.",
        "Real body count is way higher.",
        "The number of wounded is surely higher than what the ministry admits.",
        "If that figure holds up once monitors get in, this was a war.",
        "Biased reporting as usual.",
        "Take anything either ministry says with a grain of salt.",
        "I'll believe it when independent journalists confirm it.",
        "That video has been debunked twice already.",
        "Satellite images of new graves say otherwise.",
        "Hard to trust anything when journalists can't get in.",
        "Sounds like a Kremlin talking point to me.",
        "how many soldiers did they lose? they never publish that",
    ],
)
def test_doubt_about_facts_is_skeptical(text: str) -> None:
    assert judge(text)["skeptical"] is True


@pytest.mark.parametrize(
    "text",
    [
        "and you believe the MoD? the same MoD that said there were no troops in Crimea?",
        "How can anyone count accurately after an explosion like that?",
        "Is there any source for that 400 wounded number?",
    ],
)
def test_questions_about_reliability_are_skeptical(text: str) -> None:
    assert judge(text)["skeptical"] is True


@pytest.mark.parametrize(
    "text",
    [
        "How can I help the families arriving in Goris?",
        "Is the Lachin road open for aid trucks yet? Anyone know?",
        "Genuine question: can the General Assembly actually do anything here?",
        "now 170 dead?? People were queuing for fuel.",
        "Do you believe peace is possible now?",
    ],
)
def test_other_questions_are_not(text: str) -> None:
    assert judge(text)["skeptical"] is False


@pytest.mark.parametrize(
    "text",
    [
        'Baku says he is wanted for "financing terrorism". Sure, and I\'m the Queen of England.',
        "Yeah right, only military targets.",
        'Baku\'s "precision strikes" hit a kindergarten. Precision, my foot.',
        "Zero civilians killed according to Baku. Right. And the funerals are for actors?",
        "Don't insult our intelligence, Baku.",
        "@baku_student nice try. Same copy-paste sentence as 20 other students.",
    ],
)
def test_sarcastic_disbelief_is_skeptical(text: str) -> None:
    assert judge(text)["skeptical"] is True


@pytest.mark.parametrize(
    "text",
    [
        "I don't doubt the numbers at all, the Red Cross confirmed them.",
        "im not saying its fake, it's just heartbreaking",
        "Not saying it's propaganda, just that it's sad.",
        "No doubt this is the darkest week in decades.",
        "No lie, the volunteers in Goris are the best people I've met.",
        "Nobody is exaggerating when they call it a catastrophe.",
    ],
)
def test_negated_cues_do_not_fire(text: str) -> None:
    found = judge(text)
    assert found["skeptical"] is False, found["cues"]


@pytest.mark.parametrize(
    "text",
    [
        "Just verified by phone with my cousin: she crossed this morning.",
        "That's how you make a death toll credible.",
        "I can't believe how brave the volunteers are.",
        "I doubt I'll sleep tonight after reading this.",
        "Humanitarian crisis seems like an understatement.",
        "The 400 wounded figure is probably in the right ballpark.",
        "The UN Secretary-General \"urges an immediate end to the fighting\". He urged.",
    ],
)
def test_look_alikes_are_not_skeptical(text: str) -> None:
    found = judge(text)
    assert found["skeptical"] is False, found["cues"]


def test_a_mocking_quote_alone_is_below_the_threshold() -> None:
    found = judge('and now he sits in his office saying "Armenia is not involved". not involved??')
    assert found["cues"] == ['mock_quote: saying "armenia is not involved']
    assert 0 < float(found["score"]) < THRESHOLD  # type: ignore[arg-type]


def test_scores_are_in_the_unit_interval_and_every_row_is_returned() -> None:
    texts = ["", "fake fake fake lies propaganda doubt unverified how reliable yeah right", "hello"]
    frame = score_skepticism(pl.DataFrame({"comment_pk": [1, 2, 3], "text": texts}))
    assert frame["comment_pk"].to_list() == [1, 2, 3]
    assert all(0.0 <= s <= 1.0 for s in frame["score"].to_list())
    assert frame["skeptical"].to_list() == [False, True, False]
    assert frame.schema == pl.Schema(
        {"comment_pk": pl.Int64, "score": pl.Float64, "skeptical": pl.Boolean, "cues": pl.List(pl.String)}
    )


def test_a_family_counts_once() -> None:
    assert judge("fake. fake! FAKE")["score"] == 0.85


def test_lexicon_hash_follows_the_cues(monkeypatch: pytest.MonkeyPatch) -> None:
    before = skepticism.lexicon_hash()
    assert before == skepticism.lexicon_hash()
    monkeypatch.setattr(skepticism, "FAMILIES", FAMILIES[:-1])
    assert skepticism.lexicon_hash() != before
