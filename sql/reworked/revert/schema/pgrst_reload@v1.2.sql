-- Revert pgqueue:schema/pgrst_reload from pg

BEGIN;

DROP EVENT TRIGGER pgq_pgrst_reload_drop;
DROP EVENT TRIGGER pgq_pgrst_reload;
DROP FUNCTION pgq._notify_pgrst();

COMMIT;
