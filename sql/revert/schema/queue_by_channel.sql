-- Revert pgqueue:schema/queue_by_channel from pg: back to the primary key on id and a (channel, id) index

BEGIN;

LOCK TABLE pgq.queue IN ACCESS EXCLUSIVE MODE;
ALTER TABLE pgq.queue DROP CONSTRAINT queue_channel_id;
ALTER TABLE pgq.queue ADD CONSTRAINT queue_pkey PRIMARY KEY (id);
CREATE INDEX queue_channel_id ON pgq.queue (channel, id);
ALTER TABLE pgq.queue RESET (fillfactor);

COMMIT;
