-- 0007: the phone blind index (issue 12, the operator's search by phone). Phones stay
-- sealed; phone_hash is a keyed BLAKE2b of the normalised number (people/seal.c,
-- people_phone_hash) under a subkey of the key file, NULL when the number has fewer
-- than 5 digits. Rows recorded before this migration have none until re-imported.
-- Owner: people.
ALTER TABLE people ADD COLUMN phone_hash BLOB;
CREATE INDEX people_phone_hash ON people(phone_hash) WHERE phone_hash IS NOT NULL;
