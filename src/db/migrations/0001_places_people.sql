-- 0001: the administrative tree and the people who live in it.

-- Levels: 0 city, 1 district, 2 street/town, 3 community/village, 4 grid,
-- 5 compound, 6 building, 7 household. n_* count the descendants of each level
-- (not the node itself), kept up to date by places/ and people/ so that any
-- subtree figure is one row read.
CREATE TABLE places (
  id            INTEGER PRIMARY KEY,
  parent_id     INTEGER REFERENCES places(id),
  level         INTEGER NOT NULL CHECK (level BETWEEN 0 AND 7),
  code          TEXT NOT NULL,
  name          TEXT NOT NULL,
  n_districts   INTEGER NOT NULL DEFAULT 0,
  n_streets     INTEGER NOT NULL DEFAULT 0,
  n_communities INTEGER NOT NULL DEFAULT 0,
  n_grids       INTEGER NOT NULL DEFAULT 0,
  n_compounds   INTEGER NOT NULL DEFAULT 0,
  n_buildings   INTEGER NOT NULL DEFAULT 0,
  n_households  INTEGER NOT NULL DEFAULT 0,
  n_people      INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX places_code ON places(code);
CREATE INDEX places_parent ON places(parent_id);

-- A person. Name, phone and ID number live only inside `sealed` (libsodium
-- XChaCha20-Poly1305: nonce || ciphertext, additional data = id_hash); exact lookup
-- by ID number goes through id_hash, a keyed BLAKE2b of "type:number". The personal
-- code behind the QR code is E(id || code_secret) under a keyed permutation (see
-- src/people/code.c): only its 88 random bits are stored, and no index is needed.
CREATE TABLE people (
  id           INTEGER PRIMARY KEY,
  household_id INTEGER NOT NULL REFERENCES places(id),
  id_type      INTEGER NOT NULL CHECK (id_type BETWEEN 0 AND 2),
  id_hash      BLOB NOT NULL,
  code_secret  BLOB NOT NULL,
  sex          INTEGER NOT NULL CHECK (sex IN (1, 2)),
  birth        INTEGER NOT NULL,
  party        INTEGER NOT NULL DEFAULT 0,
  sealed       BLOB NOT NULL
);
CREATE UNIQUE INDEX people_id_hash ON people(id_hash);
CREATE INDEX people_household ON people(household_id);
