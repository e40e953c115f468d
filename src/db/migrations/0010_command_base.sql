-- 0010: the seams that control (issue 13), calls and forces (issue 14) share.
-- Times are unix seconds; a NULL end means "still in force".

-- control: a key person's statuses (一人一档): each status that makes a person a key
-- person — a case, a close or secondary contact, a resident of a sealed zone, a
-- pool-positive awaiting the re-swab — started and ended by control/status.c alone,
-- which makes the plan and recomputes the health-code colour.
CREATE TABLE key_statuses (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES people(id),
  kind        TEXT NOT NULL
              CHECK (kind IN ('case', 'close', 'secondary', 'sealed', 'pool_positive')),
  started_at  INTEGER NOT NULL,
  exposure_at INTEGER,
  ended_at    INTEGER,
  ref_id      INTEGER,
  source      TEXT NOT NULL CHECK (source IN ('case', 'contact', 'zone', 'recall'))
);
CREATE INDEX key_statuses_person ON key_statuses(person_id, ended_at);
CREATE INDEX key_statuses_open ON key_statuses(ended_at, kind);
CREATE INDEX key_statuses_ref ON key_statuses(source, ref_id);

-- control: three-person groups (三人小组: a medic, a community cadre, a police officer),
-- each holding one or more grids; a grid has at most one group.
CREATE TABLE care_groups (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE group_grids (
  group_id INTEGER NOT NULL REFERENCES care_groups(id),
  grid_id  INTEGER NOT NULL UNIQUE REFERENCES places(id)
);
CREATE INDEX group_grids_group ON group_grids(group_id);
CREATE TABLE group_members (
  group_id INTEGER NOT NULL REFERENCES care_groups(id),
  user_id  INTEGER NOT NULL REFERENCES users(id),
  duty     TEXT NOT NULL CHECK (duty IN ('medic', 'cadre', 'police')),
  UNIQUE (group_id, duty)
);
CREATE INDEX group_members_user ON group_members(user_id);

-- calls: the wartime switch (战时机制) of a district or the city; the latest switch at
-- or above a place, at or before a time, says whether the place is in wartime then.
CREATE TABLE wartime_switches (
  id       INTEGER PRIMARY KEY,
  place_id INTEGER NOT NULL REFERENCES places(id),
  is_on    INTEGER NOT NULL CHECK (is_on IN (0, 1)),
  at       INTEGER NOT NULL,
  reason   TEXT NOT NULL,
  user_id  INTEGER
);
CREATE INDEX wartime_switches_place ON wartime_switches(place_id, at);
