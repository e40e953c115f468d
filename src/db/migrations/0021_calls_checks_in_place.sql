-- 0021: calls and call_steps rebuilt (SQLite's twelve steps) with the same columns, rows,
-- ids and indexes, for one change: their CHECKs on category and kind compare with ORs.
-- A CHECK whose IN-list holds three or more constants builds an ephemeral table for
-- every row it checks (SQLite 3.40: OpenEphemeral, 8 inserts, a seek, a close), which
-- was about a tenth of the writer's work for a logged call. call_steps no longer allows
-- 'logged' (0020: the call's own row is that step).
-- muster: rebuilds tables

CREATE TABLE calls_0021 (
  id           INTEGER PRIMARY KEY,
  place_id     INTEGER NOT NULL REFERENCES places(id),
  person_id    INTEGER REFERENCES people(id),
  category     TEXT NOT NULL CHECK (category = 'medicine' OR category = 'food'
                 OR category = 'medical' OR category = 'dialysis' OR category = 'pregnancy'
                 OR category = 'transport' OR category = 'mental' OR category = 'other'),
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
INSERT INTO calls_0021 (id, place_id, person_id, category, priority, text, phone, unit_id,
                        level_id, wartime, allowance, first_due, due, next_at, overdue,
                        closed, created_at, acked_at, closed_at, outcome, user_id,
                        district_id, street_id, community_id, grid_id)
  SELECT id, place_id, person_id, category, priority, text, phone, unit_id, level_id,
         wartime, allowance, first_due, due, next_at, overdue, closed, created_at,
         acked_at, closed_at, outcome, user_id, district_id, street_id, community_id,
         grid_id
  FROM calls;
DROP TABLE calls;
ALTER TABLE calls_0021 RENAME TO calls;
CREATE INDEX calls_sweep ON calls(next_at) WHERE next_at IS NOT NULL;
CREATE INDEX calls_district ON calls(district_id, closed, id);
CREATE INDEX calls_street ON calls(street_id, closed, id);
CREATE INDEX calls_community ON calls(community_id, closed, id);
CREATE INDEX calls_grid ON calls(grid_id, closed, id);
CREATE INDEX calls_district_overdue ON calls(district_id, id) WHERE overdue = 1;
CREATE INDEX calls_street_overdue ON calls(street_id, id) WHERE overdue = 1;
CREATE INDEX calls_community_overdue ON calls(community_id, id) WHERE overdue = 1;
CREATE INDEX calls_grid_overdue ON calls(grid_id, id) WHERE overdue = 1;

CREATE TABLE call_steps_0021 (
  id       INTEGER PRIMARY KEY,
  call_id  INTEGER NOT NULL REFERENCES calls(id),
  kind     TEXT NOT NULL CHECK (kind = 'escalated' OR kind = 'acknowledged'
             OR kind = 'progress' OR kind = 'closed'),
  at       INTEGER NOT NULL,
  place_id INTEGER,
  note     TEXT,
  user_id  INTEGER
);
INSERT INTO call_steps_0021 (id, call_id, kind, at, place_id, note, user_id)
  SELECT id, call_id, kind, at, place_id, note, user_id FROM call_steps;
DROP TABLE call_steps;
ALTER TABLE call_steps_0021 RENAME TO call_steps;
CREATE INDEX call_steps_call ON call_steps(call_id, id);
