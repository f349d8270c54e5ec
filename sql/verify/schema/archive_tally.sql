-- Verify pgqueue:schema/archive_tally on pg

SELECT consumed_xid FROM pgq.archive WHERE false;
SELECT 1 / count(*)::int FROM pgq.tally WHERE counted_below IS NOT NULL;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.tally', 'SELECT,INSERT,UPDATE,DELETE'))::int;
SELECT 1 / count(*)::int FROM pg_catalog.pg_indexes
WHERE schemaname = 'pgq' AND tablename = 'archive' AND indexname = 'archive_consumed_xid';
