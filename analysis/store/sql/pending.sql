-- The published comments one of $scorers has not seen (not marked scored by all $n of them).
CREATE OR REPLACE TEMP TABLE _rp_pending AS
SELECT comment_pk FROM comments
WHERE status = 'published'
  AND comment_pk NOT IN (
      SELECT comment_pk FROM scored WHERE list_contains($scorers, scorer)
      GROUP BY comment_pk HAVING count(*) = $n)
