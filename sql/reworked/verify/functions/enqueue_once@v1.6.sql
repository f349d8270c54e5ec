-- Verify pgqueue:functions/enqueue_once on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.enqueue_once(text, jsonb, text, integer)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq.enqueue_once(text, jsonb, text, integer)', 'EXECUTE'))::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.enqueue_once(text, jsonb, text, integer)'::regprocedure) LIKE '%q.channel = enqueue_once.channel%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.enqueue_once(text, jsonb, text, integer)'::regprocedure) LIKE '%pgq._limit(%')::int;
