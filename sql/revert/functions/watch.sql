-- Revert pgqueue:functions/watch from pg: back to the bodies of @v1.4, replaced in
-- place so that their owner and grants stay as they are.

BEGIN;

-- A gateway process's heartbeat for its long-poll consumers, one call for
-- everything: make listener's registration exactly these channels, renewed
-- for ttl_seconds, sweep registrations that have expired (a crashed
-- gateway's), and say which of the channels have a ready message right now.
--
-- The answer is what bounds a missed notification: a message whose NOTIFY
-- went nowhere (enqueued while the registration was being made, delayed
-- messages becoming due, a nack, a lease running out, a redrive) is found by
-- the next call, one query per gateway process however many consumers wait.
--
-- A registration is written only when it is new or half its ttl has passed,
-- so calling this every second costs reads, not a row update per channel.
CREATE OR REPLACE FUNCTION pgq.watch(listener text, channels text[], ttl_seconds integer DEFAULT 30)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    seen_at constant timestamptz := clock_timestamp();
    bad text;
BEGIN
    IF watch.listener IS NULL THEN
        RAISE EXCEPTION 'listener must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM pgq._check_range('length of listener', length(watch.listener), 1, 64);
    IF watch.channels IS NULL THEN
        RAISE EXCEPTION 'channels must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM pgq._check_range('number of channels', cardinality(watch.channels), 0, 10000);
    SELECT c INTO bad FROM unnest(watch.channels) AS c WHERE c IS NULL OR NOT pgq._valid_channel(c) LIMIT 1;
    IF FOUND THEN
        PERFORM pgq._check_channel(bad);
    END IF;
    PERFORM pgq._check_range('ttl_seconds', watch.ttl_seconds, 1, 3600);

    DELETE FROM pgq.waiting AS w
    WHERE w.expires_at <= seen_at
       OR (w.listener = watch.listener AND w.channel <> ALL (watch.channels));
    UPDATE pgq.waiting AS w
    SET expires_at = seen_at + make_interval(secs => watch.ttl_seconds)
    WHERE w.listener = watch.listener
      AND w.channel = ANY (watch.channels)
      AND w.expires_at < seen_at + make_interval(secs => watch.ttl_seconds / 2.0);
    INSERT INTO pgq.waiting (channel, listener, expires_at)
    SELECT DISTINCT c, watch.listener, seen_at + make_interval(secs => watch.ttl_seconds)
    FROM unnest(watch.channels) AS c
    ON CONFLICT ON CONSTRAINT waiting_pkey DO NOTHING;

    RETURN QUERY
    SELECT DISTINCT c
    FROM unnest(watch.channels) AS c
    WHERE EXISTS (SELECT FROM pgq.queue AS q WHERE q.channel = c AND q.visible_at <= seen_at)
    ORDER BY c;
END
$$;

COMMENT ON FUNCTION pgq.watch(text, text[], integer) IS
$$For the gateway's long polling: register exactly these channels (0-10000) for listener (1-64 characters, one per
gateway process) until ttl_seconds (1-3600, default 30) from now, so that enqueues on them NOTIFY pgq_ready with the
channel as payload; an empty array unregisters. Returns those of the channels that have a ready message now.$$;

-- Not part of the client API: only the gateway's own login keeps registrations.

COMMIT;
