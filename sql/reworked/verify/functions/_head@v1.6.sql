-- Verify pgqueue:functions/_head on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._ready_start(text)', 'EXECUTE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._refresh_head(pgq.head)', 'EXECUTE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._lower_head(text, bigint, boolean)', 'EXECUTE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._head_fence()', 'EXECUTE'))::int;
