-- Deploy pgqueue:functions/enqueue_once to pg
-- requires: functions/enqueue_once@v1.6
-- requires: functions/_group
-- requires: functions/_validation
--
-- The whole current definition of pgq.enqueue_once: it takes group_key (ordered groups). Replaced, not
-- overloaded (one signature per function): the old signature is dropped, the grants restated.

BEGIN;

DROP FUNCTION pgq.enqueue_once(text, jsonb, text, integer);

-- Enqueue at most once per dedup_key within the channel's dedup window: a
-- producer can retry after a timeout without knowing whether its first try
-- committed.
--
-- The usual path is one index lookup, then enqueue and record the key. Two
-- calls racing with the same new key both miss the lookup; the key's
-- primary key then makes the second wait for the first to commit, find its
-- row, take back its own uncommitted message (never visible to anyone) and
-- answer with the winner's id. An expired key that maintain() has not swept
-- yet is simply taken over. A message taken back leaves its group as it was.
CREATE FUNCTION pgq.enqueue_once(channel text, message jsonb, dedup_key text, delay_seconds integer DEFAULT 0,
                                 group_key text DEFAULT NULL)
RETURNS pgq.enqueued
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    seen_at constant timestamptz := clock_timestamp();
    original bigint;
    new_id bigint;
BEGIN
    PERFORM pgq._check_channel(enqueue_once.channel);
    PERFORM pgq._check_message(enqueue_once.message);
    PERFORM pgq._check_length('dedup_key', enqueue_once.dedup_key, 1, pgq._limit('dedup_key_length'));
    PERFORM pgq._check_range('delay_seconds', enqueue_once.delay_seconds, 0, pgq._limit('max_delay_seconds'));
    PERFORM pgq._check_group_key(enqueue_once.group_key);

    SELECT k.id INTO original
    FROM pgq.dedup_key AS k
    WHERE k.channel = enqueue_once.channel AND k.key = enqueue_once.dedup_key AND k.expires_at > seen_at;
    IF FOUND THEN
        RETURN (original, true)::pgq.enqueued;
    END IF;

    new_id := pgq.enqueue(enqueue_once.channel, enqueue_once.message, enqueue_once.delay_seconds, enqueue_once.group_key);
    INSERT INTO pgq.dedup_key AS k (channel, key, id, expires_at)
    VALUES (enqueue_once.channel, enqueue_once.dedup_key, new_id,
            seen_at + (pgq._channel_limits(enqueue_once.channel)).dedup_window)
    ON CONFLICT ON CONSTRAINT dedup_key_pkey DO UPDATE
    SET id = excluded.id, expires_at = excluded.expires_at
    WHERE k.expires_at <= seen_at;
    IF FOUND THEN
        RETURN (new_id, false)::pgq.enqueued;
    END IF;

    DELETE FROM pgq.queue AS q WHERE q.channel = enqueue_once.channel AND q.id = new_id;
    SELECT k.id INTO STRICT original
    FROM pgq.dedup_key AS k
    WHERE k.channel = enqueue_once.channel AND k.key = enqueue_once.dedup_key;
    RETURN (original, true)::pgq.enqueued;
END
$$;

COMMENT ON FUNCTION pgq.enqueue_once(text, jsonb, text, integer, text) IS
$$Enqueue like pgq.enqueue unless dedup_key (1-128 characters) was used in this channel within its dedup window
(pgq.configure, default 24 hours): then nothing is inserted and the original id comes back with duplicate = true.
Keys are remembered even after their message is consumed, until the window ends.
group_key (1-128 characters, default NULL: no group): the message joins that ordered group (see pgq.enqueue).$$;

REVOKE ALL ON FUNCTION pgq.enqueue_once(text, jsonb, text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.enqueue_once(text, jsonb, text, integer, text) TO pgq_client;

COMMIT;
