-- Verify pgqueue:schema/queue on pg

SELECT id, channel, message, created_at FROM pgq.queue WHERE false;
SELECT 1 / count(*)::int FROM pg_catalog.pg_indexes WHERE schemaname = 'pgq' AND indexname = 'queue_channel_id';
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.queue', 'SELECT,INSERT,UPDATE,DELETE'))::int;
