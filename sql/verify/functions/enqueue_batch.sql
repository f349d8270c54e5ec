-- Verify pgqueue:functions/enqueue_batch on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.enqueue_batch(text, jsonb, text)', 'EXECUTE')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.enqueue_batch(text, jsonb, text)'::regprocedure) LIKE '%pgq._limit(%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.enqueue_batch(text, jsonb, text)'::regprocedure) LIKE '%pgq._message_fits(%')::int;
SELECT 1 / (pg_catalog.to_regprocedure('pgq.enqueue_batch(text, jsonb)') IS NULL)::int;
