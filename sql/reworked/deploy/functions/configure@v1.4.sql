-- Deploy pgqueue:functions/configure to pg
-- requires: schema/channel_settings

BEGIN;

-- Set a channel's limits. An omitted (NULL) limit keeps its current value, so
-- each can be changed alone by name; with both omitted this only reads them.
-- New limits apply from the next lease or enqueue_once: dedup keys already
-- stored keep the expiry they were given.
CREATE FUNCTION pgq.configure(channel text, max_deliveries integer DEFAULT NULL, dedup_window interval DEFAULT NULL)
RETURNS pgq.channel_config
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result pgq.channel_config;
BEGIN
    PERFORM pgq._check_channel(configure.channel);
    IF configure.max_deliveries IS NOT NULL THEN
        PERFORM pgq._check_range('max_deliveries', configure.max_deliveries, 1, 1000);
    END IF;
    IF configure.dedup_window <= interval '0' OR configure.dedup_window > interval '7 days' THEN
        RAISE EXCEPTION 'dedup_window must be more than 0 and at most 7 days, got %', configure.dedup_window
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF configure.max_deliveries IS NULL AND configure.dedup_window IS NULL THEN
        RETURN pgq._channel_limits(configure.channel);
    END IF;

    INSERT INTO pgq.channel_settings AS s (channel, max_deliveries, dedup_window)
    SELECT c.channel,
           coalesce(configure.max_deliveries, c.max_deliveries),
           coalesce(configure.dedup_window, c.dedup_window)
    FROM pgq._channel_limits(configure.channel) AS c
    ON CONFLICT ON CONSTRAINT channel_settings_pkey DO UPDATE
    SET max_deliveries = coalesce(configure.max_deliveries, s.max_deliveries),
        dedup_window = coalesce(configure.dedup_window, s.dedup_window)
    RETURNING s.channel, s.max_deliveries, s.dedup_window INTO result;
    RETURN result;
END
$$;

COMMENT ON FUNCTION pgq.configure(text, integer, interval) IS
$$Set and return a channel's limits. max_deliveries (1-1000, default 5): leases before a message is dead-lettered.
dedup_window (more than 0, at most 7 days; default 24 hours): how long enqueue_once remembers a dedup_key.
An omitted limit keeps its value; with both omitted, the current limits are returned unchanged.$$;

REVOKE ALL ON FUNCTION pgq.configure(text, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.configure(text, integer, interval) TO pgq_client;

COMMIT;
