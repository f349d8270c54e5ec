-- Deploy pgqueue:schema/cron to pg
-- requires: functions/maintain
--
-- Where pg_cron is installed in this database, schedule pgq.maintain() every
-- minute. Without it, the gateway runs pgq.maintain() once a minute instead.
-- cron.schedule() with a job name replaces an existing job of that name, so
-- a redeploy never schedules it twice.

BEGIN;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        PERFORM cron.schedule('pgq-maintain', '* * * * *', 'SELECT pgq.maintain()');
    ELSE
        RAISE NOTICE 'pg_cron is not installed here: the gateway will run pgq.maintain() every minute';
    END IF;
END
$$;

COMMIT;
