-- 0002: who may use Muster — users, browser sessions, device tokens — and the
-- hash-chained audit log (src/auth/).

-- A user with a role and a jurisdiction: place_id is the root of the subtree they
-- may see and change. NULL only for an admin, meaning the whole system (the first
-- admin, made by `muster init` before any city exists). pw_hash is libsodium's
-- argon2id string. Usernames compare without case.
CREATE TABLE users (
  id        INTEGER PRIMARY KEY,
  username  TEXT NOT NULL COLLATE NOCASE UNIQUE,
  role      INTEGER NOT NULL CHECK (role BETWEEN 0 AND 7),
  place_id  INTEGER REFERENCES places(id),
  pw_hash   TEXT NOT NULL,
  disabled  INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created   INTEGER NOT NULL,
  CHECK (place_id IS NOT NULL OR role = 0)
);

-- A browser session. Only a keyed hash of the cookie's token is stored; csrf is what
-- the X-CSRF-Token header must carry on writes. created/expires: unix seconds.
CREATE TABLE sessions (
  id         INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  csrf       TEXT NOT NULL,
  created    INTEGER NOT NULL,
  expires    INTEGER NOT NULL,
  addr       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires);

-- A device token of a sampling site (kind 2, bound to a place) or a lab (kind 3, no
-- place). Only its keyed hash is stored; revoked_at (unix seconds) ends it.
CREATE TABLE devices (
  id         INTEGER PRIMARY KEY,
  kind       INTEGER NOT NULL CHECK (kind IN (2, 3)),
  code       TEXT NOT NULL,
  place_id   INTEGER REFERENCES places(id),
  token_hash BLOB NOT NULL UNIQUE,
  created    INTEGER NOT NULL,
  revoked_at INTEGER,
  CHECK ((kind = 2) = (place_id IS NOT NULL))
);

-- The audit log, append-only: hash = keyed BLAKE2b-256 over prev and every field
-- (see src/auth/audit.c), prev = the hash of the entry before (zeros for the first).
-- actor_kind: 0 the command line or nobody, 1 user, 2 site, 3 lab. at_ms: unix ms.
-- status: the HTTP status, 0 for the command line.
CREATE TABLE audit (
  id         INTEGER PRIMARY KEY,
  at_ms      INTEGER NOT NULL,
  actor_kind INTEGER NOT NULL,
  actor_id   INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  record     TEXT NOT NULL,
  addr       TEXT NOT NULL,
  status     INTEGER NOT NULL,
  prev       BLOB NOT NULL,
  hash       BLOB NOT NULL
);
CREATE INDEX audit_actor ON audit(actor, id);
CREATE INDEX audit_record ON audit(record, id);
CREATE INDEX audit_at ON audit(at_ms);
