-- Deploy pgqueue:schema/message_type to pg
-- requires: schema/message_type@v1.4
--
-- The whole current definition of pgq.message. The type exists wherever
-- @v1.4 is deployed, so it is created only where it is missing; its comment
-- is the one functions/peek@v1.1 set once peek returned its own type.

BEGIN;

-- The row shape that dequeue returns. A composite type rather than
-- RETURNS TABLE (id, channel, ...), whose output names would clash with the
-- functions' parameter named channel (42P13).
DO $$
BEGIN
    IF pg_catalog.to_regtype('pgq.message') IS NULL THEN
        CREATE TYPE pgq.message AS (
            id         bigint,
            channel    text,
            message    jsonb,
            created_at timestamptz
        );
    END IF;
END
$$;
COMMENT ON TYPE pgq.message IS 'A queued message as returned by pgq.dequeue';

COMMIT;
