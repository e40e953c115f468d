-- 0007: notes a grid worker leaves on a person during the roll-call ("nobody home, come
-- back tonight"), owned by screening/. client_id is the device's id of the note: a
-- resend after a lost answer finds it and records nothing twice. round_id NULL: a note
-- outside any round. text is at most 500 code points, without control characters
-- other than newlines.
CREATE TABLE rollcall_notes (
  id         INTEGER PRIMARY KEY,
  client_id  TEXT NOT NULL UNIQUE,
  round_id   INTEGER REFERENCES rounds(id),
  person_id  INTEGER NOT NULL REFERENCES people(id),
  text       TEXT NOT NULL,
  by_user    INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX rollcall_notes_person ON rollcall_notes(person_id, round_id);
