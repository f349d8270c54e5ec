-- Verify pgqueue:functions/unconfigure on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_admin', 'pgq.unconfigure(text)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq.unconfigure(text)', 'EXECUTE'))::int;
