-- Verify pgqueue:functions/_group on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._check_group_key(text)', 'EXECUTE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._lock_group(text, text)', 'EXECUTE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._join_group(text, text)', 'EXECUTE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._ungrouped_channel(text)', 'EXECUTE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._ready_groups(text, timestamptz, integer)', 'EXECUTE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._next_in_group(text, text)', 'EXECUTE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._group_visible(text, text, timestamptz)', 'EXECUTE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._group_deleted()', 'EXECUTE'))::int;
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgname = 'queue_group_next' AND tgrelid = 'pgq.queue'::regclass;
