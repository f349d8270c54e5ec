-- Verify pgqueue:functions/configure on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.configure(text, integer, interval)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq.configure(text, integer, interval)', 'EXECUTE'))::int;
