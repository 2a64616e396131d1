-- name: passage_discussion
-- description: The most-discussed passages of each article (by the comments that respond to them best) with those comments' sentiment.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: top INTEGER = 3 -- passages per article

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
),

per_passage AS (
    SELECT
        l.article_id,
        l.passage_no,
        count(*) AS comments,
        avg(l.sentiment) AS mean_sentiment,
        count(*) FILTER (WHERE l.sentiment_label = 'negative') AS negative_comments,
        count(*) FILTER (WHERE l.sentiment_label = 'positive') AS positive_comments,
        count(*) FILTER (WHERE l.skeptical) AS skeptical_comments
    FROM stg_passage_links AS l
    WHERE l.comment_pk IN (SELECT comment_pk FROM scoped)
    GROUP BY ALL
),

ranked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY article_id ORDER BY comments DESC, passage_no) AS rank
    FROM per_passage
)

SELECT
    r.article_id,
    a.article_title,
    r.rank,
    r.passage_no,
    p.kind AS passage_kind,
    p.passage_text,
    r.comments,
    round(r.mean_sentiment, 3) AS mean_sentiment,
    r.negative_comments,
    r.positive_comments,
    r.skeptical_comments
FROM ranked AS r
JOIN stg_articles AS a USING (article_id)
JOIN stg_passages AS p USING (article_id, passage_no)
WHERE r.rank <= $top
ORDER BY r.article_id, r.rank
