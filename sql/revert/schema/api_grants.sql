-- Revert pgqueue:schema/api_grants from pg: the grants of @v1.2, where pgq_client called everything but purge_archive.

BEGIN;

DO $$
DECLARE
    marker constant text := 'pgQueue: created and managed by the pgq deploy';
BEGIN
    IF pg_catalog.shobj_description('authenticator'::regrole, 'pg_authid') = marker
       AND pg_catalog.pg_has_role('authenticator', 'pgq_admin', 'MEMBER') THEN
        REVOKE pgq_admin FROM authenticator;
    END IF;
    IF pg_catalog.pg_has_role('pgq_gateway', 'pgq_gateway_admin', 'MEMBER') THEN
        REVOKE pgq_gateway_admin FROM pgq_gateway;
        REVOKE pgq_admin FROM pgq_gateway_admin;
    END IF;
END
$$;

ALTER FUNCTION pgq.purge_archive(interval) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION pgq.maintain() FROM pgq_gateway, pgq_maintainer;
REVOKE EXECUTE ON FUNCTION
    pgq.configure(text, integer, interval), pgq.redrive(text), pgq.purge_archive(interval), pgq.maintain()
FROM pgq_admin;
REVOKE USAGE ON SCHEMA pgq FROM pgq_admin, pgq_maintainer;
GRANT EXECUTE ON FUNCTION
    pgq.configure(text, integer, interval), pgq.redrive(text), pgq.maintain()
TO pgq_client;

COMMIT;
