-- Verify pgqueue:functions/_message_state on pg

SELECT 1 / (pgq._message_state(now(), NULL, now()) = 'ready')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('pgq_client', 'pgq._message_state(timestamptz, uuid, timestamptz)', 'EXECUTE'))::int;
