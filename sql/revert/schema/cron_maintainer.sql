-- Revert pgqueue:schema/cron_maintainer from pg: the job runs as the user reverting, as schema/cron scheduled it.

BEGIN;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        PERFORM cron.alter_job(jobid, username => current_user)
        FROM cron.job WHERE jobname = 'pgq-maintain' AND database = current_database();
    END IF;
END
$$;

COMMIT;
