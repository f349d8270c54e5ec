-- Deploy pgqueue:schema/message_type to pg
-- requires: schema/pgq

BEGIN;

-- The row shape that dequeue and peek return. A composite type rather than
-- RETURNS TABLE (id, channel, ...), whose output names would clash with the
-- functions' parameter named channel (42P13).
CREATE TYPE pgq.message AS (
    id         bigint,
    channel    text,
    message    jsonb,
    created_at timestamptz
);
COMMENT ON TYPE pgq.message IS 'A queued message as returned by pgq.dequeue and pgq.peek';

COMMIT;
