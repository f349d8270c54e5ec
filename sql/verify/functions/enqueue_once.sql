-- Verify pgqueue:functions/enqueue_once on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.enqueue_once(text, jsonb, text, integer, text)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq.enqueue_once(text, jsonb, text, integer, text)', 'EXECUTE'))::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.enqueue_once(text, jsonb, text, integer, text)'::regprocedure) LIKE '%q.channel = enqueue_once.channel%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.enqueue_once(text, jsonb, text, integer, text)'::regprocedure) LIKE '%pgq._limit(%')::int;
SELECT 1 / (pg_catalog.to_regprocedure('pgq.enqueue_once(text, jsonb, text, integer)') IS NULL)::int;
