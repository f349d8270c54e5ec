-- Verify pgqueue:schema/counter on pg

SELECT channel, consumed FROM pgq.counter WHERE false;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.counter', 'SELECT,INSERT,UPDATE,DELETE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._count_consumed(text, bigint)', 'EXECUTE'))::int;
