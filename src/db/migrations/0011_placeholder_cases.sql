-- PLACEHOLDER on branch `tasks` only — delete on merge: helper cases' 0011 replaces it.
-- embed.c wants migrations numbered without gaps, so this branch carries the tables it
-- reads from other helpers' migrations (columns as /work/notes/briefs/schemas.md) until
-- theirs land. It creates nothing tasks reads.
SELECT 1;
