-- 0011: cases and their contacts (issue 13 §1 §2), owned by control/ (cases.c,
-- contacts.c). Times are unix seconds; onset is a Guangzhou date ('YYYY-MM-DD').

-- A confirmed or asymptomatic case: opened by a single-tube positive on screening's
-- path (source 'screening', sample_id set) or by staff. household_id is where the
-- person lived when it opened (the place the case is counted under); status_id the
-- key_statuses row of kind 'case'. At most one open (not discharged) case a person.
CREATE TABLE cases (
  id              INTEGER PRIMARY KEY,
  person_id       INTEGER NOT NULL REFERENCES people(id),
  kind            TEXT NOT NULL CHECK (kind IN ('confirmed', 'asymptomatic')),
  source          TEXT NOT NULL CHECK (source IN ('screening', 'staff')),
  onset           TEXT,
  confirmed_at    INTEGER NOT NULL,
  hospital        TEXT,
  hospitalised_at INTEGER,
  discharged_at   INTEGER,
  household_id    INTEGER NOT NULL REFERENCES places(id),
  sample_id       INTEGER,
  status_id       INTEGER,
  user_id         INTEGER,
  created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX cases_open_person ON cases(person_id) WHERE discharged_at IS NULL;
CREATE INDEX cases_person ON cases(person_id);
CREATE INDEX cases_confirmed ON cases(confirmed_at);

-- A close or secondary contact of a case (a person may be a contact of several cases;
-- once per case). via_person_id: for a secondary contact, the close contact they met.
-- A later exposure moves last_exposure (and the status's exposure); a contact who
-- becomes a case keeps this row: it is the chain's link.
CREATE TABLE contacts (
  id            INTEGER PRIMARY KEY,
  case_id       INTEGER NOT NULL REFERENCES cases(id),
  person_id     INTEGER NOT NULL REFERENCES people(id),
  kind          TEXT NOT NULL CHECK (kind IN ('close', 'secondary')),
  setting       TEXT NOT NULL CHECK (setting IN ('household', 'building', 'workplace',
                                                 'transport', 'same_space', 'other')),
  last_exposure INTEGER NOT NULL,
  via_person_id INTEGER REFERENCES people(id),
  listed_at     INTEGER NOT NULL,
  status_id     INTEGER,
  user_id       INTEGER,
  UNIQUE (case_id, person_id)
);
CREATE INDEX contacts_person ON contacts(person_id);
CREATE INDEX contacts_via ON contacts(via_person_id) WHERE via_person_id IS NOT NULL;
