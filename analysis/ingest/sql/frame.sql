-- Records read row by row in Python (a registered frame with `ord` and every column as text).
SELECT * FROM _rp_scan_frame
