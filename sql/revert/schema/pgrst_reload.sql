-- Revert pgqueue:schema/pgrst_reload from pg: back to the reload after every DDL of @v1.2

BEGIN;

CREATE OR REPLACE FUNCTION pgq._notify_pgrst()
RETURNS event_trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NOTIFY pgrst, 'reload schema';
END
$$;

COMMENT ON FUNCTION pgq._notify_pgrst() IS NULL;

COMMIT;
