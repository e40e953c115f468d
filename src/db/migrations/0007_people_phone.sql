-- 0007: the phone blind index (issue 12, the operator's search by phone). Phones stay
-- sealed; phone_hash is a keyed BLAKE2b of the normalised number (people/seal.c,
-- people_phone_hash) under a subkey of the key file; empty when the number has fewer
-- than 5 digits; NULL until indexed — rows recorded before this migration are indexed
-- by people_phone_index_fill when `muster serve` starts. Owner: people.
ALTER TABLE people ADD COLUMN phone_hash BLOB;
CREATE INDEX people_phone_hash ON people(phone_hash) WHERE phone_hash IS NOT NULL;
