-- 0017: forces — organisations and the people in them, deployments of teams and people
-- to places for shifts, and who checked in and out (owned by forces/). district_id,
-- street_id and community_id copy the place's ancestors at those levels (NULL above
-- them) so that a subtree's organisations or person-times are one indexed range.

-- An organisation: kind is one of the issue's kinds (forces/orgs.c holds the list).
-- formed_for: the compound `forces form` made this temporary branch for — one formation
-- per compound. standing: a street's standing shock team (activated in wartime).
-- members counts org_members rows, kept by forces/ as they are added.
CREATE TABLE orgs (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL,
  name         TEXT NOT NULL,
  place_id     INTEGER NOT NULL REFERENCES places(id),
  parent_id    INTEGER REFERENCES orgs(id),
  created_at   INTEGER NOT NULL,
  standing     INTEGER NOT NULL DEFAULT 0,
  active       INTEGER NOT NULL DEFAULT 1,
  district_id  INTEGER,
  street_id    INTEGER,
  community_id INTEGER,
  formed_for   INTEGER REFERENCES places(id),
  members      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX orgs_place ON orgs(place_id);
CREATE INDEX orgs_parent ON orgs(parent_id);
CREATE INDEX orgs_district ON orgs(district_id, id);
CREATE INDEX orgs_street ON orgs(street_id, id);
CREATE INDEX orgs_community ON orgs(community_id, id);
CREATE INDEX orgs_kind_name ON orgs(kind, name);
CREATE UNIQUE INDEX orgs_formed ON orgs(formed_for) WHERE formed_for IS NOT NULL;

-- A member: a resident (person_id), a user (user_id), or neither — a place a hospital
-- fills with one of its staff (from_org: the hospital a squad member comes from).
-- role: secretary, leader, member, volunteer, medic, police, … (free text, ≤ 32 bytes).
-- username: a user member's login name as it was when added (lists show it).
CREATE TABLE org_members (
  id        INTEGER PRIMARY KEY,
  org_id    INTEGER NOT NULL REFERENCES orgs(id),
  person_id INTEGER REFERENCES people(id),
  user_id   INTEGER REFERENCES users(id),
  role      TEXT NOT NULL,
  party     INTEGER NOT NULL DEFAULT 0,
  medic     INTEGER NOT NULL DEFAULT 0,
  police    INTEGER NOT NULL DEFAULT 0,
  from_org  INTEGER REFERENCES orgs(id),
  username  TEXT,
  added_at  INTEGER NOT NULL
);
CREATE INDEX org_members_org ON org_members(org_id, id);
CREATE UNIQUE INDEX org_members_person ON org_members(org_id, person_id)
  WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX org_members_user ON org_members(org_id, user_id) WHERE user_id IS NOT NULL;

-- A shift: an organisation (or loose people: org_id NULL) sent to a place from from_at
-- to to_at. day is the Guangzhou date (UTC+8) of from_at, the ledger's date of the
-- shift; people counts its deployment_people rows (one person-time each: 人次).
CREATE TABLE deployments (
  id           INTEGER PRIMARY KEY,
  org_id       INTEGER REFERENCES orgs(id),
  place_id     INTEGER NOT NULL REFERENCES places(id),
  from_at      INTEGER NOT NULL,
  to_at        INTEGER NOT NULL,
  duty         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  user_id      INTEGER REFERENCES users(id),
  day          TEXT NOT NULL,
  people       INTEGER NOT NULL,
  district_id  INTEGER,
  street_id    INTEGER,
  community_id INTEGER,
  CHECK (to_at > from_at)
);
-- The ledger sums people by (day, org, place) over a range of days in a subtree: each
-- index below covers that sum for one kind of filter, so it reads no table row.
CREATE INDEX deployments_day ON deployments(day, org_id, place_id, people);
CREATE INDEX deployments_org ON deployments(org_id, day, place_id, people);
CREATE INDEX deployments_district ON deployments(district_id, day, org_id, place_id, people);
CREATE INDEX deployments_street ON deployments(street_id, day, org_id, place_id, people);
CREATE INDEX deployments_community ON deployments(community_id, day, org_id, place_id, people);
CREATE INDEX deployments_to ON deployments(to_at);

-- The ledger's month at a glance: person-times and shifts per Guangzhou day, organisation
-- (0: people sent alone) and street (0: a place above the streets), kept by forces/ as
-- shifts are sent, so that a month's totals per team or per street read a row per team
-- (or street) and day instead of every shift.
CREATE TABLE deployment_days (
  day         TEXT NOT NULL,
  org_id      INTEGER NOT NULL,
  street_id   INTEGER NOT NULL,
  district_id INTEGER NOT NULL,
  people      INTEGER NOT NULL,
  shifts      INTEGER NOT NULL,
  PRIMARY KEY (day, org_id, street_id)
);
CREATE INDEX deployment_days_org ON deployment_days(org_id, day, street_id, people);
CREATE INDEX deployment_days_street ON deployment_days(street_id, day, org_id, people);
CREATE INDEX deployment_days_district ON deployment_days(district_id, day, org_id, street_id, people);

-- Who is on a shift: an organisation's member (member_id, with their person or user
-- copied) or a person sent alone; checked in and out at most once each.
CREATE TABLE deployment_people (
  id            INTEGER PRIMARY KEY,
  deployment_id INTEGER NOT NULL REFERENCES deployments(id),
  member_id     INTEGER REFERENCES org_members(id),
  person_id     INTEGER REFERENCES people(id),
  user_id       INTEGER REFERENCES users(id),
  checkin_at    INTEGER,
  checkout_at   INTEGER
);
CREATE INDEX deployment_people_deployment ON deployment_people(deployment_id, id);
CREATE INDEX deployment_people_person ON deployment_people(person_id) WHERE person_id IS NOT NULL;
