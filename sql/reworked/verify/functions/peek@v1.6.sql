-- Verify pgqueue:functions/peek on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.peek(text, integer, integer)', 'EXECUTE')::int;
SELECT id, channel, message, created_at, visible_at, deliveries, state FROM pgq.peek('two') WHERE false;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.peek(text, integer, integer)'::regprocedure) LIKE '%pgq._limit(%')::int;
SELECT 1 / (pg_catalog.pg_get_functiondef('pgq.peek(text, integer, integer)'::regprocedure) LIKE '%settled_below%')::int;
