-- Deploy pgqueue:functions/purge to pg
-- requires: functions/_validation
-- requires: schema/api_grants
--
-- The whole current definition of pgq.purge.

BEGIN;

-- Empty a channel: its queued messages, ready, delayed or leased, are
-- deleted, not archived. The archive holds what was consumed, and the
-- consumed total counts it; a purged message was never consumed. So the
-- channel's enqueued total in pgq.stats() drops by what this deletes (a
-- counter reset to Prometheus), and a consumer still holding a receipt
-- gets false from ack, nack and extend_lease. Dead letters stay: redrive
-- them first to purge them too. Dedup keys stay for their window.
--
-- An administrator's function, granted to pgq_admin only. Work is bounded
-- like pgq.purge_archive's: batches of 10,000 along the (channel, id) index,
-- each a range of ids past the last (a range scan of the primary key, whatever
-- the planner knows of a freshly filled channel: an id list would be checked
-- against every row of the channel), and no new batch once a second has passed, so
-- a channel of millions is emptied by repeated calls, none of which a
-- statement_timeout cancels. Call it until it answers 0.
CREATE FUNCTION pgq.purge(channel text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    batch constant integer := 10000;
    budget_ends constant timestamptz := clock_timestamp() + interval '1 second';
    reached bigint := -9223372036854775808;
    upto bigint;
    deleted bigint;
    removed bigint := 0;
BEGIN
    PERFORM pgq._check_channel(purge.channel);
    LOOP
        SELECT b.id INTO upto
        FROM pgq.queue AS b
        WHERE b.channel = purge.channel AND b.id > reached
        ORDER BY b.id
        OFFSET batch - 1
        LIMIT 1;
        IF upto IS NULL THEN
            DELETE FROM pgq.queue AS q WHERE q.channel = purge.channel AND q.id > reached;
        ELSE
            DELETE FROM pgq.queue AS q WHERE q.channel = purge.channel AND q.id > reached AND q.id <= upto;
        END IF;
        GET DIAGNOSTICS deleted = ROW_COUNT;
        removed := removed + deleted;
        EXIT WHEN upto IS NULL OR clock_timestamp() >= budget_ends;
        reached := upto;
    END LOOP;
    RETURN removed;
END
$$;

COMMENT ON FUNCTION pgq.purge(text) IS
$$Delete a channel's queued messages (ready, delayed and leased; not archived, not its dead letters), in batches for
at most about a second; returns how many were deleted (call again until it answers 0).$$;

REVOKE ALL ON FUNCTION pgq.purge(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.purge(text) TO pgq_admin;

COMMIT;
