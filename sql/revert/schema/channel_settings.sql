-- Revert pgqueue:schema/channel_settings from pg

BEGIN;

DROP FUNCTION pgq._channel_limits(text);
DROP TYPE pgq.channel_config;
DROP TABLE pgq.channel_settings;

COMMIT;
