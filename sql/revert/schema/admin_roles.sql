-- Revert pgqueue:schema/admin_roles from pg
--
-- Drop the roles this change created, and take the marks back, unless another
-- database on the cluster still holds objects or privileges of pgq's roles.
-- Roles pgQueue did not create are never dropped.

BEGIN;

DO $$
DECLARE
    marker constant text := 'pgQueue: created and managed by the pgq deploy';
    role record;
BEGIN
    IF EXISTS (
        SELECT FROM pg_catalog.pg_shdepend AS d
        JOIN pg_catalog.pg_roles AS r ON r.oid = d.refobjid
        WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass
          AND r.rolname IN ('pgq_owner', 'pgq_admin', 'pgq_gateway_admin', 'pgq_maintainer',
                            'pgq_client', 'pgq_gateway', 'authenticator')
          AND d.dbid <> (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
    ) THEN
        RAISE NOTICE 'pgq roles kept: another database on this cluster still uses them';
        RETURN;
    END IF;
    FOR role IN
        SELECT rolname FROM pg_catalog.pg_roles
        WHERE pg_catalog.shobj_description(oid, 'pg_authid') = marker
    LOOP
        IF role.rolname IN ('pgq_owner', 'pgq_admin', 'pgq_gateway_admin', 'pgq_maintainer') THEN
            EXECUTE format('DROP ROLE %I', role.rolname);
        ELSE
            EXECUTE format('COMMENT ON ROLE %I IS NULL', role.rolname);
        END IF;
    END LOOP;
END
$$;

COMMIT;
