-- name: notable_comments
-- description: The most skeptical and the most negative (by VADER) comments of each article, to quote with their time, VADER's sentiment beside the model's reader tone, their topics with the evidence and their skepticism cues.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: kind VARCHAR = NULL -- 'skeptical' or 'negative' (default: both)
-- param: per_article INTEGER = 3 -- comments of each kind per article

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
),

candidates AS (
    SELECT
        'skeptical' AS kind,
        c.*,
        row_number() OVER (
            PARTITION BY c.article_id ORDER BY c.skepticism_score DESC, c.posted_at, c.comment_pk
        ) AS rank
    FROM scoped AS c
    WHERE c.skeptical
    UNION ALL BY NAME
    SELECT
        'negative' AS kind,
        c.*,
        row_number() OVER (PARTITION BY c.article_id ORDER BY c.sentiment, c.posted_at, c.comment_pk) AS rank
    FROM scoped AS c
    WHERE c.sentiment_label = 'negative'
),

quoted AS (
    SELECT *
    FROM candidates
    WHERE rank <= $per_article
      AND ($kind::VARCHAR IS NULL OR kind = $kind::VARCHAR)
),

quoted_topics AS (
    SELECT comment_pk, topics
    FROM stg_comment_topics
    WHERE comment_pk IN (SELECT comment_pk FROM quoted)
)

SELECT
    q.article_id,
    q.kind,
    q.rank,
    q.posted_at,
    q.commenter,
    q.comment_id,
    round(q.sentiment, 3) AS sentiment,
    round(q.skepticism_score, 3) AS skepticism_score,
    q.skepticism_cues AS cues,
    q.text,
    round(q.tone, 3) AS tone,
    q.tone_label,
    coalesce(t.topics, []) AS topics
FROM quoted AS q
LEFT JOIN quoted_topics AS t USING (comment_pk)
ORDER BY q.article_id, q.kind DESC, q.rank
