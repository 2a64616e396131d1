"""The store's bounds on a parsed batch: records dated outside the window become rejects with a
reason (an article with its passages); the rest pass unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import polars as pl
from readerpulse.store.batches import ARTICLE_SCHEMA, COMMENT_SCHEMA, PASSAGE_SCHEMA, Batch
from readerpulse.store.bounds import bound_batch

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def _comment(comment_id: str, posted_at: datetime | None, text: str = "fine") -> dict[str, object]:
    return {
        "article_id": "a",
        "comment_id": comment_id,
        "parent_id": None,
        "author": None,
        "posted_at": posted_at,
        "text": text,
        "status": "published",
        "location": f"record {comment_id}",
    }


def test_dates_outside_the_window_are_rejected_with_a_reason() -> None:
    batch = Batch(
        comments=pl.DataFrame(
            [
                _comment("old", datetime(1989, 12, 31, 23, 59, tzinfo=UTC)),
                _comment("first", datetime(1990, 1, 1, tzinfo=UTC)),
                _comment("undated", None),
                _comment("soon", NOW + timedelta(hours=23)),
                _comment("future", datetime(9999, 12, 31, tzinfo=UTC)),
            ],
            schema=COMMENT_SCHEMA,
        ),
        articles=pl.DataFrame(
            [
                {"article_id": "a", "published_at": NOW},
                {"article_id": "b", "published_at": datetime(1970, 1, 1, tzinfo=UTC)},
            ],
            schema=ARTICLE_SCHEMA,
        ),
        passages=pl.DataFrame(
            [
                {"article_id": "a", "passage_no": 0, "kind": "title", "text": "A"},
                {"article_id": "b", "passage_no": 0, "kind": "title", "text": "B"},
            ],
            schema=PASSAGE_SCHEMA,
        ),
    )
    bounded = bound_batch(batch, now=NOW)
    assert bounded.comments["comment_id"].to_list() == ["first", "undated", "soon"]
    assert bounded.articles["article_id"].to_list() == ["a"]
    assert bounded.passages["article_id"].to_list() == ["a"]  # the rejected article's passages go too
    rejects = dict(zip(bounded.rejects["location"], bounded.rejects["reason"], strict=True))
    window = "is outside the accepted dates (from 1990-01-01 to a day after the import)"
    assert rejects == {
        "record old": f"posted_at 1989-12-31 23:59:00 {window}; comment skipped",
        "record future": f"posted_at 9999-12-31 00:00:00 {window}; comment skipped",
        "article b": f"published_at 1970-01-01 00:00:00 {window}; article skipped",
    }
    raw = json.loads(bounded.rejects.filter(pl.col("location") == "record future")["raw"][0])
    assert raw["comment_id"] == "future"
