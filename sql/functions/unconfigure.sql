-- Deploy pgqueue:functions/unconfigure to pg
-- requires: functions/_channel_limits
-- requires: functions/_validation
-- requires: schema/api_grants
--
-- The whole current definition of pgq.unconfigure.

BEGIN;

-- Undo pgq.configure: the channel's own limits go, so the defaults apply
-- from the next lease or enqueue_once, and pgq.maintain() may forget a
-- channel that has nothing else left. An administrator's function, like
-- configure.
CREATE FUNCTION pgq.unconfigure(channel text)
RETURNS pgq.channel_config
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pgq._check_channel(unconfigure.channel);
    DELETE FROM pgq.channel_settings AS s WHERE s.channel = unconfigure.channel;
    RETURN pgq._channel_limits(unconfigure.channel);
END
$$;

COMMENT ON FUNCTION pgq.unconfigure(text) IS
$$Return a channel to the default limits (max_deliveries 5, dedup_window 24 hours), dropping its own settings;
returns the limits now in force.$$;

REVOKE ALL ON FUNCTION pgq.unconfigure(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.unconfigure(text) TO pgq_admin;

COMMIT;
