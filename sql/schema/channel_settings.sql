-- Deploy pgqueue:schema/channel_settings to pg
-- requires: functions/_validation

BEGIN;

-- Per-channel delivery limits, set with pgq.configure(). A channel without a
-- row here uses the defaults in pgq._channel_limits(), so most channels never
-- need one.
CREATE TABLE pgq.channel_settings (
    channel        text COLLATE "C" PRIMARY KEY
        CONSTRAINT channel_settings_channel_valid CHECK (pgq._valid_channel(channel)),
    max_deliveries integer NOT NULL
        CONSTRAINT channel_settings_max_deliveries_range CHECK (max_deliveries BETWEEN 1 AND 1000),
    dedup_window   interval NOT NULL
        CONSTRAINT channel_settings_dedup_window_range CHECK (dedup_window > interval '0' AND dedup_window <= interval '7 days')
);
COMMENT ON TABLE pgq.channel_settings IS 'Per-channel limits set by pgq.configure(); absent channels use the defaults';

CREATE TYPE pgq.channel_config AS (
    channel        text,
    max_deliveries integer,
    dedup_window   interval
);
COMMENT ON TYPE pgq.channel_config IS 'A channel''s limits as returned by pgq.configure()';

-- A channel's limits, its own or the defaults. (Not "_channel_config": that is
-- the name of the array type of pgq.channel_config.) The only place the defaults
-- are written: 5 deliveries before a message is dead-lettered, and a 24-hour
-- window in which a dedup_key is remembered.
CREATE FUNCTION pgq._channel_limits(channel text)
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
