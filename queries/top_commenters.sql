-- name: top_commenters
-- description: The most active commenters, by pseudonym (raw names only where they were kept on purpose), with their tone and skepticism.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: limit INTEGER = 20 -- at most this many commenters

WITH
given AS (
    SELECT
        $start::DATE AS given_start,
        $end::DATE AS given_end,
        (SELECT max(week_start) FROM stg_comments) AS latest_week
),

params AS (
    SELECT
        coalesce(given_start, given_end - 6, latest_week) AS first_day,
        coalesce(given_end, first_day + 6) AS last_day,
        $article_id::VARCHAR AS article_id
    FROM given
),

scoped AS (
    SELECT c.*
    FROM stg_comments AS c, params AS p
    WHERE c.posted_day BETWEEN p.first_day AND p.last_day
      AND (p.article_id IS NULL OR c.article_id = p.article_id)
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
