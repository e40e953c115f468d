-- 0015: calls for help (有呼必应, issue 14 §1) — each call routed to the unit that holds
-- its place, with a deadline from call_deadlines; every step kept in call_steps; the
-- escalation sweep climbs the unacknowledged ones up the ladder (places_ladder).

-- How long the holder of a call has to acknowledge it, per category (or '*' for every
-- category without a row of its own), priority and mode (wartime 0/1). Each rung of the
-- ladder above the first holder gets the same allowance again. Edited with `muster
-- call deadline set`.
CREATE TABLE call_deadlines (
  category TEXT NOT NULL,
  priority TEXT NOT NULL CHECK (priority IN ('urgent', 'normal')),
  wartime  INTEGER NOT NULL CHECK (wartime IN (0, 1)),
  seconds  INTEGER NOT NULL CHECK (seconds >= 1),
  PRIMARY KEY (category, priority, wartime)
) WITHOUT ROWID;
INSERT INTO call_deadlines (category, priority, wartime, seconds) VALUES
  ('medical', 'urgent', 0, 1800),
  ('*', 'urgent', 0, 7200),
  ('*', 'normal', 0, 86400),
  ('medical', 'urgent', 1, 900),
  ('*', 'urgent', 1, 3600),
  ('*', 'normal', 1, 43200);

-- A call. place_id: the household or building it came from; unit_id: the first holder
-- (the grid when a three-person group holds it, else the community); level_id: the rung
-- holding it now; due: when that rung's time runs out; next_at: when the sweep must
-- look at it again (NULL once acknowledged, closed or at the top rung for good).
-- overdue: 1 from its first missed deadline until it is acknowledged or closed.
-- district_id … grid_id: its place's path, for lists of a subtree. phone: sealed.
CREATE TABLE calls (
  id           INTEGER PRIMARY KEY,
  place_id     INTEGER NOT NULL REFERENCES places(id),
  person_id    INTEGER REFERENCES people(id),
  category     TEXT NOT NULL CHECK (category IN ('medicine', 'food', 'medical', 'dialysis',
                 'pregnancy', 'transport', 'mental', 'other')),
  priority     TEXT NOT NULL CHECK (priority IN ('urgent', 'normal')),
  text         TEXT NOT NULL,
  phone        BLOB,
  unit_id      INTEGER NOT NULL REFERENCES places(id),
  level_id     INTEGER NOT NULL REFERENCES places(id),
  wartime      INTEGER NOT NULL CHECK (wartime IN (0, 1)),
  allowance    INTEGER NOT NULL,
  first_due    INTEGER NOT NULL,
  due          INTEGER NOT NULL,
  next_at      INTEGER,
  overdue      INTEGER NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1)),
  closed       INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
  created_at   INTEGER NOT NULL,
  acked_at     INTEGER,
  closed_at    INTEGER,
  outcome      TEXT,
  user_id      INTEGER,
  district_id  INTEGER NOT NULL,
  street_id    INTEGER NOT NULL,
  community_id INTEGER NOT NULL,
  grid_id      INTEGER NOT NULL
);
CREATE INDEX calls_sweep ON calls(next_at) WHERE next_at IS NOT NULL;
CREATE INDEX calls_district ON calls(district_id, closed, id);
CREATE INDEX calls_street ON calls(street_id, closed, id);
CREATE INDEX calls_community ON calls(community_id, closed, id);
CREATE INDEX calls_grid ON calls(grid_id, closed, id);
CREATE INDEX calls_district_overdue ON calls(district_id, id) WHERE overdue = 1;
CREATE INDEX calls_street_overdue ON calls(street_id, id) WHERE overdue = 1;
CREATE INDEX calls_community_overdue ON calls(community_id, id) WHERE overdue = 1;
CREATE INDEX calls_grid_overdue ON calls(grid_id, id) WHERE overdue = 1;

-- Every step of a call: kind 'logged', 'escalated' (place_id: the rung reached),
-- 'acknowledged', 'progress' (note), 'closed' (note: the outcome). user_id NULL for the
-- sweep's climbs.
CREATE TABLE call_steps (
  id       INTEGER PRIMARY KEY,
  call_id  INTEGER NOT NULL REFERENCES calls(id),
  kind     TEXT NOT NULL CHECK (kind IN ('logged', 'escalated', 'acknowledged', 'progress',
             'closed')),
  at       INTEGER NOT NULL,
  place_id INTEGER,
  note     TEXT,
  user_id  INTEGER
);
CREATE INDEX call_steps_call ON call_steps(call_id, id);

-- The counts a summary reads in one step, kept for every place on a call's path: open
-- and overdue calls per category.
CREATE TABLE call_tallies (
  place_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  open     INTEGER NOT NULL DEFAULT 0,
  overdue  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (place_id, category)
) WITHOUT ROWID;

-- The times to acknowledge (kind 0) and to close (kind 1) of each call, per place on its
-- path and Guangzhou day (days since 1970-01-01, UTC+8) of the acknowledgement or
-- closing: a day's count and median are one index range.
CREATE TABLE call_times (
  place_id INTEGER NOT NULL,
  kind     INTEGER NOT NULL CHECK (kind IN (0, 1)),
  day      INTEGER NOT NULL,
  secs     INTEGER NOT NULL,
  call_id  INTEGER NOT NULL,
  PRIMARY KEY (place_id, kind, day, secs, call_id)
) WITHOUT ROWID;
