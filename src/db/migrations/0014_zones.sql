-- 0014: risk zones (issue 13 §5), owned by control/ (zones.c). A zone is a street,
-- community, compound or building at a risk level with its measures, from a time until
-- it is lifted (lifted_at NULL while in force). A downgrade keeps the record: it lifts
-- the row and opens another at the lower level, whose prev_id names the one it
-- replaced. Sealed zones start a 'sealed' key status (source 'zone', ref_id the zone)
-- for each resident; lifting ends them. Few rows: the server keeps them in memory.
CREATE TABLE zones (
  id        INTEGER PRIMARY KEY,
  place_id  INTEGER NOT NULL REFERENCES places(id),
  level     TEXT NOT NULL CHECK (level IN ('high', 'medium', 'low')),
  measures  TEXT NOT NULL CHECK (measures IN ('sealed', 'controlled', 'precaution')),
  from_at   INTEGER NOT NULL,
  lifted_at INTEGER,
  reason    TEXT NOT NULL,
  user_id   INTEGER,
  prev_id   INTEGER REFERENCES zones(id),
  created_at INTEGER NOT NULL
);
-- At most one zone in force on a place: a change of level is a downgrade (or a lift
-- and a new zone), never a second row beside the first.
CREATE UNIQUE INDEX zones_place_in_force ON zones(place_id) WHERE lifted_at IS NULL;
CREATE INDEX zones_place ON zones(place_id, from_at);
