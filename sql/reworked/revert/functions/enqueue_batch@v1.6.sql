-- Revert pgqueue:functions/enqueue_batch from pg: back to the body of @v1.5, replaced in place so that its owner and
-- grants stay as they are.

BEGIN;

-- Append many messages in one statement, one commit, one round trip; the
-- ids come back in input order. This is what bulk loaders and the gateway's
-- POST /messages use. Every element is checked before anything is inserted,
-- so a bad element rejects the whole batch and names its position. Waiting
-- consumers are woken once for the lot.
CREATE OR REPLACE FUNCTION pgq.enqueue_batch(channel text, messages jsonb)
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad_position bigint;
    bad_type text;
BEGIN
    PERFORM pgq._check_channel(enqueue_batch.channel);
    PERFORM pgq._check_not_null('messages', enqueue_batch.messages);
    IF jsonb_typeof(enqueue_batch.messages) <> 'array' THEN
        RAISE EXCEPTION 'messages must be a JSON array of objects, not %', jsonb_typeof(enqueue_batch.messages)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pgq._check_range('number of messages', jsonb_array_length(enqueue_batch.messages), 1, pgq._limit('max_batch'));

    SELECT e.position, jsonb_typeof(e.element) INTO bad_position, bad_type
    FROM jsonb_array_elements(enqueue_batch.messages) WITH ORDINALITY AS e(element, position)
    WHERE jsonb_typeof(e.element) <> 'object'
    ORDER BY e.position
    LIMIT 1;
    IF bad_position IS NOT NULL THEN
        RAISE EXCEPTION 'messages[%] must be a JSON object, not %', bad_position - 1, bad_type
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Identity values are drawn in the order rows are inserted, which follows
    -- the ORDER BY; sorting the result by id therefore restores input order.
    RETURN QUERY
    WITH inserted AS (
        INSERT INTO pgq.queue (channel, message)
        SELECT enqueue_batch.channel, e.element
        FROM jsonb_array_elements(enqueue_batch.messages) WITH ORDINALITY AS e(element, position)
        ORDER BY e.position
        RETURNING queue.id
    )
    SELECT inserted.id FROM inserted ORDER BY inserted.id;
    PERFORM pgq._wake(enqueue_batch.channel);
END
$$;

COMMENT ON FUNCTION pgq.enqueue_batch(text, jsonb) IS
$$Append 1-10000 messages (a JSON array of objects) to a channel in one transaction; returns their ids in input order. All or nothing.$$;

REVOKE ALL ON FUNCTION pgq.enqueue_batch(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.enqueue_batch(text, jsonb) TO pgq_client;

COMMIT;
