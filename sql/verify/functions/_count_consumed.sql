-- Verify pgqueue:functions/_count_consumed on pg

SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._count_consumed(text, bigint)', 'EXECUTE'))::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq._count_consumed(text, bigint)'::regprocedure) NOT LIKE '%stripe%')::int;
