-- Revert pgqueue:functions/enqueue from pg: back to the signature and body of @v1.6, without group_key

BEGIN;

DROP FUNCTION pgq.enqueue(text, jsonb, integer, text);

-- Append one message to the end of a channel. One INSERT: the identity gives
-- the message its place in the FIFO order. A delayed message takes its place
-- now and is skipped by consumers until visible_at; it wakes no waiting
-- consumer either: pgq.watch() finds it once it is due.
--
-- This is the hottest function, and its cost is per call, not per row (a
-- profile under pgbench: the executor's start-up per statement, not the
-- checks' arithmetic). So: the checks on channel and message are one plain
-- expression (pgq._valid_channel and pgq._message_fits are inlined), and the
-- helpers that name the error run only when it fails. The table repeats none
-- of them (schema/queue_checks: an INSERT prepares every CHECK constraint
-- afresh). One statement inserts and asks pgq._wake()'s question, whether
-- anyone waits on the channel, in its RETURNING: a call of pgq._wake is a
-- statement and a search_path change of its own.
CREATE FUNCTION pgq.enqueue(channel text, message jsonb, delay_seconds integer DEFAULT 0)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id bigint;
    waited boolean;
BEGIN
    IF enqueue.channel IS NULL OR NOT pgq._valid_channel(enqueue.channel)
       OR enqueue.message IS NULL OR jsonb_typeof(enqueue.message) <> 'object' OR NOT pgq._message_fits(enqueue.message) THEN
        PERFORM pgq._check_channel(enqueue.channel);
        PERFORM pgq._check_message(enqueue.message);
    END IF;
    IF enqueue.delay_seconds IS DISTINCT FROM 0 THEN
        PERFORM pgq._check_range('delay_seconds', enqueue.delay_seconds, 0, pgq._limit('max_delay_seconds'));
    END IF;
    INSERT INTO pgq.queue (channel, message, visible_at)
    VALUES (enqueue.channel, enqueue.message, now() + make_interval(secs => enqueue.delay_seconds))
    RETURNING queue.id,
              enqueue.delay_seconds = 0 AND EXISTS (
                  SELECT FROM pgq.waiting AS w WHERE w.channel = enqueue.channel AND w.expires_at > clock_timestamp())
    INTO new_id, waited;
    IF waited THEN
        PERFORM pg_notify('pgq_ready', enqueue.channel);
    END IF;
    RETURN new_id;
END
$$;

COMMENT ON FUNCTION pgq.enqueue(text, jsonb, integer) IS
$$Append a message (a JSON object) to the end of a channel and return its id.
channel: 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit.
message: nested at most 200 levels deep, at most 1 MiB (1048576 bytes) as JSON text.
delay_seconds (0-604800, default 0): consumers do not see the message before then.$$;

REVOKE ALL ON FUNCTION pgq.enqueue(text, jsonb, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.enqueue(text, jsonb, integer) TO pgq_client;

COMMIT;
