-- Verify pgqueue:schema/roles on pg

SELECT 1 / (count(*) = 3)::int
FROM pg_catalog.pg_roles
WHERE (rolname = 'pgq_client' AND NOT rolcanlogin)
   OR (rolname = 'authenticator' AND rolcanlogin AND NOT rolinherit)
   OR (rolname = 'pgq_gateway' AND rolcanlogin AND rolinherit);

SELECT 1 / (pg_catalog.pg_has_role('authenticator', 'pgq_client', 'MEMBER')
            AND pg_catalog.pg_has_role('pgq_gateway', 'pgq_client', 'USAGE'))::int;
