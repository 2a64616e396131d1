-- name: article_overview
-- description: The articles commented on in the period, most-commented first: volume, commenters, replies, VADER's mean sentiment and the mean reader tone, skepticism and leading topic.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: limit INTEGER = 50 -- at most this many articles

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
),

per_article AS (
    SELECT
        article_id,
        count(*) AS comments,
        count(DISTINCT commenter) AS commenters,
        count(*) FILTER (WHERE is_reply) AS replies,
        avg(sentiment) AS mean_sentiment,
        avg(tone) AS mean_tone,
        avg(CAST(skeptical AS INTEGER)) AS skeptical_share,
        min(posted_at) AS first_comment_at,
        max(posted_at) AS last_comment_at
    FROM scoped
    GROUP BY article_id
),

topic_counts AS (
    SELECT
        article_id,
        topic_label,
        count(*) AS comments,
        row_number() OVER (PARTITION BY article_id ORDER BY count(*) DESC, topic_label) AS position
    FROM stg_topic_hits
    WHERE comment_pk IN (SELECT comment_pk FROM scoped)
    GROUP BY article_id, topic_label
)

SELECT
    x.article_id,
    a.article_title,
    a.outlet,
    a.url,
    a.published_at,
    x.comments,
    x.commenters,
    x.replies,
    round(x.mean_sentiment, 3) AS mean_sentiment,
    round(x.skeptical_share, 3) AS skeptical_share,
    t.topic_label AS top_topic,
    x.first_comment_at,
    x.last_comment_at,
    round(x.mean_tone, 3) AS mean_tone
FROM per_article AS x
JOIN stg_articles AS a USING (article_id)
LEFT JOIN topic_counts AS t ON t.article_id = x.article_id AND t.position = 1
ORDER BY x.comments DESC, x.article_id
LIMIT $limit
