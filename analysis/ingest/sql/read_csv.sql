-- CSV with its header on the first line (skip = 0: else the sniffer may take a later, longer row
-- for the header and read nothing), every column text, an empty cell (quoted or not) NULL, columns
-- separated by $delimiter; strict: a ragged row or bad UTF-8 is an error.
-- Rows numbered from 1 as `ord`; a column of the file with that name (any case) is left out.
SELECT row_number() OVER () AS ord, COLUMNS(lambda c: lower(c) <> 'ord')
FROM read_csv($path, header = true, all_varchar = true, delim = $delimiter, quote = '"', escape = '"',
              strict_mode = true, encoding = 'utf-8', skip = 0)
