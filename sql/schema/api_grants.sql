-- Deploy pgqueue:schema/api_grants to pg
-- requires: schema/ownership
-- requires: functions/configure
-- requires: functions/dead_letters
-- requires: functions/maintain
-- requires: functions/purge_archive
-- requires: functions/watch
--
-- Who may call what (the table in docs/incoming/roles.md):
--
--   pgq_client (PostgREST anonymous)  the data API: enqueue, enqueue_batch, enqueue_once,
--                                     dequeue, lease, ack, nack, extend_lease, peek,
--                                     channels, stats, dead_letters
--   pgq_gateway                       pgq_client's, plus watch and maintain
--   pgq_admin                         configure, redrive, purge_archive, maintain
--   pgq_maintainer (pg_cron)          maintain
--
-- Changing limits and moving dead letters are an operator's acts; the
-- anonymous role loses them. The functions keep their bodies: this change
-- only moves grants, so later reworks of them stay independent of it.

BEGIN;

REVOKE EXECUTE ON FUNCTION
    pgq.configure(text, integer, interval), pgq.redrive(text), pgq.maintain()
FROM pgq_client;

GRANT USAGE ON SCHEMA pgq TO pgq_admin, pgq_maintainer;
GRANT EXECUTE ON FUNCTION
    pgq.configure(text, integer, interval), pgq.redrive(text), pgq.purge_archive(interval), pgq.maintain()
TO pgq_admin;
GRANT EXECUTE ON FUNCTION pgq.maintain() TO pgq_gateway, pgq_maintainer;

-- purge_archive ran with its caller's rights, which were a superuser's until now;
-- pgq_admin holds no table privilege, so it runs as its owner like the rest of the API.
ALTER FUNCTION pgq.purge_archive(interval) SECURITY DEFINER;

-- Memberships, only for the roles pgQueue manages (schema/admin_roles). PostgREST
-- (authenticator, NOINHERIT) becomes pgq_admin for a JWT with that role claim;
-- the gateway reaches it with SET ROLE through pgq_gateway_admin, inheriting nothing.
DO $$
DECLARE
    marker constant text := 'pgQueue: created and managed by the pgq deploy';
BEGIN
    IF pg_catalog.shobj_description('pgq_gateway_admin'::regrole, 'pg_authid') = marker THEN
        GRANT pgq_admin TO pgq_gateway_admin;
        GRANT pgq_gateway_admin TO pgq_gateway;
    END IF;
    IF pg_catalog.shobj_description('authenticator'::regrole, 'pg_authid') = marker THEN
        GRANT pgq_admin TO authenticator;
    END IF;
END
$$;

COMMIT;
