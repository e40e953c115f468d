-- 0009: how far the audit journal has been moved into audit (issue 11 item 5). A read of
-- people is written to an append-only journal beside the database before it is
-- answered; the writer moves the journal's entries into audit and, in the same
-- transaction, records here the highest journal sequence number it moved, so that a
-- replay after a crash between that commit and the journal's truncation adds nothing
-- twice. One row. Owner: auth.
CREATE TABLE audit_journal (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);
