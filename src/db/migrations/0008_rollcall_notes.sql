-- 0008: notes a grid worker leaves on a person during the roll-call ("nobody home, come
-- back tonight"), owned by screening/. client_id is the device's id of the note: a
-- resend after a lost answer finds it and records nothing twice. round_id NULL: a note
-- outside any round. The text (at most 500 code points, no control characters but
-- newlines) is personal data, sealed like people's fields: nonce ‖ XChaCha20-Poly1305
-- under a key of its own derived from the seal key, the person id as associated data
-- (src/screening/rollcall.c).
CREATE TABLE rollcall_notes (
  id         INTEGER PRIMARY KEY,
  client_id  TEXT NOT NULL UNIQUE,
  round_id   INTEGER REFERENCES rounds(id),
  person_id  INTEGER NOT NULL REFERENCES people(id),
  sealed     BLOB NOT NULL,
  by_user    INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX rollcall_notes_person ON rollcall_notes(person_id, round_id);
