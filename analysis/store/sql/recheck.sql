-- The records a reader marked `recheck`, judged again from their lines (_rp_located, by ord: the
-- reader's own look at the file): their real location, the line's reason where it gives one (else
-- the reader's), and the line's text for the rejected ones.
UPDATE _rp_stage SET
    location = l.location,
    reason = coalesce(l.reason, _rp_stage.reason),
    raw = CASE WHEN coalesce(l.reason, _rp_stage.reason) IS NOT NULL THEN l.raw END
FROM _rp_located l
WHERE _rp_stage.ord = l.ord
