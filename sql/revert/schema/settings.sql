-- Revert pgqueue:schema/settings from pg

BEGIN;

DROP TABLE pgq.settings;

COMMIT;
