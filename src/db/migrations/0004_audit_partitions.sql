-- 0004: the audit log's lookups by actor and by record, partitioned by id range.
-- Every read of a person appends an entry; keyed by (record, id) each entry landed on a
-- random leaf of an index as large as the whole log, so every commit of the writer
-- wrote about one page per entry. Keyed by (id >> 14, ...) the entries of a commit land
-- in the newest partition's few hundred pages. A lookup then walks the partitions
-- newest first (src/auth/audit.c), one index seek each.
DROP INDEX audit_actor;
DROP INDEX audit_record;
CREATE INDEX audit_actor_part ON audit(id >> 14, actor);
CREATE INDEX audit_record_part ON audit(id >> 14, record);
