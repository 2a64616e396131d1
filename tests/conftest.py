"""Shared test fixtures."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from readerpulse.score.model import MODEL_ENV, save
from readerpulse.score.taxonomy import TAXONOMY_ENV
from readerpulse.store import connect

from tests.model_helpers import keyword_model

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
# The project's shared material sits beside the clone (CI puts it there too).
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The suite scores with a small taxonomy of its own, never data/topics.toml, so that an analyst
# editing the shipped file cannot break a test (tests/score/test_taxonomy.py loads the shipped
# file once, to check that it is valid).
TEST_TAXONOMY = FIXTURES / "taxonomy" / "topics.toml"
os.environ[TAXONOMY_ENV] = str(TEST_TAXONOMY)
# ... and a model of its own, never the shipped one: the keywords decide every label, the tone is
# VADER's compound (tests/model_helpers.py). Tests of the models train small ones.
_MODEL_DIR = tempfile.mkdtemp(prefix="readerpulse-test-model-")
atexit.register(shutil.rmtree, _MODEL_DIR, True)
TEST_MODEL = Path(_MODEL_DIR) / "keywords.model"
save(keyword_model(), TEST_MODEL)
os.environ[MODEL_ENV] = str(TEST_MODEL)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when that material is not beside the clone."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the project's shared material beside the repository clone)")
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def conn(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(db_path)
    yield connection
    connection.close()


# --- Queries and reports: a small scored database ------------------------------------------------
# Two articles and a stub, comments over ISO weeks 2023-W37 and 2023-W38, and hand-written score
# rows, so the query and report tests do not depend on the ingesters or the scorers.
# tests/queries/test_library.py works out every expected row from these rows.

READER_WEEK_SQL = """
INSERT INTO articles (article_id, url, outlet, title, byline, published_at, source_id) VALUES
    ('a1', 'https://news.example/a1', 'Example News', 'Talks begin on Karabakh''s future', 'Ana Writer',
     TIMESTAMPTZ '2023-09-21 08:00:00+00', 1),
    ('a2', 'https://news.example/a2', 'Example News', 'Aid convoy reaches Stepanakert', NULL,
     TIMESTAMPTZ '2023-09-12 07:00:00+00', 1),
    ('a3', NULL, NULL, NULL, NULL, NULL, 1);

INSERT INTO passages (article_id, passage_no, kind, heading, text) VALUES
    ('a1', 0, 'title', NULL, 'Talks begin on Karabakh''s future'),
    ('a1', 1, 'paragraph', NULL, 'Officials met in Yevlakh on Thursday.'),
    ('a1', 2, 'paragraph', NULL, 'Local officials reported 200 deaths.'),
    ('a1', 3, 'paragraph', NULL, 'The UN called for restraint.'),
    ('a2', 0, 'title', NULL, 'Aid convoy reaches Stepanakert'),
    ('a2', 1, 'paragraph', NULL, 'Twenty trucks crossed the Lachin corridor.'),
    ('a2', 2, 'bullet', NULL, 'Aid groups say 120,000 people need food.');

