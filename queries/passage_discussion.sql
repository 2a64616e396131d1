-- name: passage_discussion
-- description: The most-discussed passages of each article (by the comments that respond to them best) with those comments' sentiment.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: top INTEGER = 3 -- passages per article

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
