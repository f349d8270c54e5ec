-- Verify pgqueue:functions/_notify_pgrst on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._notify_pgrst()', 'EXECUTE'))::int;
