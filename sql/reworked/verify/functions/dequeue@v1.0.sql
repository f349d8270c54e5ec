-- Verify pgqueue:functions/dequeue on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.dequeue(text, integer)', 'EXECUTE')::int;
