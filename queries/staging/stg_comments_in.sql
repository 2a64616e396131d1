-- macro: stg_comments_in(first_day, last_day, only_article)
-- description: Published comments with their UTC day and ISO week, the commenter's pseudonym (or the raw name when it was kept on purpose), and their scores (VADER's sentiment, the model's reader tone, skepticism; NULL where not scored yet); only those posted from first_day to last_day and of the article only_article, where these are not NULL. The comments are chosen before their scores are joined, so a short period reads few score rows.

WITH
chosen AS (
    -- The day of a comment is its date in the connection's time zone (UTC for readerpulse):
    -- posted on first_day..last_day is posted from first_day's midnight to the midnight after
    -- last_day, a plain comparison of instants that needs no conversion per row.
    SELECT *, CAST(posted_at AS DATE) AS posted_day
    FROM comments
    WHERE status = 'published'
      AND (CAST(first_day AS DATE) IS NULL OR posted_at >= CAST(CAST(first_day AS DATE) AS TIMESTAMPTZ))
      AND (CAST(last_day AS DATE) IS NULL OR posted_at < CAST(CAST(last_day AS DATE) + 1 AS TIMESTAMPTZ))
      AND (CAST(only_article AS VARCHAR) IS NULL OR article_id = CAST(only_article AS VARCHAR))
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
    t.tone,
    t.tone_label,
    k.skeptical,
    k.score AS skepticism_score,
    k.cues AS skepticism_cues
FROM chosen AS c
LEFT JOIN sentiment AS s USING (comment_pk)
LEFT JOIN tone AS t USING (comment_pk)
LEFT JOIN skepticism AS k USING (comment_pk)
