-- placeholder on branch forces only, so that 0017 builds before the other helpers' migrations land: drop it at the merge.
SELECT 1;
