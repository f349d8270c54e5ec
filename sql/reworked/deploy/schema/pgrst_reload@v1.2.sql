-- Deploy pgqueue:schema/pgrst_reload to pg
-- requires: schema/pgq
--
-- PostgREST caches the schema; it must hear about every change. An event
-- trigger sends the reload signal at the end of every DDL command, so each
-- deploy (this one and all later ones) ends with NOTIFY pgrst, 'reload schema'.

BEGIN;

CREATE FUNCTION pgq._notify_pgrst()
RETURNS event_trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NOTIFY pgrst, 'reload schema';
END
$$;

REVOKE ALL ON FUNCTION pgq._notify_pgrst() FROM PUBLIC;

CREATE EVENT TRIGGER pgq_pgrst_reload ON ddl_command_end EXECUTE FUNCTION pgq._notify_pgrst();
CREATE EVENT TRIGGER pgq_pgrst_reload_drop ON sql_drop EXECUTE FUNCTION pgq._notify_pgrst();

COMMIT;
