-- macro: stg_period(start_day, end_day, whole_span := false)
-- description: The period a query covers, one row (first_day, last_day), with a NULL start_day or end_day resolved: by default to the latest ISO week with comments (start = its Monday, end = six days after start; only an end: the seven days up to it); with whole_span := true, to the first and the last day with comments.

WITH
published_days AS (
    -- the days of stg_comments, read from comments alone (no scores needed)
    SELECT
        CAST(min(posted_at) AS DATE) AS first_comment_day,
        CAST(max(posted_at) AS DATE) AS last_comment_day
    FROM comments
    WHERE status = 'published'
),

given AS (
    SELECT
        CAST(start_day AS DATE) AS given_start,
        CAST(end_day AS DATE) AS given_end,
        coalesce(CAST(whole_span AS BOOLEAN), false) AS every_day,
        first_comment_day,
        last_comment_day,
        CAST(date_trunc('week', last_comment_day) AS DATE) AS latest_week
    FROM published_days
)

SELECT
    CASE
        WHEN every_day THEN coalesce(given_start, first_comment_day)
        ELSE coalesce(given_start, given_end - 6, latest_week)
    END AS first_day,
    CASE
        WHEN every_day THEN coalesce(given_end, last_comment_day)
        ELSE coalesce(given_end, first_day + 6)
    END AS last_day
FROM given
