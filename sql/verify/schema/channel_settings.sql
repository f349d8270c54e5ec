-- Verify pgqueue:schema/channel_settings on pg

SELECT channel, max_deliveries, dedup_window FROM pgq.channel_settings WHERE false;
SELECT 1 / ((pgq._channel_limits('two')).max_deliveries = 5)::int;
SELECT 1 / (NOT pg_catalog.has_table_privilege('pgq_client', 'pgq.channel_settings', 'SELECT,INSERT,UPDATE,DELETE'))::int;
