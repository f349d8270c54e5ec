-- Revert pgqueue:schema/message_type from pg

BEGIN;

DROP TYPE pgq.message;

COMMIT;
