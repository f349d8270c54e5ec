-- Deploy pgqueue:functions/_notify_pgrst to pg
-- requires: schema/pgrst_reload
--
-- pgq._notify_pgrst() is defined here from @v1.5 on; schema/pgrst_reload created it
-- and keeps its deployed script. CREATE OR REPLACE keeps its owner and grants.

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

REVOKE ALL ON FUNCTION pgq._notify_pgrst() FROM PUBLIC;

COMMIT;
