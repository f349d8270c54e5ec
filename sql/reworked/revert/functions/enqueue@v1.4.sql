-- Revert pgqueue:functions/enqueue from pg: back to the enqueue of @v1.1, which neither counts nor wakes

BEGIN;

DROP FUNCTION pgq.enqueue(text, jsonb, integer);

-- Append one message to the end of a channel. One INSERT: the identity gives
-- the message its place in the FIFO order. A delayed message takes its place
-- now and is skipped by consumers until visible_at.
CREATE FUNCTION pgq.enqueue(channel text, message jsonb, delay_seconds integer DEFAULT 0)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id bigint;
BEGIN
    PERFORM pgq._check_channel(enqueue.channel);
    PERFORM pgq._check_message(enqueue.message);
    PERFORM pgq._check_range('delay_seconds', enqueue.delay_seconds, 0, 604800);
    INSERT INTO pgq.queue (channel, message, visible_at)
    VALUES (enqueue.channel, enqueue.message, now() + make_interval(secs => enqueue.delay_seconds))
    RETURNING queue.id INTO new_id;
    RETURN new_id;
END
$$;

COMMENT ON FUNCTION pgq.enqueue(text, jsonb, integer) IS
$$Append a message (a JSON object) to the end of a channel and return its id.
channel: 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit.
delay_seconds (0-604800, default 0): consumers do not see the message before then.$$;

REVOKE ALL ON FUNCTION pgq.enqueue(text, jsonb, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.enqueue(text, jsonb, integer) TO pgq_client;

COMMIT;
