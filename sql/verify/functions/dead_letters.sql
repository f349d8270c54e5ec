-- Verify pgqueue:functions/dead_letters on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.dead_letters(text, integer, integer)', 'EXECUTE')::int;
SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.redrive(text)', 'EXECUTE')::int;
SELECT id, channel, message, created_at, deliveries, reason, dead_at FROM pgq.dead_letters('two') WHERE false;
