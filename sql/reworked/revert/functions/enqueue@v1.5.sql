-- Revert pgqueue:functions/enqueue from pg: back to the bodies of @v1.4, replaced in
-- place so that their owner and grants stay as they are.

BEGIN;

-- Append one message to the end of a channel. One INSERT: the identity gives
-- the message its place in the FIFO order. A delayed message takes its place
-- now and is skipped by consumers until visible_at; it wakes no waiting
-- consumer either: pgq.watch() finds it once it is due.
--
-- This is the hottest function: each check is a plain expression, cheap in
-- PL/pgSQL, and the helper that names the error runs only when a check fails.
CREATE OR REPLACE FUNCTION pgq.enqueue(channel text, message jsonb, delay_seconds integer DEFAULT 0)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id bigint;
BEGIN
    IF channel IS NULL OR NOT pgq._valid_channel(channel) THEN
        PERFORM pgq._check_channel(channel);
    END IF;
    IF message IS NULL OR jsonb_typeof(message) <> 'object' THEN
        PERFORM pgq._check_message(message);
    END IF;
    IF delay_seconds IS DISTINCT FROM 0 THEN
        PERFORM pgq._check_range('delay_seconds', delay_seconds, 0, 604800);
    END IF;
    INSERT INTO pgq.queue (channel, message, visible_at)
    VALUES (enqueue.channel, enqueue.message, now() + make_interval(secs => enqueue.delay_seconds))
    RETURNING queue.id INTO new_id;
    IF delay_seconds = 0 THEN
        PERFORM pgq._wake(channel);
    END IF;
    RETURN new_id;
END
$$;

COMMENT ON FUNCTION pgq.enqueue(text, jsonb, integer) IS
$$Append a message (a JSON object) to the end of a channel and return its id.
channel: 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit.
delay_seconds (0-604800, default 0): consumers do not see the message before then.$$;

COMMIT;
