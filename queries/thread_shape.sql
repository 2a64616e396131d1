-- name: thread_shape
-- description: Reply depth and thread size per article: how much readers talk to each other rather than to the article.
-- param: start DATE = NULL -- first day included (default: Monday of the latest week with comments)
-- param: end DATE = NULL -- last day included (default: six days after start)
-- param: article_id VARCHAR = NULL -- only this article (default: every article)

WITH
scoped AS (
    SELECT * FROM stg_period_comments($start, $end, $article_id)
),

in_threads AS (
    SELECT c.article_id, c.comment_pk, c.depth, c.is_reply, t.thread_root
    FROM scoped AS c
    JOIN stg_threads AS t USING (comment_pk)
),

thread_sizes AS (
    SELECT article_id, thread_root, count(*) AS size
    FROM in_threads
    GROUP BY ALL
),

per_article AS (
    SELECT
        article_id,
        count(*) AS comments,
        count(*) FILTER (WHERE is_reply) AS replies,
        max(depth) AS max_depth,
        avg(depth) AS mean_depth
    FROM in_threads
    GROUP BY article_id
),

sizes AS (
    SELECT article_id, count(*) AS threads, avg(size) AS mean_thread_size, max(size) AS largest_thread
    FROM thread_sizes
    GROUP BY article_id
)

SELECT
    x.article_id,
    a.article_title,
    x.comments,
    s.threads,
    x.replies,
    round(x.replies / x.comments, 3) AS reply_share,
    round(s.mean_thread_size, 2) AS mean_thread_size,
    s.largest_thread,
    x.max_depth,
    round(x.mean_depth, 2) AS mean_depth
FROM per_article AS x
JOIN sizes AS s USING (article_id)
JOIN stg_articles AS a USING (article_id)
ORDER BY x.comments DESC, x.article_id
