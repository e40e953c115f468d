-- 0013: the three-person groups' day (src/control/tasks.c), owned by control/. A day's
-- tasks are derived from other tables (recalls, plan tests, check-ins, a running
-- round's roll-call); only what a group did with them is stored. task is the task's
-- stable id ("plan_test:123", "rollcall:ROUND:PERSON:DAY"); day the Guangzhou date the
-- task belongs to. A task is marked done once (a resend finds the row); the sweep marks
-- a task missed once, when it first finds it open past its due time. result and note
-- are the group's words (note: free text, at most 500 code points).
CREATE TABLE task_marks (
  id      INTEGER PRIMARY KEY,
  task    TEXT NOT NULL,
  day     TEXT NOT NULL,
  state   TEXT NOT NULL CHECK (state IN ('done', 'missed')),
  result  TEXT,
  note    TEXT,
  user_id INTEGER REFERENCES users(id),
  at      INTEGER NOT NULL,
  UNIQUE (task, state)
);
CREATE INDEX task_marks_day ON task_marks(day, state);
-- Each rung of the escalation ladder a missed task reached (places_ladder: the group's
-- grid, then the community, then the street), with the time it reached it: written by
-- the writer's sweep (every 60 s), once per task and rung.
CREATE TABLE task_steps (
  task     TEXT NOT NULL,
  day      TEXT NOT NULL,
  level    INTEGER NOT NULL,
  place_id INTEGER NOT NULL REFERENCES places(id),
  at       INTEGER NOT NULL,
  PRIMARY KEY (task, level)
);
CREATE INDEX task_steps_place ON task_steps(place_id, at);
