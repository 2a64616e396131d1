-- Every key (article_id, comment_id) of the readable staged comments, once: its first record's
-- ord and parent_id, whether later records repeat it, whether it is a key at all (missing), and
-- the stored comment with that key (comment_pk, NULL when the comment is new).
CREATE OR REPLACE TEMP TABLE _rp_keys AS
SELECT k.ord, k.article_id, k.comment_id, k.parent_id, k.repeats, c.comment_pk,
       k.comment_id IS NULL OR trim(k.comment_id) = '' OR k.article_id IS NULL AS missing
FROM (
    SELECT article_id, comment_id, min(ord) AS ord, arg_min(parent_id, ord) AS parent_id,
           count(*) > 1 AS repeats
    FROM _rp_stage
    WHERE reason IS NULL
    GROUP BY article_id, comment_id
) k
LEFT JOIN comments c ON c.article_id = k.article_id AND c.comment_id = k.comment_id
