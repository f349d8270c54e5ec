-- Verify pgqueue:functions/extend_lease_until on pg

SELECT 1 / pg_catalog.has_function_privilege('pgq_client', 'pgq.extend_lease_until(text, bigint, uuid, integer)', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('public', 'pgq.extend_lease_until(text, bigint, uuid, integer)', 'EXECUTE'))::int;
