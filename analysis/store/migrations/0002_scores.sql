-- 0002: scoring runs, the scores themselves, and the analysts' one-row-per-comment view.

CREATE SEQUENCE scoring_run_seq START 1;

-- One row per scorer per `readerpulse score` run: what produced the rows that cite it.
CREATE TABLE scoring_runs (
    run_id          INTEGER PRIMARY KEY,
    scorer          VARCHAR NOT NULL,       -- 'sentiment', 'topics', 'skepticism', 'links'
    scorer_version  VARCHAR NOT NULL,
    lexicon_hash    VARCHAR,                -- sha256 of the lexicon / cue list the scorer used
    taxonomy_hash   VARCHAR,                -- sha256 of the topic taxonomy file (topics scorer)
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    n_comments      INTEGER NOT NULL DEFAULT 0
);

-- Which comments each scorer has seen, hit or not (topic_hits and passage_links hold hits only).
CREATE TABLE scored (
    comment_pk  BIGINT NOT NULL,
    scorer      VARCHAR NOT NULL,
    run_id      INTEGER NOT NULL,
    PRIMARY KEY (comment_pk, scorer)
);

CREATE TABLE sentiment (
    comment_pk  BIGINT PRIMARY KEY,
    neg         DOUBLE NOT NULL,
    neu         DOUBLE NOT NULL,
    pos         DOUBLE NOT NULL,
    compound    DOUBLE NOT NULL,
    label       VARCHAR NOT NULL,           -- 'positive' (compound >= 0.05), 'negative' (<= -0.05), 'neutral'
    run_id      INTEGER NOT NULL
);

CREATE TABLE sentence_sentiment (
    comment_pk   BIGINT NOT NULL,
    sentence_no  INTEGER NOT NULL,
    text         VARCHAR NOT NULL,
    neg          DOUBLE NOT NULL,
    neu          DOUBLE NOT NULL,
    pos          DOUBLE NOT NULL,
    compound     DOUBLE NOT NULL,
    label        VARCHAR NOT NULL,
    run_id       INTEGER NOT NULL,
    PRIMARY KEY (comment_pk, sentence_no)
);

-- The taxonomy in force at the last topics run.
CREATE TABLE topics (
    topic        VARCHAR PRIMARY KEY,
    label        VARCHAR NOT NULL,
    description  VARCHAR
);

CREATE TABLE topic_hits (
    comment_pk  BIGINT NOT NULL,
    topic       VARCHAR NOT NULL,
    score       DOUBLE NOT NULL,
    evidence    VARCHAR[] NOT NULL,         -- the terms and phrases that matched
    run_id      INTEGER NOT NULL,
    PRIMARY KEY (comment_pk, topic)
);

CREATE TABLE skepticism (
    comment_pk  BIGINT PRIMARY KEY,
    score       DOUBLE NOT NULL,            -- 0..1
    skeptical   BOOLEAN NOT NULL,
    cues        VARCHAR[] NOT NULL,
    run_id      INTEGER NOT NULL
);

CREATE TABLE passage_links (
    comment_pk  BIGINT NOT NULL,
    article_id  VARCHAR NOT NULL,
    passage_no  INTEGER NOT NULL,
    rank        INTEGER NOT NULL,           -- 1 = the best match
    similarity  DOUBLE NOT NULL,
    method      VARCHAR NOT NULL,
    run_id      INTEGER NOT NULL,
    PRIMARY KEY (comment_pk, passage_no)
);

CREATE VIEW comment_facts AS
WITH
hits AS (
    SELECT comment_pk, list(topic ORDER BY topic) AS topics
    FROM topic_hits
    GROUP BY comment_pk
),
best_link AS (
    SELECT comment_pk, passage_no, similarity
    FROM passage_links
    WHERE rank = 1
)
SELECT
    c.comment_pk,
    c.comment_id,
    c.article_id,
    c.parent_id,
    c.depth,
    c.author_key,
    c.author_name,
    c.posted_at,
    c.text,
    s.neg,
    s.neu,
    s.pos,
    s.compound,
    s.label AS sentiment_label,
    coalesce(h.topics, []::VARCHAR[]) AS topics,
    k.score AS skepticism_score,
    k.skeptical,
    k.cues AS skepticism_cues,
    l.passage_no,
    p.kind AS passage_kind,
    p.text AS passage_text,
    l.similarity AS passage_similarity
FROM comments c
LEFT JOIN sentiment s USING (comment_pk)
LEFT JOIN hits h USING (comment_pk)
LEFT JOIN skepticism k USING (comment_pk)
LEFT JOIN best_link l USING (comment_pk)
LEFT JOIN passages p ON p.article_id = c.article_id AND p.passage_no = l.passage_no
WHERE c.status = 'published';
