-- Verify pgqueue:functions/horizon on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.horizon()', 'EXECUTE')::int;
SELECT held_seconds, held_transactions, queue_dead_versions FROM pgq.horizon() WHERE false;
