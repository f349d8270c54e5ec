-- Revert pgqueue:functions/limits from pg: back to the bounds of @v1.5, replaced in place
--
-- Every bound of the API, written once. The functions check their input
-- against pgq._limit(name); gateway/bounds.py mirrors these rows for the HTTP
-- layer, and tests/sql/test_limits.py fails when the two disagree.

BEGIN;

-- IMMUTABLE, so pgq._limit() with a constant name is folded into its caller's
-- plan once per session: a bound costs a hot path nothing. SECURITY DEFINER
-- like the rest of the API, though it reads nothing.
CREATE OR REPLACE FUNCTION pgq.limits()
RETURNS SETOF pgq.api_limit
LANGUAGE sql IMMUTABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    VALUES ('channel_length', 64::bigint),      -- characters in a channel name
           ('max_delay_seconds', 604800),       -- enqueue's and enqueue_once's delay_seconds: 7 days
           ('max_visibility_seconds', 43200),   -- a lease's visibility, extend_lease's seconds, nack's delay: 12 hours
           ('max_take', 100),                   -- messages per dequeue or lease
           ('max_list_take', 300),              -- rows per peek or dead_letters page
           ('max_skip', 2147483647),            -- peek's and dead_letters' skip: an integer
           ('max_batch', 10000),                -- messages per enqueue_batch
           ('dedup_key_length', 128),           -- characters in an enqueue_once dedup_key
           ('max_dedup_window_seconds', 604800),-- configure's dedup_window: 7 days
           ('max_deliveries', 1000),            -- configure's max_deliveries
           ('listener_length', 64),             -- characters in a watch listener
           ('max_watched_channels', 10000),     -- channels per watch call
           ('max_watch_ttl_seconds', 3600)      -- how long a watch registration lasts unless renewed
$$;

COMMENT ON FUNCTION pgq.limits() IS
$$Every bound the API checks, by name: the largest (or, for lengths, the longest) value a parameter may take.$$;

-- The bound called name; an unknown name is a bug in the caller, not bad input.
CREATE OR REPLACE FUNCTION pgq._limit(name text)
RETURNS bigint
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    bound bigint;
BEGIN
    SELECT l.value INTO bound FROM pgq.limits() AS l WHERE l.name = _limit.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pgq.limits() has no limit named %', _limit.name USING ERRCODE = 'undefined_object';
    END IF;
    RETURN bound;
END
$$;

COMMENT ON FUNCTION pgq._limit(text) IS $$The value of the pgq.limits() row called name.$$;

REVOKE ALL ON FUNCTION pgq.limits(), pgq._limit(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.limits() TO pgq_client;

COMMIT;
