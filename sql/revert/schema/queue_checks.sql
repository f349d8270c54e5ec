-- Revert pgqueue:schema/queue_checks from pg: the queue checks channel, message and deliveries again

BEGIN;

ALTER TABLE pgq.queue ADD CONSTRAINT queue_channel_valid CHECK (pgq._valid_channel(channel));
ALTER TABLE pgq.queue ADD CONSTRAINT queue_message_is_object CHECK (jsonb_typeof(message) = 'object');
ALTER TABLE pgq.queue ADD CONSTRAINT queue_deliveries_not_negative CHECK (deliveries >= 0);

COMMIT;
