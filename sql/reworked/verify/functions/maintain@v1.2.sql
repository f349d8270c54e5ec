-- Verify pgqueue:functions/maintain on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.maintain()', 'EXECUTE')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.maintain()'::regprocedure) LIKE '%pgq.dedup_key%')::int;
