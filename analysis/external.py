"""Real labelled posts from public data sets, for training and measuring tone and skepticism.

Read in place from a folder laid out like `../shared/external/` (never copied into the project):

* `tweeteval/sentiment_val_{text,labels}.txt`: tweets, 0 negative / 1 neutral / 2 positive;
* `goemotions/group_dev.tsv`: Reddit comments, text TAB label ids TAB id, ids 0 ambiguous,
  1 negative, 2 neutral, 3 positive (only the rows with one label other than ambiguous are used);
* `rumoureval2019/rumoureval2019_train_dev.csv`: replies to rumours (source posts and empty or
  `[deleted]` texts left out); `deny` or `query` counts as skeptical.

Each set is split in two, once and for all, by a hash of its rows' ids (RumourEval: of the
thread, so a thread stays on one side): `train` (80%) and `heldout` (20%). `readerpulse train`
learns from the train parts only; `evaluate` measures on the held-out parts, which no model
was fitted on (the two weights `train` gives these sets were chosen looking at them: see
docs/scoring.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import polars as pl

from .errors import UsageError

Part = Literal["train", "heldout", "all"]
HELDOUT_SHARE = 5  # one bucket of five: 20%
# tone of a 3-class label on the -1..1 scale of news-comment tone (sentiment / 2)
CLASS_TONE = {"negative": -0.5, "neutral": 0.0, "positive": 0.5}


def _held_out(key: str) -> bool:
    return hashlib.sha256(key.encode()).digest()[0] % HELDOUT_SHARE == 0


def _part(frame: pl.DataFrame, part: Part) -> pl.DataFrame:
    if part == "all":
        return frame.drop("_key")
    held = frame["_key"].map_elements(_held_out, return_dtype=pl.Boolean)
    keep = held if part == "heldout" else ~held
    return frame.filter(keep).drop("_key")


def _need(path: Path) -> Path:
    if not path.is_file():
        raise UsageError(f"{path}: missing (expected a folder laid out like shared/external/)")
    return path


def tweeteval(root: Path, part: Part = "all") -> pl.DataFrame:
    """id, text, tone_class (negative/neutral/positive)."""
    texts = _need(root / "tweeteval" / "sentiment_val_text.txt").read_text("utf-8").splitlines()
    labels = _need(root / "tweeteval" / "sentiment_val_labels.txt").read_text("utf-8").split()
    if len(texts) != len(labels):
        raise UsageError(f"{root / 'tweeteval'}: {len(texts)} texts but {len(labels)} labels")
    names = {"0": "negative", "1": "neutral", "2": "positive"}
    frame = pl.DataFrame({"id": [f"tweeteval:{i}" for i in range(len(texts))], "text": texts, "label": labels})
    frame = frame.with_columns(
        pl.col("text").str.strip_chars(), pl.col("label").replace_strict(names).alias("tone_class"), _key=pl.col("id")
    )
    return _part(frame.select("id", "text", "tone_class", "_key"), part)


def goemotions(root: Path, part: Part = "all") -> pl.DataFrame:
    """id, text, tone_class: the comments with a single label other than ambiguous."""
    path = _need(root / "goemotions" / "group_dev.tsv")
    frame = pl.read_csv(
        path, separator="\t", has_header=False, new_columns=["text", "labels", "cid"],
        quote_char=None, infer_schema=False,
    )
    names = {"1": "negative", "2": "neutral", "3": "positive"}
    frame = frame.filter(pl.col("labels").is_in(list(names))).select(
        pl.concat_str(pl.lit("goemotions:"), pl.col("cid")).alias("id"),
        "text",
        pl.col("labels").replace_strict(names).alias("tone_class"),
        pl.col("cid").alias("_key"),
    )
    return _part(frame, part)


def rumoureval(root: Path, part: Part = "all") -> pl.DataFrame:
    """id, thread, text, skepticism (1: deny or query) of the replies."""
    path = _need(root / "rumoureval2019" / "rumoureval2019_train_dev.csv")
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.filter(
        (pl.col("is_source") == "0")
        & pl.col("text").is_not_null()
        & (pl.col("text").str.strip_chars() != "")
        & (pl.col("text").str.strip_chars() != "[deleted]")
    ).select(
        pl.concat_str(pl.lit("rumoureval:"), pl.col("post_id")).alias("id"),
        pl.col("thread_id").alias("thread"),
        "text",
        pl.col("label").is_in(["deny", "query"]).cast(pl.Int8).alias("skepticism"),
        pl.col("thread_id").alias("_key"),
    )
    return _part(frame, part)
