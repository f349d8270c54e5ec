-- Revert pgqueue:schema/message_group from pg

BEGIN;

ALTER TYPE pgq.dead_message DROP ATTRIBUTE group_key;
ALTER TYPE pgq.queued_message DROP ATTRIBUTE group_key;
ALTER TYPE pgq.leased_message DROP ATTRIBUTE group_key;
DROP TABLE pgq.message_group;
DROP INDEX pgq.queue_group;
ALTER TABLE pgq.dead_letter DROP COLUMN group_key;
ALTER TABLE pgq.queue DROP COLUMN group_key;

COMMIT;
