-- name: top_commenters
-- description: The most active commenters, by pseudonym (raw names only where they were kept on purpose), with their tone and skepticism.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: limit INTEGER = 20 -- at most this many commenters

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
)

SELECT
    commenter,
    count(*) AS comments,
    count(DISTINCT article_id) AS articles,
    count(*) FILTER (WHERE is_reply) AS replies,
    round(avg(sentiment), 3) AS mean_sentiment,
    count(*) FILTER (WHERE skeptical) AS skeptical_comments,
    min(posted_at) AS first_comment_at,
    max(posted_at) AS last_comment_at
FROM scoped
GROUP BY commenter
ORDER BY comments DESC, commenter
LIMIT $limit
