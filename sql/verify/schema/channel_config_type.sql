-- Verify pgqueue:schema/channel_config_type on pg

SELECT (NULL::pgq.channel_config).channel, (NULL::pgq.channel_config).max_deliveries, (NULL::pgq.channel_config).dedup_window;
