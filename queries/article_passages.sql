-- name: article_passages
-- description: Every passage of the articles commented on in the period, in reading order, with the number and tone of the comments that respond to it.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
),

commented AS (
    SELECT DISTINCT article_id FROM scoped
    UNION
    SELECT $article_id::VARCHAR WHERE $article_id::VARCHAR IS NOT NULL
),

per_passage AS (
    SELECT
        l.article_id,
        l.passage_no,
        count(*) AS comments,
        avg(l.sentiment) AS mean_sentiment,
        count(*) FILTER (WHERE l.sentiment_label = 'negative') AS negative_comments,
        count(*) FILTER (WHERE l.skeptical) AS skeptical_comments
    FROM stg_passage_links AS l
    WHERE l.comment_pk IN (SELECT comment_pk FROM scoped)
    GROUP BY ALL
)

SELECT
    p.article_id,
    p.passage_no,
    p.passage_label,
    p.kind,
    p.heading,
    p.passage_text,
    coalesce(x.comments, 0) AS comments,
    round(x.mean_sentiment, 3) AS mean_sentiment,
    coalesce(x.negative_comments, 0) AS negative_comments,
    coalesce(x.skeptical_comments, 0) AS skeptical_comments
FROM stg_passages AS p
JOIN commented USING (article_id)
LEFT JOIN per_passage AS x USING (article_id, passage_no)
ORDER BY p.article_id, p.passage_no
