-- Verify pgqueue:schema/pgq on pg

SELECT 1 / pg_catalog.has_schema_privilege('pgq_client', 'pgq', 'USAGE')::int;
SELECT 1 / (NOT pg_catalog.has_schema_privilege('pgq_client', 'pgq', 'CREATE'))::int;
