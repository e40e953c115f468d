-- 0016: orders down the place tree (令行禁止), owned by calls/ (src/calls/orders.c).
-- An order is issued by a unit (the issuer's place: the issuing user's jurisdiction) to
-- places strictly below it; each target acknowledges, reports done or blocked, and may
-- forward the order to places below itself (parent_id: the target that forwarded it).
-- A target with forwarded targets is done only when all of them are: its own "done"
-- before that is kept as reported_at, and it becomes done when the last one is.
-- path is the target's (or issuer's) chain of place ids from the city, "/1/5/77/", so
-- that "within a subtree" is a range of one index: path >= '/1/5/' AND path < '/1/50'.
-- state: 0 pending, 1 acknowledged, 2 done, 3 blocked. Times are unix seconds.
CREATE TABLE orders (
  id           INTEGER PRIMARY KEY,
  title        TEXT NOT NULL,
  body         TEXT NOT NULL,
  issuer_place INTEGER NOT NULL REFERENCES places(id),
  issuer_path  TEXT NOT NULL,
  issuer_user  INTEGER,
  issuer_name  TEXT NOT NULL,
  issued_at    INTEGER NOT NULL,
  due          INTEGER NOT NULL,
  wartime      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX orders_issuer ON orders(issuer_path);

CREATE TABLE order_targets (
  id          INTEGER PRIMARY KEY,
  order_id    INTEGER NOT NULL REFERENCES orders(id),
  place_id    INTEGER NOT NULL REFERENCES places(id),
  path        TEXT NOT NULL,
  level       INTEGER NOT NULL,
  parent_id   INTEGER REFERENCES order_targets(id),
  state       INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),
  due         INTEGER NOT NULL,
  acked_at    INTEGER,
  done_at     INTEGER,
  blocked_at  INTEGER,
  reported_at INTEGER,
  note        TEXT,
  UNIQUE (order_id, place_id)
);
-- The subtree's range first (the orders of a place, its overdue targets); done_at and due
-- in it so that "not done and past due" is decided from the index alone. No index leads
-- with done_at: the planner would take it for a district's overdue and filter the city's.
CREATE INDEX order_targets_path ON order_targets(path, done_at, due);
CREATE INDEX order_targets_parent ON order_targets(parent_id);

-- Every step, in order: 'issue' (target_id NULL), 'forward', 'ack', 'done', 'reported'
-- (done reported while forwarded targets are not), 'blocked'; by_cascade 1 when a
-- target became done because its last forwarded target did (user_id: who did that).
CREATE TABLE order_steps (
  id         INTEGER PRIMARY KEY,
  order_id   INTEGER NOT NULL REFERENCES orders(id),
  target_id  INTEGER REFERENCES order_targets(id),
  kind       TEXT NOT NULL,
  note       TEXT,
  user_id    INTEGER,
  by_cascade INTEGER NOT NULL DEFAULT 0,
  at         INTEGER NOT NULL
);
CREATE INDEX order_steps_order ON order_steps(order_id, id);
