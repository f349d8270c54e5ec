-- Revert pgqueue:functions/purge_archive from pg: back to the purge_archive of @v1.2

BEGIN;

DROP FUNCTION pgq.purge_archive(interval);

-- Delete archived messages consumed longer ago than older_than. An
-- administrator's function: not granted to pgq_client, so nobody can empty
-- the archive over HTTP.
CREATE FUNCTION pgq.purge_archive(older_than interval)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    removed bigint;
BEGIN
    IF older_than IS NULL THEN
        RAISE EXCEPTION 'older_than must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF older_than < interval '0' THEN
        RAISE EXCEPTION 'older_than must not be negative, got %', older_than
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM pgq.archive AS a WHERE a.consumed_at < now() - older_than;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;

COMMENT ON FUNCTION pgq.purge_archive(interval) IS
$$Delete archived messages consumed more than older_than ago; returns how many were removed.$$;

REVOKE ALL ON FUNCTION pgq.purge_archive(interval) FROM PUBLIC;

COMMIT;
