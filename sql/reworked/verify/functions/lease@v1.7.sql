-- Verify pgqueue:functions/lease on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.lease(text, integer, integer)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq.lease(text, integer, integer)', 'EXECUTE'))::int;
SELECT id, channel, message, created_at, deliveries, receipt, lease_expires_at FROM pgq.lease('two') WHERE false;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.lease(text, integer, integer)'::regprocedure) LIKE '%q.ctid = ANY (ARRAY(SELECT n.ctid FROM next%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.lease(text, integer, integer)'::regprocedure) LIKE '%pgq._limit(%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.lease(text, integer, integer)'::regprocedure) LIKE '%pgq._ready_start(%')::int;
