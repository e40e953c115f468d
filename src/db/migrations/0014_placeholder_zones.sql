-- PLACEHOLDER on branch `tasks` only — delete on merge: helper zones' 0014 replaces it.
-- The zones table the staffing needs read (columns as schemas.md), so that this branch
-- builds and tests alone.
CREATE TABLE zones (
  id        INTEGER PRIMARY KEY,
  place_id  INTEGER NOT NULL REFERENCES places(id),
  level     TEXT NOT NULL,
  measures  TEXT NOT NULL,
  from_at   INTEGER NOT NULL,
  lifted_at INTEGER,
  reason    TEXT,
  user_id   INTEGER
);
