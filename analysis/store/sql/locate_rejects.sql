-- The rejected records' real location, from their reader's own look at the file (_rp_located, by
-- ord). (Those the reader marked `recheck` have theirs already: recheck.sql.)
UPDATE _rp_rejected SET location = l.location
FROM _rp_located l
WHERE _rp_rejected.ord = l.ord
