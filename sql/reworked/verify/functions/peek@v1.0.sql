-- Verify pgqueue:functions/peek on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.peek(text, integer, integer)', 'EXECUTE')::int;
