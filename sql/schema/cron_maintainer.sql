-- Deploy pgqueue:schema/cron_maintainer to pg
-- requires: schema/cron
-- requires: schema/api_grants
--
-- pg_cron runs a job as the role in cron.job.username: schema/cron scheduled
-- pgq-maintain as the deploying superuser. It runs as pgq_maintainer instead,
-- a login that may execute pgq.maintain() and nothing else.

BEGIN;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        PERFORM cron.alter_job(jobid, username => 'pgq_maintainer')
        FROM cron.job WHERE jobname = 'pgq-maintain' AND database = current_database();
    END IF;
END
$$;

COMMIT;
