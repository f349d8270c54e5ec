-- Deploy pgqueue:schema/enqueued_type to pg
-- requires: functions/enqueue_once@v1.4
--
-- pgq.enqueued is defined here from @v1.5 on. functions/enqueue_once created it in an
-- earlier release and still does (a deployed script never changes), so the
-- type is created here only where it is missing.

BEGIN;

DO $$
BEGIN
    IF pg_catalog.to_regtype('pgq.enqueued') IS NULL THEN
        CREATE TYPE pgq.enqueued AS (
            id        bigint,
            duplicate boolean
        );
    END IF;
END
$$;
COMMENT ON TYPE pgq.enqueued IS 'The result of pgq.enqueue_once: the message''s id, and whether the key was seen before';

COMMIT;
