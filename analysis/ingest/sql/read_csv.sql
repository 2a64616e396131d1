-- CSV with a header row, every column text; strict: a ragged row or bad UTF-8 is an error.
SELECT row_number() OVER () AS ord, *
FROM read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
              strict_mode = true, encoding = 'utf-8')
