-- Verify pgqueue:functions/_count_consumed on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._count_consumed(text, bigint)', 'EXECUTE'))::int;
