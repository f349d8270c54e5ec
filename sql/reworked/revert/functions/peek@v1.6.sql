-- Revert pgqueue:functions/peek from pg: back to the definition of @v1.5, replaced in place so that
-- its owner and grants stay as they are.

BEGIN;

-- Look at a channel's messages, oldest first, without consuming them: ready,
-- delayed and leased alike, each with its state (dead letters are listed by
-- pgq.dead_letters). The parameters are skip and take, because limit and
-- offset are reserved query parameters in PostgREST. The states are taken at
-- the statement's start, the same instant for every row.
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
