-- A reader's records mapped onto the canonical columns (input of check_comments.sql).
-- {source} gives `ord` and the file's columns; {columns} are the typed canonical columns; {recheck}
-- says which records the reader is to judge again from the file (scan.CommentScan.locate).
SELECT ord, {location} AS location, {columns}, {recheck} AS recheck FROM ({source})
