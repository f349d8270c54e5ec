-- Verify pgqueue:functions/maintain on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.maintain()', 'EXECUTE')::int;
