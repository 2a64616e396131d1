-- view: stg_comments
-- description: Published comments with their UTC day and ISO week, the commenter's pseudonym (or the raw name when it was kept on purpose), and their scores (NULL where not scored yet).

WITH
published AS (
    SELECT *
    FROM comments
    WHERE status = 'published'
),

dated AS (
    SELECT
        *,
        CAST(posted_at AS DATE) AS posted_day  -- the connection's time zone is UTC
    FROM published
)

SELECT
    c.comment_pk,
    c.article_id,
    c.comment_id,
    c.parent_id,
    c.depth,
    c.depth > 0 AS is_reply,
    coalesce(c.author_name, c.author_key, 'anonymous') AS commenter,
    c.posted_at,
    c.posted_day,
    CAST(date_trunc('week', c.posted_day) AS DATE) AS week_start,
    strftime(c.posted_day, '%G-W%V') AS iso_week,
    c.text,
    s.compound AS sentiment,
    s.label AS sentiment_label,
    k.skeptical,
    k.score AS skepticism_score,
    k.cues AS skepticism_cues
FROM dated AS c
LEFT JOIN sentiment AS s USING (comment_pk)
LEFT JOIN skepticism AS k USING (comment_pk)
