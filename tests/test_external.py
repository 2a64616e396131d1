"""The real labelled sets: read in place, split once by a hash into train and held-out parts."""

from __future__ import annotations

from readerpulse import external

from tests.conftest import shared_path


def test_parts_are_disjoint_and_complete() -> None:
    root = shared_path("external")
    for loader in (external.tweeteval, external.goemotions, external.rumoureval):
        every = loader(root, "all")
        train, heldout = loader(root, "train"), loader(root, "heldout")
        assert set(train["id"]).isdisjoint(heldout["id"])
        assert train.height + heldout.height == every.height
        assert 0.1 < heldout.height / every.height < 0.3


def test_rumoureval_threads_stay_on_one_side_and_labels() -> None:
    root = shared_path("external")
    train, heldout = external.rumoureval(root, "train"), external.rumoureval(root, "heldout")
    assert set(train["thread"]).isdisjoint(heldout["thread"])
    assert set(train["skepticism"].unique()) == {0, 1}
    goemotions = external.goemotions(root, "all")
    assert set(goemotions["tone_class"].unique()) == {"negative", "neutral", "positive"}
