-- Deploy pgqueue:functions/settings_of to pg
-- requires: functions/_channel_limits
-- requires: functions/_validation
--
-- The whole current definition of pgq.settings_of.

BEGIN;

-- Read a channel's limits without the right to change them. A consumer
-- needs max_deliveries to know how many tries a message gets before it is
-- dead-lettered, and a producer the dedup_window its dedup keys live for;
-- neither is a secret, so reading is the client's, like pgq.stats(), while
-- pgq.configure stays the administrator's.
CREATE FUNCTION pgq.settings_of(channel text)
RETURNS pgq.channel_config
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pgq._check_channel(settings_of.channel);
    RETURN pgq._channel_limits(settings_of.channel);
END
$$;

COMMENT ON FUNCTION pgq.settings_of(text) IS
$$A channel's limits, as pgq.configure sets them: its own, or the defaults (max_deliveries 5, dedup_window 24 hours).$$;

REVOKE ALL ON FUNCTION pgq.settings_of(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.settings_of(text) TO pgq_client;

COMMIT;
