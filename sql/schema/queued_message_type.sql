-- Deploy pgqueue:schema/queued_message_type to pg
-- requires: functions/peek@v1.4
--
-- pgq.queued_message is defined here from @v1.5 on. functions/peek created it in an
-- earlier release and still does (a deployed script never changes), so the
-- type is created here only where it is missing.

BEGIN;

DO $$
BEGIN
    IF pg_catalog.to_regtype('pgq.queued_message') IS NULL THEN
        CREATE TYPE pgq.queued_message AS (
            id         bigint,
            channel    text,
            message    jsonb,
            created_at timestamptz,
            visible_at timestamptz,
            deliveries integer,
            state      text
        );
    END IF;
END
$$;
COMMENT ON TYPE pgq.queued_message IS
    'A queued message as returned by pgq.peek: state is ready, delayed or leased; visible_at is when a delay or lease ends';

COMMIT;
