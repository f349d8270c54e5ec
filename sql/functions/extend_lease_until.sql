-- Deploy pgqueue:functions/extend_lease_until to pg
-- requires: functions/settle
--
-- The whole current definition of pgq.extend_lease_until.

BEGIN;

-- pgq.extend_lease, answering when the lease now ends, for a client that
-- schedules its next heartbeat by it (POST /queue/{channel}/extend). The
-- extension is pgq.extend_lease's own; the end is read back in the same
-- transaction, under the row lock that call took, so it is the one stored.
CREATE FUNCTION pgq.extend_lease_until(channel text, id bigint, receipt uuid, seconds integer)
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ends timestamptz;
BEGIN
    IF pgq.extend_lease(extend_lease_until.channel, extend_lease_until.id, extend_lease_until.receipt,
                        extend_lease_until.seconds) THEN
        SELECT q.visible_at INTO STRICT ends
        FROM pgq.queue AS q
        WHERE q.channel = extend_lease_until.channel AND q.id = extend_lease_until.id;
    END IF;
    RETURN ends;
END
$$;

COMMENT ON FUNCTION pgq.extend_lease_until(text, bigint, uuid, integer) IS
$$pgq.extend_lease, answering when the lease now ends: seconds (1-43200) from now, receipt kept. Null, with
nothing changed, unless receipt is the message's current one in this channel.$$;

REVOKE ALL ON FUNCTION pgq.extend_lease_until(text, bigint, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.extend_lease_until(text, bigint, uuid, integer) TO pgq_client;

COMMIT;
