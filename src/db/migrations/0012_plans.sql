-- 0012: one file and one plan per key person (issue 13 §3, §6): plan templates (data),
-- which template each status kind uses, the plans made from them with their tests,
-- daily check-ins and the health-code colour of each person who is not green.
-- Times are unix seconds; dates are Guangzhou dates 'YYYY-MM-DD' (UTC+8).

-- A template's body (docs/control.md "Plan templates"):
--   {"phases": [{"kind": "central_quarantine"|"home_quarantine"|"home_monitoring",
--                "from": N, "to": N|null}, ...],
--    "tests": [N, ...], "every": N (optional)}
-- Day N is the Guangzhou date of the last exposure plus N days (of the status's start
-- when there is no exposure: a sealed zone). "to": null is a phase that lasts while the
-- status is in force; "every": N asks for a test every N days from the first phase's
-- "from" while the status is in force (the plan's "ends" is then null).
CREATE TABLE plan_templates (
  name TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
INSERT INTO plan_templates (name, body) VALUES
 ('cn8-close', '{"phases":[{"kind":"central_quarantine","from":1,"to":14},{"kind":"home_monitoring","from":15,"to":21}],"tests":[1,4,7,14,16,21]}'),
 ('cn8-secondary', '{"phases":[{"kind":"central_quarantine","from":1,"to":7}],"tests":[1,7]}'),
 ('cn9-close', '{"phases":[{"kind":"central_quarantine","from":1,"to":7},{"kind":"home_monitoring","from":8,"to":10}],"tests":[1,2,3,5,7,10]}'),
 ('cn9-secondary', '{"phases":[{"kind":"home_quarantine","from":1,"to":7}],"tests":[1,4,7]}'),
 ('cn8-sealed', '{"phases":[{"kind":"home_quarantine","from":0,"to":null}],"tests":[],"every":1}');

-- Which template a status kind's plan is made from (`muster plan use`). A kind without
-- a row (case, pool_positive) gets no plan: a case is in hospital, a pool-positive waits
-- for the re-swab; both still have a file.
CREATE TABLE plan_uses (
  kind     TEXT PRIMARY KEY CHECK (kind IN ('close', 'secondary', 'sealed')),
  template TEXT NOT NULL REFERENCES plan_templates(name)
);
INSERT INTO plan_uses (kind, template) VALUES
 ('close', 'cn8-close'), ('secondary', 'cn8-secondary'), ('sealed', 'cn8-sealed');

-- A plan: made when a status starts, moved when its exposure moves later, ended when the
-- status ends or its last day has passed. phases is JSON [{kind, from, to}] with dates
-- (to null: open); ends null for an open plan.
CREATE TABLE plans (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES people(id),
  status_id   INTEGER NOT NULL REFERENCES key_statuses(id),
  template    TEXT NOT NULL,
  exposure_at INTEGER,
  made_at     INTEGER NOT NULL,
  phases      TEXT NOT NULL,
  ends        TEXT,
  ended_at    INTEGER
);
CREATE INDEX plans_person ON plans(person_id, ended_at);
CREATE INDEX plans_status ON plans(status_id);
CREATE INDEX plans_running ON plans(ended_at, ends);

-- A plan's tests: day N of the template, due on a Guangzhou date; taken when a single-tube
-- sample of the person is scanned on or after the due date, negative/positive with its
-- result; missed when its day passed untaken.
CREATE TABLE plan_tests (
  id          INTEGER PRIMARY KEY,
  plan_id     INTEGER NOT NULL REFERENCES plans(id),
  person_id   INTEGER NOT NULL REFERENCES people(id),
  day         INTEGER NOT NULL,
  due         TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'due'
              CHECK (state IN ('due', 'taken', 'negative', 'positive', 'missed')),
  sample_id   INTEGER,
  taken_at    INTEGER,
  resulted_at INTEGER
);
CREATE INDEX plan_tests_due ON plan_tests(due, state);
CREATE INDEX plan_tests_person ON plan_tests(person_id);
CREATE INDEX plan_tests_plan ON plan_tests(plan_id);

-- Daily check-ins (temperature and symptoms); fever = temperature >= 37.3 or a symptom.
CREATE TABLE checkins (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES people(id),
  at          INTEGER NOT NULL,
  temperature REAL,
  symptoms    TEXT NOT NULL DEFAULT '[]',
  fever       INTEGER NOT NULL CHECK (fever IN (0, 1)),
  user_id     INTEGER
);
CREATE INDEX checkins_person ON checkins(person_id, at);
CREATE INDEX checkins_at ON checkins(at);

-- The health-code colour of every person who is not green (a green person has no row):
-- 0 green, 1 yellow, 2 red; reasons comma-separated (docs/control.md "Health code");
-- since when this colour holds.
CREATE TABLE code_colours (
  person_id INTEGER PRIMARY KEY REFERENCES people(id),
  colour    INTEGER NOT NULL CHECK (colour IN (0, 1, 2)),
  reasons   TEXT NOT NULL,
  since     INTEGER NOT NULL
);
