-- Verify pgqueue:schema/waiting on pg

SELECT channel, listener, expires_at FROM pgq.waiting WHERE false;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.waiting', 'SELECT,INSERT,UPDATE,DELETE'))::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq._wake(text)', 'EXECUTE'))::int;
