-- Verify pgqueue:functions/watch on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_gateway', 'pgq.watch(text, text[], integer)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq.watch(text, text[], integer)', 'EXECUTE'))::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.watch(text, text[], integer)'::regprocedure) LIKE '%pgq._limit(%')::int;
