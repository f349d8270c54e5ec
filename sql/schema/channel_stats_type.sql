-- Deploy pgqueue:schema/channel_stats_type to pg
-- requires: functions/stats@v1.4
--
-- pgq.channel_stats is defined here from @v1.5 on. functions/stats created it in an
-- earlier release and still does (a deployed script never changes), so the
-- type is created here only where it is missing.

BEGIN;

DO $$
BEGIN
    IF pg_catalog.to_regtype('pgq.channel_stats') IS NULL THEN
        CREATE TYPE pgq.channel_stats AS (
            channel            text,
            depth              bigint,
            oldest_age_seconds double precision,
            delayed            bigint,
            leased             bigint,
            dead               bigint,
            enqueued           bigint,
            consumed           bigint
        );
    END IF;
END
$$;
COMMENT ON TYPE pgq.channel_stats IS 'One channel''s figures as returned by pgq.stats()';

COMMIT;
