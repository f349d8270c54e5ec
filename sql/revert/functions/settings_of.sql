-- Revert pgqueue:functions/settings_of from pg

BEGIN;

DROP FUNCTION pgq.settings_of(text);

COMMIT;
