-- Verify pgqueue:functions/enqueue on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.enqueue(text, jsonb, integer, text)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq.enqueue(text, jsonb, integer, text)', 'EXECUTE'))::int;
SELECT 1 / (pg_catalog.to_regprocedure('pgq.enqueue(text, jsonb)') IS NULL)::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.enqueue(text, jsonb, integer, text)'::regprocedure) LIKE '%pgq._limit(%')::int;
SELECT 1 / (pg_catalog.to_regprocedure('pgq.enqueue(text, jsonb, integer)') IS NULL)::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.enqueue(text, jsonb, integer, text)'::regprocedure) LIKE '%pgq._message_fits(%')::int;
