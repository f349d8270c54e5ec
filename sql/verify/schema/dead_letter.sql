-- Verify pgqueue:schema/dead_letter on pg

SELECT id, channel, message, created_at, deliveries, reason, dead_at FROM pgq.dead_letter WHERE false;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.dead_letter', 'SELECT,INSERT,UPDATE,DELETE'))::int;
