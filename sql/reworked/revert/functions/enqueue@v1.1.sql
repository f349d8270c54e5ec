-- Revert pgqueue:functions/enqueue from pg: back to the two-argument enqueue of @v1.0

BEGIN;

DROP FUNCTION pgq.enqueue(text, jsonb, integer);

-- Append one message to the end of a channel. One INSERT: the identity gives
-- the message its place in the FIFO order.
CREATE FUNCTION pgq.enqueue(channel text, message jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id bigint;
BEGIN
    PERFORM pgq._check_channel(enqueue.channel);
    PERFORM pgq._check_message(enqueue.message);
    INSERT INTO pgq.queue (channel, message)
    VALUES (enqueue.channel, enqueue.message)
    RETURNING queue.id INTO new_id;
    RETURN new_id;
END
$$;

COMMENT ON FUNCTION pgq.enqueue(text, jsonb) IS
$$Append a message (a JSON object) to the end of a channel and return its id.
channel: 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit.$$;

REVOKE ALL ON FUNCTION pgq.enqueue(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.enqueue(text, jsonb) TO pgq_client;

COMMIT;
