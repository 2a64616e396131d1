-- name: topic_pairs
-- description: Topic co-occurrence: pairs of topics raised in the same comment, with how often and in what tone.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)
-- param: min_comments INTEGER = 1 -- only pairs seen in at least this many comments

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
),

hits AS (
    SELECT comment_pk, topic, topic_label, sentiment
    FROM stg_topic_hits
    WHERE comment_pk IN (SELECT comment_pk FROM scoped)
),

topic_totals AS (
    SELECT topic, count(*) AS comments
    FROM hits
    GROUP BY topic
)

SELECT
    a.topic AS topic_a,
    b.topic AS topic_b,
    a.topic_label AS label_a,
    b.topic_label AS label_b,
    count(*) AS comments,
    round(count(*) / any_value(ta.comments), 3) AS share_of_a,
    round(count(*) / any_value(tb.comments), 3) AS share_of_b,
    round(avg(a.sentiment), 3) AS mean_sentiment
FROM hits AS a
JOIN hits AS b ON a.comment_pk = b.comment_pk AND a.topic < b.topic
JOIN topic_totals AS ta ON ta.topic = a.topic
JOIN topic_totals AS tb ON tb.topic = b.topic
GROUP BY a.topic, b.topic, a.topic_label, b.topic_label
HAVING count(*) >= $min_comments
ORDER BY comments DESC, topic_a, topic_b
