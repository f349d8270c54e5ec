-- Deploy pgqueue:functions/settle to pg
-- requires: functions/settle@v1.2
-- requires: schema/queue_by_channel
-- requires: schema/archive_tally
--
-- Rework: ack writes no counter; the archive row is the count. nack,
-- extend_lease and _check_receipt are unchanged and stay as @v1.1 made them:
-- they find the message by (channel, id), the queue's primary key, and change
-- no indexed column, so they are heap-only updates.

BEGIN;

DROP FUNCTION pgq.ack(text, bigint, uuid);

-- Done with a message: archive it, exactly as dequeue would have. One probe
-- of the primary key (channel, id) finds it.
CREATE FUNCTION pgq.ack(channel text, id bigint, receipt uuid)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    settled boolean;
BEGIN
    PERFORM pgq._check_receipt(ack.channel, ack.id, ack.receipt);
    WITH consumed AS (
        DELETE FROM pgq.queue AS q
        WHERE q.id = ack.id AND q.channel = ack.channel AND q.receipt = ack.receipt
        RETURNING q.id, q.channel, q.message, q.created_at
    ), archived AS (
        INSERT INTO pgq.archive (id, channel, message, created_at)
        SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c
    )
    SELECT EXISTS (SELECT FROM consumed) INTO settled;
    RETURN settled;
END
$$;

COMMENT ON FUNCTION pgq.ack(text, bigint, uuid) IS
$$Acknowledge a leased message: it moves to the archive. True only if receipt is still the message's current one
in this channel; false, with nothing changed, for a stale receipt, another channel or an unknown id.$$;

REVOKE ALL ON FUNCTION pgq.ack(text, bigint, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.ack(text, bigint, uuid) TO pgq_client;

COMMIT;
