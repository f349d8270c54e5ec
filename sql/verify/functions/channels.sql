-- Verify pgqueue:functions/channels on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.channels()', 'EXECUTE')::int;
