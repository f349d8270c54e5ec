-- Deploy pgqueue:functions/enqueue_batch to pg
-- requires: functions/enqueue_batch@v1.6
-- requires: functions/_validation
-- requires: functions/_group
--
-- The whole current definition of pgq.enqueue_batch: a message past pgq.limits()'s max_message_depth or
-- max_message_bytes is refused, checked in the pass that inserts, and it takes group_key (ordered groups)
-- for every message of the call. Replaced, not overloaded: the old signature is dropped, the grants restated.

BEGIN;

DROP FUNCTION pgq.enqueue_batch(text, jsonb);

-- Append many messages in one statement, one commit, one round trip; the
-- ids come back in input order. This is what bulk loaders and the gateway's
-- POST /messages use. Every element is checked in the pass that inserts it:
-- a bad element fails the statement, so nothing of the batch is inserted,
-- and the error names its position (the first bad one: rows are inserted in
-- input order). Waiting consumers are woken once for the lot.
CREATE FUNCTION pgq.enqueue_batch(channel text, messages jsonb, group_key text DEFAULT NULL)
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF enqueue_batch.channel IS NULL OR NOT pgq._valid_channel(enqueue_batch.channel) THEN
        PERFORM pgq._check_channel(enqueue_batch.channel);
    END IF;
    IF enqueue_batch.messages IS NULL THEN
        PERFORM pgq._check_not_null('messages', enqueue_batch.messages);
    END IF;
    IF jsonb_typeof(enqueue_batch.messages) <> 'array' THEN
        RAISE EXCEPTION 'messages must be a JSON array of objects, not %', jsonb_typeof(enqueue_batch.messages)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_array_length(enqueue_batch.messages) NOT BETWEEN 1 AND pgq._limit('max_batch') THEN
        PERFORM pgq._check_range('number of messages', jsonb_array_length(enqueue_batch.messages), 1, pgq._limit('max_batch'));
    END IF;
    -- With a group_key, every message joins that group, in input order.
    IF enqueue_batch.group_key IS NOT NULL THEN
        PERFORM pgq._check_group_key(enqueue_batch.group_key);
        PERFORM pgq._lock_group(enqueue_batch.channel, enqueue_batch.group_key);
    END IF;

    -- Identity values are drawn in the order rows are inserted, which follows
    -- the ORDER BY; sorting the result by id therefore restores input order.
    RETURN QUERY
    WITH inserted AS (
        INSERT INTO pgq.queue (channel, message, group_key)
        SELECT enqueue_batch.channel,
               CASE WHEN jsonb_typeof(e.element) = 'object' AND pgq._message_fits(e.element) THEN e.element
                    ELSE pgq._checked_message(e.element, format('messages[%s]', e.position - 1)) END,
               enqueue_batch.group_key
        FROM jsonb_array_elements(enqueue_batch.messages) WITH ORDINALITY AS e(element, position)
        ORDER BY e.position
        RETURNING queue.id
    )
    SELECT inserted.id FROM inserted ORDER BY inserted.id;
    IF enqueue_batch.group_key IS NOT NULL THEN
        PERFORM pgq._join_group(enqueue_batch.channel, enqueue_batch.group_key);
    END IF;
    PERFORM pgq._wake(enqueue_batch.channel);
END
$$;

COMMENT ON FUNCTION pgq.enqueue_batch(text, jsonb, text) IS
$$Append 1-10000 messages (a JSON array of objects, each within pgq.enqueue's limits) to a channel in one transaction;
returns their ids in input order. All or nothing.
group_key (1-128 characters, default NULL: no group): every message of the call joins that ordered group (see pgq.enqueue).$$;

REVOKE ALL ON FUNCTION pgq.enqueue_batch(text, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.enqueue_batch(text, jsonb, text) TO pgq_client;

COMMIT;
