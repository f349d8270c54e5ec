-- Verify pgqueue:functions/enqueue_batch on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.enqueue_batch(text, jsonb)', 'EXECUTE')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.enqueue_batch(text, jsonb)'::regprocedure) LIKE '%pgq._limit(%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.enqueue_batch(text, jsonb)'::regprocedure) LIKE '%pgq._message_fits(%')::int;
