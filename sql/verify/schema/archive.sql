-- Verify pgqueue:schema/archive on pg

SELECT id, channel, message, created_at, consumed_at FROM pgq.archive WHERE false;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.archive', 'SELECT,INSERT,UPDATE,DELETE'))::int;
