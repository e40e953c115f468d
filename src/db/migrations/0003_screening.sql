-- 0003: mass screening (src/screening/) — rounds, sampling sites, labs, pooled tubes,
-- the samples scanned into them, pool-positive recalls and exemptions.
-- Times are unix seconds (UTC). At full scale a whole-city round holds 18.7 M samples
-- and 1.87 M tubes, so every index below is one a lookup of the code needs.

-- A round: a scope (the root of a place subtree), a pool size k and its overrides for
-- high- and medium-risk places, an optional window, and closed_at once closed.
CREATE TABLE rounds (
  id             INTEGER PRIMARY KEY,
  scope_place_id INTEGER NOT NULL REFERENCES places(id),
  name           TEXT NOT NULL,
  pool_k         INTEGER NOT NULL CHECK (pool_k IN (1, 5, 10, 20)),
  pool_high      INTEGER NOT NULL DEFAULT 1 CHECK (pool_high IN (1, 5, 10, 20)),
  pool_medium    INTEGER NOT NULL CHECK (pool_medium IN (1, 5, 10, 20)),
  starts         INTEGER,
  ends           INTEGER,
  created_at     INTEGER NOT NULL,
  closed_at      INTEGER,
  CHECK (starts IS NULL OR ends IS NULL OR starts <= ends)
);

-- A sampling site (采样点) at a place, with its number of sampling desks.
CREATE TABLE sites (
  id       INTEGER PRIMARY KEY,
  code     TEXT NOT NULL,
  place_id INTEGER NOT NULL REFERENCES places(id),
  name     TEXT NOT NULL,
  desks    INTEGER NOT NULL CHECK (desks >= 1)
);
CREATE UNIQUE INDEX sites_code ON sites(code);

-- A lab and its capacity in tubes per day.
CREATE TABLE labs (
  id       INTEGER PRIMARY KEY,
  code     TEXT NOT NULL,
  name     TEXT NOT NULL,
  capacity INTEGER NOT NULL CHECK (capacity >= 1)
);
CREATE UNIQUE INDEX labs_code ON labs(code);

-- A tube (试管): opened at a site by its first scan with capacity k (1 for a single
-- tube), n samples in it. state: 0 open, 1 sealed, 2 received, 3 resulted.
-- single = 1 for the single tube of a recall's re-swab. result: 0 negative,
-- 1 positive, 2 invalid. The barcode index is explicit (not a column UNIQUE) so that
-- a bulk load can drop it and rebuild it sorted.
CREATE TABLE tubes (
  id          INTEGER PRIMARY KEY,
  barcode     TEXT NOT NULL,
  round_id    INTEGER NOT NULL REFERENCES rounds(id),
  site_id     INTEGER NOT NULL REFERENCES sites(id),
  capacity    INTEGER NOT NULL CHECK (capacity IN (1, 5, 10, 20)),
  n           INTEGER NOT NULL DEFAULT 0,
  state       INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),
  single      INTEGER NOT NULL DEFAULT 0 CHECK (single IN (0, 1)),
  lab_id      INTEGER REFERENCES labs(id),
  opened_at   INTEGER NOT NULL,
  sealed_at   INTEGER,
  received_at INTEGER,
  result      INTEGER CHECK (result BETWEEN 0 AND 2),
  ct_orf1ab   REAL,
  ct_n        REAL,
  resulted_at INTEGER,
  CHECK (n BETWEEN 0 AND capacity),
  CHECK ((state = 3) = (result IS NOT NULL))
);
CREATE UNIQUE INDEX tubes_barcode ON tubes(barcode);
-- Progress (progress.c): tubes per stage, outcome and fill (n: samples) of a round from
-- the index alone, and seeks by id within one (outcome, n) (the rowid ends each entry).
CREATE INDEX tubes_round_state ON tubes(round_id, state, result, n);

-- A sample: one person scanned into one tube. scan_id is the client's id of the scan
-- (idempotency). round_id and household_id are copies (of the tube's round and of the
-- person's household at scan time) so that a round's samples are read, and rolled up
-- the tree, without joining tubes or people. is_repeat = 1 when the person already had
-- a sample in this round (a second scan, or a recall's re-swab).
CREATE TABLE samples (
  id           INTEGER PRIMARY KEY,
  scan_id      TEXT NOT NULL,
  round_id     INTEGER NOT NULL REFERENCES rounds(id),
  tube_id      INTEGER NOT NULL REFERENCES tubes(id),
  person_id    INTEGER NOT NULL REFERENCES people(id),
  household_id INTEGER NOT NULL,
  sampled_at   INTEGER NOT NULL,
  is_repeat    INTEGER NOT NULL DEFAULT 0 CHECK (is_repeat IN (0, 1))
);
CREATE UNIQUE INDEX samples_scan ON samples(scan_id);
CREATE INDEX samples_round_person ON samples(round_id, person_id);
CREATE INDEX samples_tube ON samples(tube_id);
-- Progress: samples of a round in a time window (the last hour), first and last.
CREATE INDEX samples_round_at ON samples(round_id, sampled_at);

-- A recall (复采) of a pool-positive person: at most one per person and round,
-- assigned to the grid holding their household. state: 0 pending, 1 sampled (re-swab
-- in single_tube_id), 2 negative (cleared), 3 positive (confirmed; the control
-- capability turns these into cases). A positive single tube that was not a recall's
-- (a k = 1 round) is recorded as a recall already positive, so that confirmed
-- positives are always the recalls in state 3.
CREATE TABLE recalls (
  id             INTEGER PRIMARY KEY,
  round_id       INTEGER NOT NULL REFERENCES rounds(id),
  person_id      INTEGER NOT NULL REFERENCES people(id),
  grid_id        INTEGER NOT NULL REFERENCES places(id),
  source_tube_id INTEGER NOT NULL REFERENCES tubes(id),
  state          INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),
  single_tube_id INTEGER REFERENCES tubes(id),
  created_at     INTEGER NOT NULL,
  resolved_at    INTEGER
);
CREATE UNIQUE INDEX recalls_round_person ON recalls(round_id, person_id);
CREATE INDEX recalls_round_grid ON recalls(round_id, grid_id, state);

-- An exemption from testing: for one round, or standing (round_id NULL) for every
-- round. reason: 0 away, 1 hospitalised, 2 deceased, 3 moved. by_user: users.id, NULL
-- from the command line.
CREATE TABLE exemptions (
  id         INTEGER PRIMARY KEY,
  round_id   INTEGER REFERENCES rounds(id),
  person_id  INTEGER NOT NULL REFERENCES people(id),
  reason     INTEGER NOT NULL CHECK (reason BETWEEN 0 AND 3),
  by_user    INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX exemptions_person ON exemptions(person_id);
