-- PLACEHOLDER on branch `tasks` only — delete on merge: helper plans' 0012 replaces it.
-- The tables tasks derives its plan_test, checkin and fever tasks from, with the columns
-- schemas.md gives (no more), so that this branch builds and tests alone.
CREATE TABLE plans (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES people(id),
  status_id   INTEGER,
  template    TEXT NOT NULL,
  exposure_at INTEGER,
  made_at     INTEGER NOT NULL,
  phases      TEXT NOT NULL DEFAULT '[]',
  ends        TEXT,
  ended_at    INTEGER
);
CREATE INDEX plans_person ON plans(person_id, ended_at);
CREATE TABLE plan_tests (
  id        INTEGER PRIMARY KEY,
  plan_id   INTEGER NOT NULL REFERENCES plans(id),
  person_id INTEGER NOT NULL REFERENCES people(id),
  day       INTEGER NOT NULL,
  due       TEXT NOT NULL,
  state     TEXT NOT NULL,
  sample_id INTEGER
);
CREATE INDEX plan_tests_due ON plan_tests(due, state);
CREATE INDEX plan_tests_person ON plan_tests(person_id);
CREATE TABLE checkins (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES people(id),
  at          INTEGER NOT NULL,
  temperature REAL,
  symptoms    TEXT NOT NULL DEFAULT '[]',
  fever       INTEGER NOT NULL DEFAULT 0,
  user_id     INTEGER
);
CREATE INDEX checkins_person ON checkins(person_id, at);
