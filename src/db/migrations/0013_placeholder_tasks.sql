-- PLACEHOLDER on branch `zones` only — DELETE on merge: helper tasks' 0013 replaces it
-- (embed.c wants migrations numbered without gaps).
SELECT 1;
