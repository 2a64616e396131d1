-- The comments of the file being imported, as read and checked, before they are merged into
-- `comments`: ord is the record's place in the file, reason why it is rejected (NULL: accepted),
-- recheck whether its reader is to judge it again from the file (ingest/sql/check_comments.sql).
CREATE OR REPLACE TEMP TABLE _rp_stage (
    ord         BIGINT NOT NULL,
    location    VARCHAR,
    article_id  VARCHAR,
    comment_id  VARCHAR,
    parent_id   VARCHAR,
    author      VARCHAR,
    posted_at   TIMESTAMPTZ,
    text        VARCHAR,
    status      VARCHAR,
    reason      VARCHAR,
    raw         VARCHAR,
    recheck     BOOLEAN
)
