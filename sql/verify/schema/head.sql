-- Verify pgqueue:schema/head on pg

SELECT channel, ready_from, checked_from, settled_below, rescan_at, refreshed_at FROM pgq.head WHERE false;
SELECT 1 / count(*)::int FROM pgq.head_fence;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.head', 'SELECT,INSERT,UPDATE,DELETE'))::int;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.head_fence', 'SELECT,INSERT,UPDATE,DELETE'))::int;
