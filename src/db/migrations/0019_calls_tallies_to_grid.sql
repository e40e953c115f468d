-- 0019: calls' tallies and times stop at the grid (calls_int.h, CALLS_KEPT_LEVELS). A
-- summary of a compound, building or household counts its grid's calls instead
-- (calls_summary_below): their rows were three more pages, at random places of the file,
-- written by every call logged. Levels as in 0001: 4 is the grid.
DELETE FROM call_tallies WHERE place_id IN (SELECT id FROM places WHERE level > 4);
DELETE FROM call_times WHERE place_id IN (SELECT id FROM places WHERE level > 4);
