-- Deploy pgqueue:schema/admin_roles to pg
-- requires: schema/roles
--
-- The roles that split the API by who may call what (docs/incoming/roles.md):
--
--   pgq_owner          NOLOGIN. Owns pgq's tables, types and API functions, so the
--                      SECURITY DEFINER functions run with its rights, not a superuser's.
--   pgq_admin          NOLOGIN. configure, redrive, purge_archive, maintain.
--                      PostgREST becomes it for a JWT whose role claim is pgq_admin.
--   pgq_gateway_admin  NOLOGIN NOINHERIT, member of pgq_admin (schema/api_grants).
--                      pgq_gateway is its member: it may SET ROLE pgq_admin for an
--                      admin call, yet inherits nothing through a NOINHERIT role.
--   pgq_maintainer     LOGIN NOINHERIT. pg_cron runs pgq.maintain() as it.
--
-- Roles are cluster-wide and may belong to another application. pgQueue
-- manages (alters, grants to, drops, sets passwords of) only the roles it
-- created, and marks those with a comment. A role of one of these names that
-- exists already is left exactly as it is.

BEGIN;

DO $$
DECLARE
    marker constant text := 'pgQueue: created and managed by the pgq deploy';
    role record;
BEGIN
    FOR role IN SELECT * FROM (VALUES
        ('pgq_owner', 'NOLOGIN'),
        ('pgq_admin', 'NOLOGIN'),
        ('pgq_gateway_admin', 'NOLOGIN NOINHERIT'),
        ('pgq_maintainer', 'LOGIN NOINHERIT')) AS r (name, attributes)
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = role.name) THEN
            EXECUTE format('CREATE ROLE %I %s', role.name, role.attributes);
            EXECUTE format('COMMENT ON ROLE %I IS %L', role.name, marker);
        END IF;
    END LOOP;

    -- The roles of schema/roles carry no mark yet. pgq_client and pgq_gateway are
    -- pgQueue's own names. schema/roles created authenticator only when it was
    -- missing, in the statement that had just created pgq_client, so with a higher
    -- oid; an authenticator older than pgq_client belongs to another application.
    FOR role IN
        SELECT r.rolname FROM pg_catalog.pg_roles AS r
        WHERE r.rolname IN ('pgq_client', 'pgq_gateway')
           OR (r.rolname = 'authenticator' AND r.oid > 'pgq_client'::regrole::oid)
    LOOP
        EXECUTE format('COMMENT ON ROLE %I IS %L', role.rolname, marker);
    END LOOP;

    -- Another application's authenticator: take back the membership schema/roles gave it.
    IF pg_catalog.shobj_description('authenticator'::regrole, 'pg_authid') IS DISTINCT FROM marker
       AND pg_catalog.pg_has_role('authenticator', 'pgq_client', 'MEMBER') THEN
        REVOKE pgq_client FROM authenticator;
    END IF;
END
$$;

COMMIT;
