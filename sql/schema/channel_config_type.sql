-- Deploy pgqueue:schema/channel_config_type to pg
-- requires: schema/channel_settings
--
-- pgq.channel_config is defined here from @v1.5 on. schema/channel_settings created it in an
-- earlier release and still does (a deployed script never changes), so the
-- type is created here only where it is missing.

BEGIN;

DO $$
BEGIN
    IF pg_catalog.to_regtype('pgq.channel_config') IS NULL THEN
        CREATE TYPE pgq.channel_config AS (
            channel        text,
            max_deliveries integer,
            dedup_window   interval
        );
    END IF;
END
$$;
COMMENT ON TYPE pgq.channel_config IS 'A channel''s limits as returned by pgq.configure()';

COMMIT;
