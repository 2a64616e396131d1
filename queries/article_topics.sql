-- name: article_topics
-- description: The topic mix of each article's comments: comments per topic, their share of the article's comments and their mean sentiment.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
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
