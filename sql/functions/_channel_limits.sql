-- Deploy pgqueue:functions/_channel_limits to pg
-- requires: schema/channel_settings
--
-- pgq._channel_limits() is defined here from @v1.5 on; schema/channel_settings created it
-- and keeps its deployed script. CREATE OR REPLACE keeps its owner and grants.

BEGIN;

-- A channel's limits, its own or the defaults. (Not "_channel_config": that is
-- the name of the array type of pgq.channel_config.) The only place the defaults
-- are written: 5 deliveries before a message is dead-lettered, and a 24-hour
-- window in which a dedup_key is remembered.
CREATE OR REPLACE FUNCTION pgq._channel_limits(channel text)
RETURNS pgq.channel_config
LANGUAGE sql STABLE
AS $$
    SELECT _channel_limits.channel,
           coalesce(s.max_deliveries, 5),
           coalesce(s.dedup_window, interval '24 hours')
    FROM (SELECT) AS one
    LEFT JOIN pgq.channel_settings AS s ON s.channel = _channel_limits.channel;
$$;

REVOKE ALL ON FUNCTION pgq._channel_limits(text) FROM PUBLIC;

COMMIT;