INSERT INTO comments (comment_pk, article_id, comment_id, parent_id, depth, author_key, author_name,
                      posted_at, text, status, source_id) VALUES
    (1, 'a2', 'c1', NULL, 0, 'u1', NULL, TIMESTAMPTZ '2023-09-12 10:00:00+00', 'Good to see aid arriving at last.', 'published', 1),
    (2, 'a2', 'c2', NULL, 0, 'u2', NULL, TIMESTAMPTZ '2023-09-13 09:00:00+00', 'Who verified these numbers?', 'published', 1),
    (3, 'a2', 'c3', 'c2', 1, 'u3', NULL, TIMESTAMPTZ '2023-09-13 12:00:00+00', 'Agreed.', 'published', 1),
    (4, 'a1', 'c4', NULL, 0, 'u1', NULL, TIMESTAMPTZ '2023-09-21 10:00:00+00', 'Civilians are suffering terribly.', 'published', 1),
    (5, 'a1', 'c5', NULL, 0, 'u2', NULL, TIMESTAMPTZ '2023-09-21 11:00:00+00', 'Is there any proof of these casualty numbers? Sounds like propaganda.', 'published', 1),
    (6, 'a1', 'c6', 'c5', 1, 'u4', NULL, TIMESTAMPTZ '2023-09-21 12:00:00+00', '<script>alert("x")</script> The UN must act now.', 'published', 1),
    (7, 'a1', 'c7', 'c6', 2, 'u2', NULL, TIMESTAMPTZ '2023-09-22 08:00:00+00', 'Hard to believe anything officials say.', 'published', 1),
    (8, 'a1', 'c8', NULL, 0, 'u5', 'Dana Reader', TIMESTAMPTZ '2023-09-22 09:00:00+00', 'Peace at last, hopefully.', 'published', 1),
    (9, 'a1', 'c9', NULL, 0, 'u6', NULL, TIMESTAMPTZ '2023-09-22 10:00:00+00', 'Fake fake fake, buy now', 'spam', 1),
    (10, 'a2', 'c10', NULL, 0, 'u3', NULL, TIMESTAMPTZ '2023-09-18 09:00:00+00', 'Unconfirmed reports and no source cited.', 'published', 1),
    (11, 'a2', 'c11', NULL, 0, 'u1', NULL, TIMESTAMPTZ '2023-09-24 23:30:00+00', 'Thank you for the reporting.', 'published', 1),
    (12, 'a3', 'c12', NULL, 0, 'u4', NULL, TIMESTAMPTZ '2023-09-20 15:00:00+00', 'First!', 'published', 1),
    (13, 'a1', 'c13', 'c9', 1, 'u3', NULL, TIMESTAMPTZ '2023-09-22 11:00:00+00', 'Why reply to spam?', 'published', 1);

INSERT INTO scoring_runs (run_id, scorer, scorer_version, started_at, finished_at, n_comments) VALUES
    (1, 'sentiment', 'test', TIMESTAMPTZ '2023-09-25 00:00:00+00', TIMESTAMPTZ '2023-09-25 00:00:01+00', 12),
    (2, 'topics', 'test', TIMESTAMPTZ '2023-09-25 00:00:00+00', TIMESTAMPTZ '2023-09-25 00:00:01+00', 12),
    (3, 'skepticism', 'test', TIMESTAMPTZ '2023-09-25 00:00:00+00', TIMESTAMPTZ '2023-09-25 00:00:01+00', 11),
    (4, 'links', 'test', TIMESTAMPTZ '2023-09-25 00:00:00+00', TIMESTAMPTZ '2023-09-25 00:00:01+00', 12),
    (5, 'tone', 'test', TIMESTAMPTZ '2023-09-25 00:00:00+00', TIMESTAMPTZ '2023-09-25 00:00:01+00', 11);

-- comment 12 is not scored at all; comment 13 has sentiment but no skepticism score
INSERT INTO sentiment (comment_pk, neg, neu, pos, compound, label, run_id) VALUES
    (1, 0.0, 0.5, 0.5, 0.6, 'positive', 1),
    (2, 0.2, 0.8, 0.0, -0.1, 'negative', 1),
    (3, 0.0, 1.0, 0.0, 0.0, 'neutral', 1),
    (4, 0.6, 0.4, 0.0, -0.7, 'negative', 1),
    (5, 0.5, 0.5, 0.0, -0.6, 'negative', 1),
    (6, 0.0, 0.9, 0.1, 0.1, 'positive', 1),
    (7, 0.3, 0.7, 0.0, -0.3, 'negative', 1),
    (8, 0.0, 0.5, 0.5, 0.5, 'positive', 1),
    (9, 0.9, 0.1, 0.0, -0.9, 'negative', 1),
    (10, 0.2, 0.8, 0.0, -0.2, 'negative', 1),
    (11, 0.0, 0.6, 0.4, 0.4, 'positive', 1),
    (13, 0.0, 1.0, 0.0, 0.0, 'neutral', 1);

