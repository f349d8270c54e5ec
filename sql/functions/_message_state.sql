-- Deploy pgqueue:functions/_message_state to pg
-- requires: schema/queue_delivery

BEGIN;

-- The one definition of a queued message's state at a given time, shared by
-- peek and stats. dequeue and lease test visible_at <= now directly, which
-- is the same "ready" and lets them filter while they scan.
--   ready    visible_at has passed (including a lease that ran out)
--   leased   visible_at is the end of the current lease
--   delayed  visible_at is the end of a delayed enqueue or a nack's delay
CREATE FUNCTION pgq._message_state(visible_at timestamptz, receipt uuid, moment timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN visible_at <= moment THEN 'ready'
    WHEN receipt IS NOT NULL THEN 'leased'
    ELSE 'delayed'
END;

REVOKE ALL ON FUNCTION pgq._message_state(timestamptz, uuid, timestamptz) FROM PUBLIC;

COMMIT;
