-- Verify pgqueue:functions/settings_of on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.settings_of(text)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq.settings_of(text)', 'EXECUTE'))::int;
