-- Verify pgqueue:functions/purge on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_admin', 'pgq.purge(text)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq.purge(text)', 'EXECUTE'))::int;
