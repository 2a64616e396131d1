-- Every readable staged comment by its key: the stored comment with that key (comment_pk, NULL
-- when the comment is new), its place among the file's comments with the same key (nth > 1: the
-- id repeats an earlier comment of the article) and whether it has a key at all.
CREATE OR REPLACE TEMP TABLE _rp_keys AS
SELECT s.ord, s.article_id, s.comment_id, s.parent_id, c.comment_pk,
       row_number() OVER (PARTITION BY s.article_id, s.comment_id ORDER BY s.ord) AS nth,
       s.comment_id IS NULL OR trim(s.comment_id) = '' OR s.article_id IS NULL AS missing
FROM _rp_stage s
LEFT JOIN comments c ON c.article_id = s.article_id AND c.comment_id = s.comment_id
WHERE s.reason IS NULL
