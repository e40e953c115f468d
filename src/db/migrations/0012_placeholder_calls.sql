-- placeholder on branch calls only, so that 0015 builds before the other helpers' migrations land: drop it at the merge.
SELECT 1;
