-- JSON Lines: one row per non-blank line, numbered from 1 as `ord`, every column text; a line that
-- is not a record is a row of NULLs (ignore_errors), explained afterwards by its line. $columns
-- holds no key named `ord` (any case): scan.jsonl_scan leaves such keys out.
SELECT row_number() OVER () AS ord, *
FROM read_json($path, format = 'newline_delimited', records = true, columns = $columns, ignore_errors = true)
