-- PLACEHOLDER on branch `zones` only — DELETE on merge: helper cases' 0011 replaces it.
-- embed.c wants migrations numbered without gaps, so this branch carries the tables the
-- zone proposals read from other helpers' migrations (columns as
-- /work/notes/briefs/schemas.md gives them, with cases' created_at and user_id as the
-- cases helper's 0011 has them) until theirs land.
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
  household_id    INTEGER NOT NULL REFERENCES places(id),
  sample_id       INTEGER,
  status_id       INTEGER,
  user_id         INTEGER,
  created_at      INTEGER NOT NULL
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
