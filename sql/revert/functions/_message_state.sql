-- Revert pgqueue:functions/_message_state from pg

BEGIN;

DROP FUNCTION pgq._message_state(timestamptz, uuid, timestamptz);

COMMIT;
