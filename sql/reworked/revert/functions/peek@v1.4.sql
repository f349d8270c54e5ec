-- Revert pgqueue:functions/peek from pg: back to the peek of @v1.0

BEGIN;

DROP FUNCTION pgq.peek(text, integer, integer);
DROP TYPE pgq.queued_message;
COMMENT ON TYPE pgq.message IS 'A queued message as returned by pgq.dequeue and pgq.peek';

-- Look at a channel's messages, oldest first, without consuming them. The
-- parameters are skip and take, because limit and offset are reserved query
-- parameters in PostgREST.
CREATE FUNCTION pgq.peek(channel text, skip integer DEFAULT 0, take integer DEFAULT 25)
RETURNS SETOF pgq.message
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pgq._check_channel(peek.channel);
    PERFORM pgq._check_range('skip', peek.skip, 0, 2147483647);
    PERFORM pgq._check_range('take', peek.take, 1, 300);
    RETURN QUERY
    SELECT q.id, q.channel::text, q.message, q.created_at
    FROM pgq.queue AS q
    WHERE q.channel = peek.channel
    ORDER BY q.id
    OFFSET peek.skip
    LIMIT peek.take;
END
$$;

COMMENT ON FUNCTION pgq.peek(text, integer, integer) IS
$$List up to take (1-300) messages of a channel, oldest first, after skipping skip (>= 0); nothing is consumed.$$;

REVOKE ALL ON FUNCTION pgq.peek(text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.peek(text, integer, integer) TO pgq_client;

COMMIT;
