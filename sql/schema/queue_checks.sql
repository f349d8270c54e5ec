-- Deploy pgqueue:schema/queue_checks to pg
-- requires: schema/queue

BEGIN;

-- pgq.queue no longer repeats the checks of its writers. Every row comes
-- from a pgq function (clients have no right on the table): pgq.enqueue and
-- pgq.enqueue_batch check the channel and that the message is an object
-- (within its limits) before they insert; the others move rows checked so,
-- and only pgq.lease changes deliveries, by adding one. An INSERT or UPDATE
-- prepares each CHECK expression afresh per statement (pgq._valid_channel
-- inlined, its pattern looked up): under pgbench the three cost pgq.enqueue
-- more than all its own checks, and pgq.lease pays them on every UPDATE.
ALTER TABLE pgq.queue DROP CONSTRAINT queue_channel_valid;
ALTER TABLE pgq.queue DROP CONSTRAINT queue_message_is_object;
ALTER TABLE pgq.queue DROP CONSTRAINT queue_deliveries_not_negative;

COMMIT;
