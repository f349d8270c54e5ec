-- Verify pgqueue:schema/cron_maintainer on pg: without pg_cron there is nothing to check.

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        IF EXISTS (SELECT FROM cron.job WHERE jobname = 'pgq-maintain' AND username <> 'pgq_maintainer') THEN
            RAISE EXCEPTION 'pgq-maintain does not run as pgq_maintainer';
        END IF;
    END IF;
END
$$;
