-- Verify pgqueue:schema/admin_roles on pg

SELECT 1 / (count(*) = 4)::int FROM pg_catalog.pg_roles
WHERE rolname IN ('pgq_owner', 'pgq_admin', 'pgq_gateway_admin', 'pgq_maintainer');
