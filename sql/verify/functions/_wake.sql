-- Verify pgqueue:functions/_wake on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._wake(text)', 'EXECUTE'))::int;
