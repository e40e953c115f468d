-- PLACEHOLDER on the cases branch only — DELETE this file on merge: helper plans'
-- 0012_plans.sql replaces it. It gives this branch alone the tables the epi curve's
-- "contacts seen daily" reads (control/epi.c), shaped as schemas.md gives them.
CREATE TABLE plans (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES people(id),
  status_id   INTEGER,
  template    TEXT,
  exposure_at INTEGER,
  made_at     INTEGER NOT NULL,
  phases      TEXT,
  ends        TEXT,
  ended_at    INTEGER
);
CREATE TABLE plan_tests (
  id        INTEGER PRIMARY KEY,
  plan_id   INTEGER NOT NULL REFERENCES plans(id),
  person_id INTEGER NOT NULL REFERENCES people(id),
  day       INTEGER NOT NULL,
  due       TEXT NOT NULL,
  state     TEXT NOT NULL,
  sample_id INTEGER
);
CREATE INDEX plan_tests_person ON plan_tests(person_id);
CREATE TABLE checkins (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES people(id),
  at          INTEGER NOT NULL,
  temperature REAL,
  symptoms    TEXT,
  fever       INTEGER,
  user_id     INTEGER
);
CREATE INDEX checkins_person ON checkins(person_id, at);
