-- PLACEHOLDER on branch `zones` only — DELETE on merge: helper plans' 0012 replaces it.
-- The health-code colours a zone's census counts (columns as schemas.md), so that this
-- branch builds and tests alone.
CREATE TABLE code_colours (
  person_id INTEGER PRIMARY KEY REFERENCES people(id),
  colour    INTEGER NOT NULL,
  reasons   TEXT NOT NULL,
  since     INTEGER NOT NULL
);
