-- Revert pgqueue:functions/settle from pg: back to the definition of @v1.7, replaced in place so that
-- its owner and grants stay as they are.

BEGIN;

CREATE OR REPLACE FUNCTION pgq._check_receipt(channel text, id bigint, receipt uuid)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    PERFORM pgq._check_channel(_check_receipt.channel);
    PERFORM pgq._check_not_null('id', _check_receipt.id);
    PERFORM pgq._check_not_null('receipt', _check_receipt.receipt);
END
$$;

REVOKE ALL ON FUNCTION pgq._check_receipt(text, bigint, uuid) FROM PUBLIC;

-- Done with a message: archive it, exactly as dequeue would have. One probe
-- of the primary key (channel, id) finds it. A grouped message hands its
-- group on to the group's next message (trigger queue_group_next, docs/sql.md).
CREATE OR REPLACE FUNCTION pgq.ack(channel text, id bigint, receipt uuid)
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

-- Give a message back: ready again after delay_seconds, at its own id. The
-- delivery it had still counts towards max_deliveries. A grouped message
-- stays the first of its group, which waits for it (docs/sql.md); only an
-- ungrouped one is on the channel's head.
CREATE OR REPLACE FUNCTION pgq.nack(channel text, id bigint, receipt uuid, delay_seconds integer DEFAULT 0)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    back_at timestamptz;
    nacked_group text;
BEGIN
    PERFORM pgq._check_receipt(nack.channel, nack.id, nack.receipt);
    PERFORM pgq._check_range('delay_seconds', nack.delay_seconds, 0, pgq._limit('max_visibility_seconds'));
    UPDATE pgq.queue AS q
    SET visible_at = clock_timestamp() + make_interval(secs => nack.delay_seconds),
        receipt = NULL
    WHERE q.id = nack.id AND q.channel = nack.channel AND q.receipt = nack.receipt
    RETURNING q.visible_at, q.group_key INTO back_at, nacked_group;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF nacked_group IS NULL THEN
        PERFORM pgq._lower_head(nack.channel, nack.id, nack.delay_seconds = 0);
    ELSE
        PERFORM pgq._group_visible(nack.channel, nacked_group, back_at);
    END IF;
    RETURN true;
END
$$;

COMMENT ON FUNCTION pgq.nack(text, bigint, uuid, integer) IS
$$Return a leased message unprocessed: it is ready again after delay_seconds (0-43200, default 0), keeping its id
and its delivery count. True only for the current receipt; false, with nothing changed, otherwise.$$;

-- A heartbeat for slow work: the lease now ends seconds from now, and so
-- does the wait of a grouped message's group.
CREATE OR REPLACE FUNCTION pgq.extend_lease(channel text, id bigint, receipt uuid, seconds integer)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    until timestamptz;
    leased_group text;
BEGIN
    PERFORM pgq._check_receipt(extend_lease.channel, extend_lease.id, extend_lease.receipt);
    PERFORM pgq._check_range('seconds', extend_lease.seconds, 1, pgq._limit('max_visibility_seconds'));
    UPDATE pgq.queue AS q
    SET visible_at = clock_timestamp() + make_interval(secs => extend_lease.seconds)
    WHERE q.id = extend_lease.id AND q.channel = extend_lease.channel AND q.receipt = extend_lease.receipt
    RETURNING q.visible_at, q.group_key INTO until, leased_group;
    IF leased_group IS NOT NULL THEN
        PERFORM pgq._group_visible(extend_lease.channel, leased_group, until);
    END IF;
    RETURN until IS NOT NULL;
END
$$;

COMMENT ON FUNCTION pgq.extend_lease(text, bigint, uuid, integer) IS
$$Make a lease end seconds (1-43200) from now, keeping its receipt. True only for the current receipt;
false, with nothing changed, otherwise.$$;

REVOKE ALL ON FUNCTION
    pgq.ack(text, bigint, uuid),
    pgq.nack(text, bigint, uuid, integer),
    pgq.extend_lease(text, bigint, uuid, integer)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    pgq.ack(text, bigint, uuid),
    pgq.nack(text, bigint, uuid, integer),
    pgq.extend_lease(text, bigint, uuid, integer)
TO pgq_client;

COMMIT;
