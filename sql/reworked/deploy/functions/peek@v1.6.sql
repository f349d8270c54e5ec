-- Deploy pgqueue:functions/peek to pg
-- requires: functions/peek@v1.5
-- requires: functions/_head
--
-- The whole current definition of pgq.peek: it starts at the channel's head (pgq.head, docs/sql.md).
-- CREATE OR REPLACE keeps the owner and the grants; the grants below restate them.

BEGIN;

-- Look at a channel's messages, oldest first, without consuming them: ready,
-- delayed and leased alike, each with its state (dead letters are listed by
-- pgq.dead_letters). The parameters are skip and take, because limit and
-- offset are reserved query parameters in PostgREST. The states are taken at
-- the statement's start, the same instant for every row.
--
-- The scan starts at the head's settled_below: the invariant of pgq.head
-- (docs/sql.md) is that no queued message of the channel has a lower id, so
-- the index entries of messages consumed before it, which a held horizon
-- keeps, are never walked. peek writes nothing and does not refresh the head.
CREATE OR REPLACE FUNCTION pgq.peek(channel text, skip integer DEFAULT 0, take integer DEFAULT 25)
RETURNS SETOF pgq.queued_message
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pgq._check_channel(peek.channel);
    PERFORM pgq._check_range('skip', peek.skip, 0, pgq._limit('max_skip'));
    PERFORM pgq._check_range('take', peek.take, 1, pgq._limit('max_list_take'));
    RETURN QUERY
    SELECT q.id, q.channel::text, q.message, q.created_at, q.visible_at, q.deliveries,
           pgq._message_state(q.visible_at, q.receipt, statement_timestamp())
    FROM pgq.queue AS q
    WHERE q.channel = peek.channel
      AND q.id >= coalesce((SELECT h.settled_below FROM pgq.head AS h WHERE h.channel = peek.channel), 0)
    ORDER BY q.id
    OFFSET peek.skip
    LIMIT peek.take;
END
$$;

COMMENT ON FUNCTION pgq.peek(text, integer, integer) IS
$$List up to take (1-300) messages of a channel, oldest first, after skipping skip (>= 0); nothing is consumed.
Each has its state (ready, delayed or leased), visible_at (when a delay or lease ends) and deliveries.$$;

REVOKE ALL ON FUNCTION pgq.peek(text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.peek(text, integer, integer) TO pgq_client;

COMMIT;
