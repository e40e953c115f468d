-- PLACEHOLDER on the plans branch only — DELETE this file on merge: helper cases'
-- 0011_cases.sql replaces it. It lets this branch build alone (embed.c wants no gaps)
-- and gives the file's history the cases and contacts tables as schemas.md shapes them.
CREATE TABLE cases (
  id              INTEGER PRIMARY KEY,
  person_id       INTEGER NOT NULL REFERENCES people(id),
  kind            TEXT NOT NULL,
  source          TEXT NOT NULL,
  onset           TEXT,
  confirmed_at    INTEGER NOT NULL,
  hospital        TEXT,
  hospitalised_at INTEGER,
  discharged_at   INTEGER,
  household_id    INTEGER,
  sample_id       INTEGER,
  status_id       INTEGER
);
CREATE TABLE contacts (
  id            INTEGER PRIMARY KEY,
  case_id       INTEGER NOT NULL REFERENCES cases(id),
  person_id     INTEGER NOT NULL REFERENCES people(id),
  kind          TEXT NOT NULL,
  setting       TEXT NOT NULL,
  last_exposure INTEGER NOT NULL,
  via_person_id INTEGER,
  listed_at     INTEGER NOT NULL,
  status_id     INTEGER
);
