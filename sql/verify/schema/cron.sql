-- Verify pgqueue:schema/cron on pg
--
-- Either pg_cron is absent, or it has the job.

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        IF NOT EXISTS (SELECT FROM cron.job WHERE jobname = 'pgq-maintain' AND command = 'SELECT pgq.maintain()') THEN
            RAISE EXCEPTION 'pg_cron is installed but pgq-maintain is not scheduled';
        END IF;
    END IF;
END
$$;
