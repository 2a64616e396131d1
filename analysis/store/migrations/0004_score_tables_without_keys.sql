-- 0004: the score tables lose their PRIMARY KEY constraints.
--
-- Every score table is written only by `readerpulse score`, which deletes a batch's rows and
-- inserts its new ones in one transaction (analysis/score/runner.py), so a comment never has two
-- rows of the same scorer; tests/score/test_runner.py checks it after repeated and interrupted
-- runs. The keys' indexes cost two thirds of the time spent writing scores (about 0.9 s of
-- every 100,000 comments, against 0.3 s without them) and memory that grows with the archive.
-- DuckDB cannot drop a primary key in place: each table is rebuilt with its rows.

CREATE TABLE scored_0004 (
    comment_pk  BIGINT NOT NULL,
    scorer      VARCHAR NOT NULL,
    run_id      INTEGER NOT NULL
);
INSERT INTO scored_0004 SELECT comment_pk, scorer, run_id FROM scored;
DROP TABLE scored;
ALTER TABLE scored_0004 RENAME TO scored;

CREATE TABLE sentiment_0004 (
    comment_pk  BIGINT NOT NULL,
    neg         DOUBLE NOT NULL,
    neu         DOUBLE NOT NULL,
    pos         DOUBLE NOT NULL,
    compound    DOUBLE NOT NULL,
    label       VARCHAR NOT NULL,           -- 'positive' (compound >= 0.05), 'negative' (<= -0.05), 'neutral'
    run_id      INTEGER NOT NULL
);
INSERT INTO sentiment_0004 SELECT comment_pk, neg, neu, pos, compound, label, run_id FROM sentiment;
DROP TABLE sentiment;
ALTER TABLE sentiment_0004 RENAME TO sentiment;

CREATE TABLE sentence_sentiment_0004 (
    comment_pk   BIGINT NOT NULL,
    sentence_no  INTEGER NOT NULL,
    text         VARCHAR NOT NULL,
    neg          DOUBLE NOT NULL,
    neu          DOUBLE NOT NULL,
    pos          DOUBLE NOT NULL,
    compound     DOUBLE NOT NULL,
    label        VARCHAR NOT NULL,
    run_id       INTEGER NOT NULL
);
INSERT INTO sentence_sentiment_0004
SELECT comment_pk, sentence_no, text, neg, neu, pos, compound, label, run_id FROM sentence_sentiment;
DROP TABLE sentence_sentiment;
ALTER TABLE sentence_sentiment_0004 RENAME TO sentence_sentiment;

CREATE TABLE topic_hits_0004 (
    comment_pk  BIGINT NOT NULL,
    topic       VARCHAR NOT NULL,
    score       DOUBLE NOT NULL,
    evidence    VARCHAR[] NOT NULL,         -- the terms and phrases that matched
    run_id      INTEGER NOT NULL
);
INSERT INTO topic_hits_0004 SELECT comment_pk, topic, score, evidence, run_id FROM topic_hits;
DROP TABLE topic_hits;
ALTER TABLE topic_hits_0004 RENAME TO topic_hits;

CREATE TABLE skepticism_0004 (
    comment_pk  BIGINT NOT NULL,
    score       DOUBLE NOT NULL,            -- 0..1
    skeptical   BOOLEAN NOT NULL,
    cues        VARCHAR[] NOT NULL,
    run_id      INTEGER NOT NULL
);
INSERT INTO skepticism_0004 SELECT comment_pk, score, skeptical, cues, run_id FROM skepticism;
DROP TABLE skepticism;
ALTER TABLE skepticism_0004 RENAME TO skepticism;

CREATE TABLE passage_links_0004 (
    comment_pk  BIGINT NOT NULL,
    article_id  VARCHAR NOT NULL,
    passage_no  INTEGER NOT NULL,
    rank        INTEGER NOT NULL,           -- 1 = the best match
    similarity  DOUBLE NOT NULL,
    method      VARCHAR NOT NULL,
    run_id      INTEGER NOT NULL
);
INSERT INTO passage_links_0004
SELECT comment_pk, article_id, passage_no, rank, similarity, method, run_id FROM passage_links;
DROP TABLE passage_links;
ALTER TABLE passage_links_0004 RENAME TO passage_links;
