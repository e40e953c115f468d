-- 0018: service posts and their supplies, owned by forces/ (src/forces/posts.c,
-- supplies.c). Every street centre and community station is a post (issue 14 §5):
-- `muster city generate` and `muster post sync` make one per street and community.
-- district_id and street_id are the post's own ancestors (street_id is the place itself
-- for a centre), kept so that a subtree's posts are one indexed read without the
-- places table. functions: comma-separated of testing, supplies, dispatch, publicity;
-- hours: the normal opening hours "HH:MM-HH:MM" (in wartime a post is manned round
-- the clock, derived from calls_wartime_of, not stored).
CREATE TABLE posts (
  id          INTEGER PRIMARY KEY,
  place_id    INTEGER NOT NULL UNIQUE REFERENCES places(id),
  kind        TEXT NOT NULL CHECK (kind IN ('centre', 'station')),
  functions   TEXT NOT NULL,
  hours       TEXT NOT NULL,
  district_id INTEGER NOT NULL,
  street_id   INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
);
-- In the order a subtree's posts are listed: street by street, the centre first.
CREATE INDEX posts_district ON posts(district_id, street_id, kind, place_id);
CREATE INDEX posts_street ON posts(street_id);

-- Stock per post and item; qty never goes below zero (the CHECK is the last guard, the
-- logic refuses first with the quantity available). low_mark: below it the post is
-- listed among the low-stock alerts.
CREATE TABLE supplies (
  post_id  INTEGER NOT NULL REFERENCES posts(id),
  item     TEXT NOT NULL CHECK (item IN ('masks', 'test_kits', 'food_packs', 'medicine', 'ppe')),
  qty      INTEGER NOT NULL CHECK (qty >= 0),
  low_mark INTEGER NOT NULL DEFAULT 0 CHECK (low_mark >= 0),
  PRIMARY KEY (post_id, item)
);

-- The ledger: every change of stock. kind 'receive' (from_post NULL: stock from
-- outside), 'move' (between two posts), 'handout' (to_post NULL: given out, against
-- call_id when a call asked for it; calls(id) of 0015, not a foreign key so that the
-- ledger outlives any cleanup of calls).
CREATE TABLE supply_moves (
  id        INTEGER PRIMARY KEY,
  kind      TEXT NOT NULL CHECK (kind IN ('receive', 'move', 'handout')),
  from_post INTEGER REFERENCES posts(id),
  to_post   INTEGER REFERENCES posts(id),
  item      TEXT NOT NULL,
  qty       INTEGER NOT NULL CHECK (qty > 0),
  call_id   INTEGER,
  at        INTEGER NOT NULL,
  user_id   INTEGER
);
CREATE INDEX supply_moves_from ON supply_moves(from_post, at);
CREATE INDEX supply_moves_to ON supply_moves(to_post, at);
CREATE INDEX supply_moves_call ON supply_moves(call_id) WHERE call_id IS NOT NULL;
