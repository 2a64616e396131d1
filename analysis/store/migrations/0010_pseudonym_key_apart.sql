-- 0010: the pseudonym key leaves the database. Its Python step (store.keys.move_key_out) first
-- writes the key an older database kept here to the key file beside the database (mode 0600).

DELETE FROM settings WHERE key = 'pseudonym_secret';
