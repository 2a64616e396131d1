-- 0001: sources, articles, passages, comments, rejects, settings.

CREATE TABLE settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE SEQUENCE source_id_seq START 1;

-- One row per import attempt of a file. status: 'loaded' or 'failed'.
CREATE TABLE sources (
    source_id    INTEGER PRIMARY KEY,
    path         VARCHAR NOT NULL,
    format       VARCHAR,
    sha256       VARCHAR NOT NULL,
    size_bytes   BIGINT NOT NULL,
    imported_at  TIMESTAMPTZ NOT NULL,
    status       VARCHAR NOT NULL,
    error        VARCHAR,
    n_articles   INTEGER NOT NULL DEFAULT 0,
    n_passages   INTEGER NOT NULL DEFAULT 0,
    n_comments   INTEGER NOT NULL DEFAULT 0,
    n_rejects    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    article_id    VARCHAR PRIMARY KEY,
    url           VARCHAR,
    outlet        VARCHAR,
    title         VARCHAR,
    byline        VARCHAR,
    published_at  TIMESTAMPTZ,
    source_id     INTEGER NOT NULL
);

-- The article text split into passages. kind: title, heading, paragraph, bullet,
-- faq_question, faq_answer, narrative.
CREATE TABLE passages (
    article_id  VARCHAR NOT NULL,
    passage_no  INTEGER NOT NULL,
    kind        VARCHAR NOT NULL,
    heading     VARCHAR,
    text        VARCHAR NOT NULL,
    PRIMARY KEY (article_id, passage_no)
);

CREATE SEQUENCE comment_pk_seq START 1;

-- comment_id and parent_id are the source's own ids, unique within an article.
-- status: 'published', 'deleted' (kept, text may be empty) or 'spam' (flagged by the platform).
CREATE TABLE comments (
    comment_pk   BIGINT PRIMARY KEY DEFAULT nextval('comment_pk_seq'),
    article_id   VARCHAR NOT NULL,
    comment_id   VARCHAR NOT NULL,
    parent_id    VARCHAR,
    depth        INTEGER NOT NULL DEFAULT 0,
    author_key   VARCHAR,
    author_name  VARCHAR,
    posted_at    TIMESTAMPTZ,
    text         VARCHAR NOT NULL,
    status       VARCHAR NOT NULL DEFAULT 'published',
    source_id    INTEGER NOT NULL,
    UNIQUE (article_id, comment_id)
);

CREATE TABLE rejects (
    source_id  INTEGER NOT NULL,
    location   VARCHAR NOT NULL,
    reason     VARCHAR NOT NULL,
    raw        VARCHAR
);
