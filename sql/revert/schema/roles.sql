-- Revert pgqueue:schema/roles from pg
--
-- Roles are shared by every database on the cluster. Drop them only when no
-- other database still holds privileges or objects for them; otherwise
-- reverting here would break a second pgQueue deployment next door.

BEGIN;

DO $$
DECLARE
    broker_roles constant text[] := ARRAY['authenticator', 'pgq_gateway', 'pgq_client'];
BEGIN
    IF EXISTS (
        SELECT FROM pg_catalog.pg_shdepend AS d
        JOIN pg_catalog.pg_roles AS r ON r.oid = d.refobjid
        WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass
          AND r.rolname = ANY (broker_roles)
          AND d.dbid <> (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
    ) THEN
        RAISE NOTICE 'pgq roles kept: another database on this cluster still uses them';
        RETURN;
    END IF;
    -- An authenticator older than pgq_client is another application's (schema/admin_roles
    -- tells them apart the same way): it stays. A first deploy that fails reverts this too.
    IF pg_catalog.to_regrole('authenticator')::oid > pg_catalog.to_regrole('pgq_client')::oid THEN
        DROP ROLE authenticator;
    END IF;
    DROP ROLE IF EXISTS pgq_gateway, pgq_client;
END
$$;

COMMIT;
