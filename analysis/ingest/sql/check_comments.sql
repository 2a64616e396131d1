-- Comment records as a reader gives them, typed, with the reason each rejected one is rejected.
--
-- {typed} is a SELECT over one of DuckDB's readers giving, per record: ord (its ordinal in the
-- file), location, the canonical columns as trimmed text, posted_at as TIMESTAMPTZ (NULL when
-- absent or unreadable), posted_text (the value as written) and recheck (the reader is to judge
-- the record again from the file: a JSON line DuckDB could not read, or read only as text, where
-- the line may say another reason; the writer replaces the reason given here with the line's).
-- The checks are tried in order; the first that holds gives the reason; the last is the window
-- of accepted dates (store/bounds.py: $earliest, $latest, $date_reason). An empty text (or one of white
-- space only) is no text. `raw` is the record as JSON, kept for rejects only.
WITH typed AS NOT MATERIALIZED ({typed}),
checked AS NOT MATERIALIZED (
    SELECT
        *,
        coalesce(nullif(lower(status), ''), 'published') AS status_checked,
        CASE
            WHEN text IS NULL OR text = '' THEN 'comment has no text'
            WHEN comment_id IS NULL OR comment_id = '' THEN 'comment has no comment_id'
            WHEN article_id IS NULL OR article_id = '' THEN 'comment has no article_id'
            WHEN posted_text IS NOT NULL AND posted_at IS NULL
                THEN 'unrecognised timestamp in posted_at: ' || posted_text
            WHEN coalesce(nullif(lower(status), ''), 'published') NOT IN ('published', 'deleted', 'spam')
                THEN 'unknown status ' || lower(status) || ' (expected published, deleted or spam)'
            WHEN posted_at NOT BETWEEN $earliest AND $latest
                THEN format($date_reason, 'posted_at',
                            strftime(timezone('UTC', posted_at), '%Y-%m-%d %H:%M:%S'), 'comment')
        END AS reason
    FROM typed
)
SELECT
    ord,
    location,
    article_id,
    comment_id,
    nullif(parent_id, '') AS parent_id,
    nullif(author, '') AS author,
    posted_at,
    text,
    status_checked AS status,
    reason,
    CASE WHEN reason IS NOT NULL THEN json_object(
        'comment_id', comment_id, 'article_id', article_id, 'parent_id', parent_id,
        'author', author, 'posted_at', posted_text, 'text', text, 'status', status
    ) END AS raw,
    recheck
FROM checked
