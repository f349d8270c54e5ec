-- Verify pgqueue:schema/group_head on pg

SELECT channel, ready_from, rescan_at, refreshed_at FROM pgq.group_head WHERE false;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.group_head', 'SELECT'))::int;
