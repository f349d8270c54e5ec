-- Deploy pgqueue:functions/enqueue to pg
-- requires: functions/enqueue@v1.6
-- requires: functions/_validation
-- requires: functions/_group
--
-- The whole current definition of pgq.enqueue: a message past pgq.limits()'s
-- max_message_depth or max_message_bytes is refused, and it takes group_key
-- (ordered groups). Replaced, not overloaded (one signature per function):
-- the old signature is dropped, the grants restated.

BEGIN;

DROP FUNCTION pgq.enqueue(text, jsonb, integer);

-- Append one message to the end of a channel. One INSERT: the identity gives
-- the message its place in the FIFO order. A delayed message takes its place
-- now and is skipped by consumers until visible_at; it wakes no waiting
-- consumer either: pgq.watch() finds it once it is due.
--
-- With a group_key, the message joins its group (docs/sql.md, "Ordered
-- groups"): the group's row is locked before the INSERT draws the id.
--
-- This is the hottest function, and its cost is per call, not per row (a
-- profile under pgbench: the executor's start-up per statement, not the
-- checks' arithmetic). So: the checks on channel and message are one plain
-- expression (pgq._valid_channel and pgq._message_fits are inlined), and the
-- helpers that name the error run only when it fails. The table repeats none
-- of them (schema/queue_checks: an INSERT prepares every CHECK constraint
-- afresh). One statement inserts and asks pgq._wake()'s question, whether
-- anyone waits on the channel, in its RETURNING: a call of pgq._wake is a
-- statement and a search_path change of its own. A message without a group
-- runs no statement of the groups.
CREATE FUNCTION pgq.enqueue(channel text, message jsonb, delay_seconds integer DEFAULT 0, group_key text DEFAULT NULL)
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
    IF enqueue.group_key IS NOT NULL THEN
        PERFORM pgq._check_group_key(enqueue.group_key);
        PERFORM pgq._lock_group(enqueue.channel, enqueue.group_key);
    END IF;
    INSERT INTO pgq.queue (channel, message, visible_at, group_key)
    VALUES (enqueue.channel, enqueue.message, now() + make_interval(secs => enqueue.delay_seconds), enqueue.group_key)
    RETURNING queue.id,
              enqueue.delay_seconds = 0 AND EXISTS (
                  SELECT FROM pgq.waiting AS w WHERE w.channel = enqueue.channel AND w.expires_at > clock_timestamp())
    INTO new_id, waited;
    IF enqueue.group_key IS NOT NULL THEN
        PERFORM pgq._join_group(enqueue.channel, enqueue.group_key);
    END IF;
    IF waited THEN
        PERFORM pg_notify('pgq_ready', enqueue.channel);
    END IF;
    RETURN new_id;
END
$$;

COMMENT ON FUNCTION pgq.enqueue(text, jsonb, integer, text) IS
$$Append a message (a JSON object) to the end of a channel and return its id.
channel: 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit.
message: nested at most 200 levels deep, at most 1 MiB (1048576 bytes) as JSON text.
delay_seconds (0-604800, default 0): consumers do not see the message before then.
group_key (1-128 characters, default NULL: no group): messages of a channel with the same group_key are delivered
one at a time, in id order; a later one waits until the one before is acked, dead-lettered or dequeued.$$;

REVOKE ALL ON FUNCTION pgq.enqueue(text, jsonb, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.enqueue(text, jsonb, integer, text) TO pgq_client;

COMMIT;