INSERT INTO skepticism (comment_pk, score, skeptical, cues, run_id) VALUES
    (1, 0.0, false, [], 3),
    (2, 0.8, true, ['who verified'], 3),
    (3, 0.0, false, [], 3),
    (4, 0.1, false, [], 3),
    (5, 0.9, true, ['any proof', 'propaganda'], 3),
    (6, 0.0, false, [], 3),
    (7, 0.7, true, ['hard to believe'], 3),
    (8, 0.0, false, [], 3),
    (9, 0.95, true, ['fake'], 3),
    (10, 0.6, true, ['unconfirmed', 'no source'], 3),
    (11, 0.0, false, [], 3);

-- the model's reader tone: comment 12 is not scored, nor is comment 13 (VADER scored it, the model
-- did not); the two disagree on comment 6 (VADER positive, the tone negative) and 10 (VADER
-- negative, the tone neutral)
INSERT INTO tone (comment_pk, tone, tone_label, run_id) VALUES
    (1, 0.5, 'positive', 5),
    (2, -0.6, 'negative', 5),
    (3, 0.1, 'neutral', 5),
    (4, -0.3, 'negative', 5),
    (5, -0.8, 'negative', 5),
    (6, -0.5, 'negative', 5),
    (7, -0.6, 'negative', 5),
    (8, 0.3, 'positive', 5),
    (9, -0.9, 'negative', 5),
    (10, -0.1, 'neutral', 5),
    (11, 0.7, 'positive', 5);

INSERT INTO topics (topic, label, description) VALUES
    ('casualties', 'Casualty figures', 'Deaths, injuries and how they are counted'),
    ('diplomacy', 'Diplomacy and talks', 'Negotiations, the UN, governments'),
    ('humanitarian', 'Humanitarian situation', 'Aid, food, civilians');

-- evidence: the matched keywords, then the words of the comment that pushed the model most
INSERT INTO topic_hits (comment_pk, topic, score, evidence, run_id) VALUES
    (1, 'humanitarian', 1.0, ['aid'], 2),
    (2, 'casualties', 1.0, ['numbers'], 2),
    (4, 'humanitarian', 1.0, ['civilians'], 2),
    (5, 'humanitarian', 0.5, ['casualty'], 2),
    (5, 'casualties', 1.0, ['casualty numbers', 'proof'], 2),  -- a keyword, then a word of the model's
    (6, 'diplomacy', 1.0, ['UN'], 2),
    (7, 'diplomacy', 0.5, ['officials'], 2),
    (8, 'diplomacy', 1.0, ['peace'], 2),
    (9, 'diplomacy', 1.0, ['buy'], 2),
    (10, 'humanitarian', 0.5, ['reports'], 2),
    (10, 'casualties', 0.5, ['reports'], 2);

INSERT INTO passage_links (comment_pk, article_id, passage_no, rank, similarity, method, run_id) VALUES
    (1, 'a2', 1, 1, 0.5, 'test', 4),
    (2, 'a2', 2, 1, 0.4, 'test', 4),
    (4, 'a1', 2, 1, 0.6, 'test', 4),
    (4, 'a1', 1, 2, 0.3, 'test', 4),
    (5, 'a1', 2, 1, 0.7, 'test', 4),
    (6, 'a1', 3, 1, 0.5, 'test', 4),
    (7, 'a1', 1, 1, 0.3, 'test', 4),
    (8, 'a1', 1, 1, 0.4, 'test', 4),
    (9, 'a1', 3, 1, 0.9, 'test', 4),
    (10, 'a2', 2, 1, 0.5, 'test', 4);
"""


def build_reader_week(path: Path) -> Path:
    """Create the small scored database at path (see READER_WEEK_SQL) and return the path."""
    connection = connect(path)
    try:
        connection.execute(READER_WEEK_SQL)
    finally:
        connection.close()
    return path


@pytest.fixture(scope="session")
def reader_week_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scored fixture database, built once per test session; open it read-only or copy it."""
    return build_reader_week(tmp_path_factory.mktemp("reader_week") / "week.duckdb")


@pytest.fixture
def reader_week(reader_week_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the scored fixture database."""
    connection = connect(reader_week_path, read_only=True)
    yield connection
    connection.close()
