-- The rejected records' real location (and, for those the reader could not read at all, the
-- reason and the text) from their reader's own look at the file (_rp_located, by ord). A record
-- that was a JSON object after all, with none of the canonical fields, has no text.
UPDATE _rp_rejected SET
    location = l.location,
    reason = CASE WHEN _rp_rejected.reason = 'unreadable record'
                  THEN coalesce(l.reason, 'comment has no text')
                  ELSE _rp_rejected.reason END,
    raw = CASE WHEN _rp_rejected.reason = 'unreadable record' THEN l.raw ELSE _rp_rejected.raw END
FROM _rp_located l
WHERE _rp_rejected.ord = l.ord
