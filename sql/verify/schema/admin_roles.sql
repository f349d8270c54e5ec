-- Verify pgqueue:schema/admin_roles on pg

SELECT 1 / (count(*) = 4)::int FROM pg_catalog.pg_roles
WHERE rolname IN ('pgq_owner', 'pgq_admin', 'pgq_gateway_admin', 'pgq_maintainer');

-- pgq_owner and pgq_admin are pgQueue's own, before schema/ownership and schema/api_grants
-- hand them anything: the check of schema/role_check, run here on a first deploy.
\ir ../../schema/role_check.sql
