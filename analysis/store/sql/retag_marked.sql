-- The comments marked scored by $scorer in one of $runs, and whether each is still published.
CREATE OR REPLACE TEMP TABLE _rp_marked AS
SELECT s.comment_pk, s.run_id, c.status = 'published' AS published
FROM scored s JOIN comments c USING (comment_pk)
WHERE s.scorer = $scorer AND list_contains($runs, s.run_id)
