-- name: notable_comments
-- description: The most skeptical and the most negative comments of each article, to quote with their time.
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
)

SELECT
    article_id,
    kind,
    rank,
    posted_at,
    commenter,
    comment_id,
    round(sentiment, 3) AS sentiment,
    round(skepticism_score, 3) AS skepticism_score,
    skepticism_cues AS cues,
    text
FROM candidates
WHERE rank <= $per_article
  AND ($kind::VARCHAR IS NULL OR kind = $kind::VARCHAR)
ORDER BY article_id, kind DESC, rank
