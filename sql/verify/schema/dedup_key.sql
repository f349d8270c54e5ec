-- Verify pgqueue:schema/dedup_key on pg

SELECT channel, key, id, expires_at FROM pgq.dedup_key WHERE false;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.dedup_key', 'SELECT,INSERT,UPDATE,DELETE'))::int;
