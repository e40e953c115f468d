-- 0005: a lab's backlog (tubes received and not yet resulted), for the lab page. A
-- partial index: a tube is in it only while it waits, so it stays small however many
-- tubes a round has.
CREATE INDEX tubes_lab_waiting ON tubes(lab_id, received_at) WHERE state = 2;
