-- name: article_topics
-- description: The topic mix of each article's comments: comments per topic, their share of the article's comments and their mean sentiment.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)

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
),

article_comments AS (
    SELECT article_id, count(*) AS comments
    FROM scoped
    GROUP BY article_id
)

SELECT
    h.article_id,
    h.topic,
    h.topic_label,
    count(*) AS comments,
    round(count(*) / any_value(a.comments), 3) AS share,
    round(avg(h.sentiment), 3) AS mean_sentiment
FROM stg_topic_hits AS h
JOIN article_comments AS a USING (article_id)
WHERE h.comment_pk IN (SELECT comment_pk FROM scoped)
GROUP BY h.article_id, h.topic, h.topic_label
ORDER BY h.article_id, comments DESC, h.topic
