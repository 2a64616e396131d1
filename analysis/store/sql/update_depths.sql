-- Stored comments whose reply depth the file changed (a parent that arrived after its replies).
UPDATE comments SET depth = d.depth
FROM (SELECT node AS comment_pk, depth FROM _rp_depths WHERE node > 0) d
WHERE comments.comment_pk = d.comment_pk AND comments.depth <> d.depth
