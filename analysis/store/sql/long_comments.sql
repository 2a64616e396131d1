-- A note for every comment a reader staged (ord above $offset) that is longer than the scorers
-- read ($limit characters, bounds.py): it is kept whole, and scored on its first part.
INSERT INTO rejects (source_id, location, reason, raw)
SELECT $source_id, location, format($long_reason, length(text)), left(text, $raw_chars)
FROM _rp_stage
WHERE ord > $offset AND reason IS NULL AND strlen(text) > $limit AND length(text) > $limit
ORDER BY ord
