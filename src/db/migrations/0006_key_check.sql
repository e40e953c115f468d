-- 0006: the key check value (issue 11 item 10): a keyed BLAKE2b of a fixed label under a
-- subkey of the database's key file, recorded at init (or at the first open of a
-- database made before), so that a key file of another database is refused at once
-- rather than sealing, chaining and hashing under the wrong key. Owner: auth.
CREATE TABLE key_check (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  mac BLOB NOT NULL,
  made_at INTEGER NOT NULL
);
