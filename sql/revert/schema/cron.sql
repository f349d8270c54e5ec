-- Revert pgqueue:schema/cron from pg

BEGIN;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        PERFORM cron.unschedule(jobid) FROM cron.job WHERE jobname = 'pgq-maintain';
    END IF;
END
$$;

COMMIT;
