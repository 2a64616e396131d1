"""Passage links: which passages of its own article a comment most likely responds to.

TF-IDF cosine over stemmed content terms (our stop-word list), computed columnar: comment and
passage terms are exploded into rows, joined on (article_id, term), and the products summed per
(comment, passage). Document frequencies are counted over the passages of each article, so a
word every paragraph uses ("Azerbaijan") counts for little and a rarer one ("verification") for
a lot. Only body passages are linked (not the title or section headings); the best TOP_K above
MIN_SIMILARITY are kept with their rank. A comment with nothing similar enough gets no link.
"""

from __future__ import annotations

import hashlib

import polars as pl

from analysis.text import term_frame
from analysis.text.stopwords import STOPWORDS

SCORER = "links"
METHOD = "tfidf-cosine-v1"
VERSION = METHOD
TOP_K = 3
MIN_SIMILARITY = 0.15
LINKABLE_KINDS = ("paragraph", "bullet", "faq_question", "faq_answer", "narrative")
LINK_SCHEMA = {
    "comment_pk": pl.Int64,
    "article_id": pl.String,
    "passage_no": pl.Int32,
    "rank": pl.Int32,
    "similarity": pl.Float64,
    "method": pl.String,
}


def lexicon_hash() -> str:
    """SHA-256 of the stop-word list and the linking parameters."""
    payload = "\n".join(sorted(STOPWORDS)) + f"\n{METHOD} {TOP_K} {MIN_SIMILARITY} {LINKABLE_KINDS}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _weights(tf: pl.LazyFrame, idf: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """(1 + ln tf) * idf, L2-normalised per document identified by `keys`."""
    return (
        tf.join(idf, on=["article_id", "term"], how="inner")
        .with_columns(w=(1 + pl.col("tf").cast(pl.Float64).log()) * pl.col("idf"))
        .with_columns(w=pl.col("w") / (pl.col("w") ** 2).sum().sqrt().over(keys))
        .select(*keys, "term", "w")
    )


class PassageIndex:
    """TF-IDF vectors of the linkable passages, built once per scoring run."""

    def __init__(self, passages: pl.DataFrame) -> None:
        linkable = passages.filter(pl.col("kind").is_in(LINKABLE_KINDS)).select(
            "article_id", pl.col("passage_no").cast(pl.Int32), "text"
        )
        keys = ["article_id", "passage_no"]
        tf = term_frame(linkable, keys).lazy().group_by(*keys, "term").agg(tf=pl.len())
        n_docs = linkable.lazy().group_by("article_id").agg(n=pl.len())
        self.idf = (
            tf.group_by("article_id", "term")
            .agg(df=pl.len())
            .join(n_docs, on="article_id")
            .with_columns(idf=((1 + pl.col("n")) / (1 + pl.col("df"))).log() + 1)
            .select("article_id", "term", "idf")
            .collect()
        )
        self.vectors = _weights(tf, self.idf.lazy(), keys).collect()

    def link(self, comments: pl.DataFrame) -> pl.DataFrame:
        """Links of a batch of comments (comment_pk, article_id, text): the schema of passage_links."""
        keys = ["comment_pk", "article_id"]
        tf = term_frame(comments, keys).lazy().group_by(*keys, "term").agg(tf=pl.len())
        vectors = _weights(tf, self.idf.lazy(), keys)
        return (
            vectors.join(self.vectors.lazy(), on=["article_id", "term"], how="inner", suffix="_p")
            .group_by("comment_pk", "article_id", "passage_no")
            .agg(similarity=(pl.col("w") * pl.col("w_p")).sum().round(4))
            .filter(pl.col("similarity") >= MIN_SIMILARITY)
            .with_columns(
                rank=pl.col("similarity")
                .rank("ordinal", descending=True)
                .over("comment_pk", order_by="passage_no")
                .cast(pl.Int32)
            )
            .filter(pl.col("rank") <= TOP_K)
            .with_columns(method=pl.lit(METHOD))
            .select(list(LINK_SCHEMA))
            .sort("comment_pk", "rank")
            .collect()
            .cast(LINK_SCHEMA)  # type: ignore[arg-type]
        )
