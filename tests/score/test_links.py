"""Passage links: TF-IDF cosine within the comment's own article, top-k, minimum similarity."""

from __future__ import annotations

import math
from collections import Counter

import duckdb
import polars as pl
import pytest
from readerpulse.ingest.api import ingest
from readerpulse.score.links import LINK_SCHEMA, METHOD, MIN_SIMILARITY, TOP_K, PassageIndex
from readerpulse.text import content_terms

from tests.conftest import SAMPLE

PASSAGES = pl.DataFrame(
    {
        "article_id": ["a"] * 6 + ["b"],
        "passage_no": [0, 1, 2, 3, 4, 5, 1],
        "kind": ["title", "heading", "paragraph", "paragraph", "faq_answer", "paragraph", "paragraph"],
        "text": [
            "Casualty figures await independent verification",
            "Casualty figures",
            "The ombudsman said 200 people were killed. The figures await independent verification.",
            "Russian peacekeepers escorted a delegation to Yevlakh for talks.",
            "Residents faced food and medicine shortages due to the blockade.",
            "France requested an emergency meeting of the Security Council.",
            "Casualty figures and independent verification, word for word.",
        ],
    }
).with_columns(pl.col("passage_no").cast(pl.Int32))


def link(texts: list[str], article: str = "a", passages: pl.DataFrame = PASSAGES) -> pl.DataFrame:
    comments = pl.DataFrame(
        {"comment_pk": list(range(1, len(texts) + 1)), "article_id": [article] * len(texts), "text": texts}
    )
    return PassageIndex(passages).link(comments)


def test_comment_links_to_the_passage_it_responds_to() -> None:
    links = link(["How reliable are these casualty figures? Who did the independent verification?"])
    assert links.schema == pl.Schema(LINK_SCHEMA)
    best = links.row(0, named=True)
    assert (best["passage_no"], best["rank"], best["method"]) == (2, 1, METHOD)
    assert MIN_SIMILARITY <= best["similarity"] <= 1


def test_titles_and_headings_are_not_linked() -> None:
    links = link(["Casualty figures await independent verification"])
    assert set(links["passage_no"].to_list()) <= {2, 3, 4, 5}


def test_only_passages_of_the_comments_own_article() -> None:
    assert link(["casualty figures, independent verification"], article="a")["article_id"].unique().to_list() == ["a"]
    assert link(["casualty figures, independent verification"], article="b")["passage_no"].to_list() == [1]


def test_no_link_when_nothing_is_similar_enough() -> None:
    assert link(["Does this comment section have a dark mode? my eyes hurt"]).height == 0
    assert link([""]).height == 0


def test_ranks_are_ordered_and_at_most_top_k() -> None:
    links = link(["peacekeepers blockade food medicine figures verification meeting Security Council killed"])
    assert 1 <= links.height <= TOP_K
    assert links["rank"].to_list() == list(range(1, links.height + 1))
    sims = links["similarity"].to_list()
    assert sims == sorted(sims, reverse=True)


def _brute_force(comment: str, passages: list[str]) -> list[float]:
    docs = [Counter(content_terms(p)) for p in passages]
    n = len(docs)
    df = Counter(term for doc in docs for term in doc)
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}

    def vector(counts: Counter[str]) -> dict[str, float]:
        weights = {t: (1 + math.log(c)) * idf[t] for t, c in counts.items() if t in idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    query = vector(Counter(content_terms(comment)))
    return [round(sum(query.get(t, 0.0) * w for t, w in vector(doc).items()), 4) for doc in docs]


def test_similarity_is_tfidf_cosine() -> None:
    comment = "Who verified the 200 killed? Russian peacekeepers and the blockade again."
    body = PASSAGES.filter((pl.col("article_id") == "a") & pl.col("kind").is_in(["paragraph", "faq_answer"]))
    expected = dict(zip(body["passage_no"].to_list(), _brute_force(comment, body["text"].to_list()), strict=True))
    links = link([comment])
    assert {r["passage_no"]: r["similarity"] for r in links.iter_rows(named=True)} == {
        p: s for p, s in sorted(expected.items(), key=lambda kv: -kv[1])[:TOP_K] if s >= MIN_SIMILARITY
    }


@pytest.fixture
def sample_db(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    pytest.importorskip("readerpulse.ingest.page")
    ingest(conn, [SAMPLE])
    return conn


def test_seed_comment_links_to_the_casualty_paragraph(sample_db: duckdb.DuckDBPyConnection) -> None:
    passages = sample_db.sql("SELECT article_id, passage_no, kind, text FROM passages").pl()
    comments = sample_db.sql("SELECT comment_pk, article_id, text FROM comments WHERE text LIKE '%how reliable%'").pl()
    best = PassageIndex(passages).link(comments).row(0, named=True)
    text = passages.filter(
        (pl.col("article_id") == best["article_id"]) & (pl.col("passage_no") == best["passage_no"])
    )["text"][0]
    assert "The figures await independent verification." in text
