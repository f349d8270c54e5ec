-- Revert pgqueue:functions/_adopt_objects from pg: back to the body of @v1.5, replaced in
-- place so that its owner and grants stay as they are.

BEGIN;

-- Why a catalog sweep, not the command's own objects: one sweep also covers
-- the objects earlier changes created, and identity sequences and indexes
-- follow their table. Only superusers create objects in pgq, and only they
-- may hand them to pgq_owner: anyone else's DDL leaves here at once.
CREATE OR REPLACE FUNCTION pgq._adopt_objects()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    owner constant oid := 'pgq_owner'::regrole;
    object record;
BEGIN
    IF current_setting('pgq.adopting', true) = 'on'
       OR NOT EXISTS (SELECT FROM pg_event_trigger_ddl_commands() AS c WHERE c.schema_name = 'pgq') THEN
        RETURN;
    END IF;
    PERFORM set_config('pgq.adopting', 'on', true);  -- our own ALTERs fire this trigger again
    FOR object IN
        SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                              WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END AS kind,
               c.oid::regclass::text AS name
        FROM pg_class AS c
        WHERE c.relnamespace = 'pgq'::regnamespace AND c.relowner <> owner
          AND c.relkind IN ('r', 'p', 'v', 'm', 'c', 'S')
          AND NOT (c.relkind = 'S' AND EXISTS (  -- an identity or serial sequence follows its table
              SELECT FROM pg_depend AS d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
        UNION ALL
        SELECT 'TYPE', t.oid::regtype::text
        FROM pg_type AS t
        WHERE t.typnamespace = 'pgq'::regnamespace AND t.typowner <> owner AND t.typtype IN ('d', 'e', 'r')
        UNION ALL
        SELECT 'ROUTINE', p.oid::regprocedure::text
        FROM pg_proc AS p
        WHERE p.pronamespace = 'pgq'::regnamespace AND p.proowner <> owner
          AND p.prorettype <> 'event_trigger'::regtype
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO pgq_owner', object.kind, object.name);
    END LOOP;
    PERFORM set_config('pgq.adopting', '', true);
END
$$;

COMMENT ON FUNCTION pgq._adopt_objects() IS
$$Event trigger: hands every table, sequence, type and function in pgq to pgq_owner
(event trigger functions excepted, which must stay a superuser's).$$;

REVOKE ALL ON FUNCTION pgq._adopt_objects() FROM PUBLIC;

COMMIT;
