-- Deploy pgqueue:schema/dead_message_type to pg
-- requires: functions/dead_letters@v1.4
--
-- pgq.dead_message is defined here from @v1.5 on. functions/dead_letters created it in an
-- earlier release and still does (a deployed script never changes), so the
-- type is created here only where it is missing.

BEGIN;

DO $$
BEGIN
    IF pg_catalog.to_regtype('pgq.dead_message') IS NULL THEN
        CREATE TYPE pgq.dead_message AS (
            id         bigint,
            channel    text,
            message    jsonb,
            created_at timestamptz,
            deliveries integer,
            reason     text,
            dead_at    timestamptz
        );
    END IF;
END
$$;
COMMENT ON TYPE pgq.dead_message IS 'A dead letter as returned by pgq.dead_letters';

COMMIT;
