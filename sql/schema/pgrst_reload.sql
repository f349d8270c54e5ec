-- Deploy pgqueue:schema/pgrst_reload to pg
-- requires: schema/pgrst_reload@v1.2
--
-- Rework: PostgREST reloads its schema cache only for DDL on objects in pgq.
-- Every login may create temporary tables, and other applications share the
-- database: their DDL must not make PostgREST reload (a reload per CREATE TEMP
-- TABLE is a cheap way to keep it busy). GRANT and REVOKE name no schema to
-- the trigger, so they send no reload; PostgREST checks privileges per call.

BEGIN;

-- One function behind both triggers: ddl_command_end lists the commands' objects,
-- sql_drop the dropped ones (DROP SCHEMA pgq itself is an object named pgq).
CREATE OR REPLACE FUNCTION pgq._notify_pgrst()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_EVENT = 'sql_drop' THEN
        IF NOT EXISTS (SELECT FROM pg_event_trigger_dropped_objects() AS d
                       WHERE d.schema_name = 'pgq' OR (d.object_type = 'schema' AND d.object_identity = 'pgq')) THEN
            RETURN;
        END IF;
    ELSIF NOT EXISTS (SELECT FROM pg_event_trigger_ddl_commands() AS c
                      WHERE c.schema_name = 'pgq' OR (c.object_type = 'schema' AND c.object_identity = 'pgq')) THEN
        RETURN;
    END IF;
    NOTIFY pgrst, 'reload schema';
END
$$;

COMMENT ON FUNCTION pgq._notify_pgrst() IS
$$Event trigger: NOTIFY pgrst, 'reload schema' after DDL on objects in pgq, and only then.$$;

COMMIT;
