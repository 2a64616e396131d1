-- What the merge has to do: records the reader rejected, keys missing or repeated in the file,
-- keys already stored (their status or text may change), new keys.
SELECT
    (SELECT count(*) FROM _rp_stage WHERE reason IS NOT NULL) AS unreadable,
    count(*) FILTER (WHERE missing OR repeats) AS bad_keys,
    count(*) FILTER (WHERE comment_pk IS NOT NULL AND NOT missing) AS stored,
    count(*) FILTER (WHERE comment_pk IS NULL AND NOT missing) AS new
FROM _rp_keys
