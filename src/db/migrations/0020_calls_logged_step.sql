-- 0020: a call's 'logged' step is its own row (created_at, unit_id, user_id), read first
-- by calls_step_list; call_steps keeps the steps after it. The rows written before are
-- the same facts twice.
DELETE FROM call_steps WHERE kind = 'logged';
