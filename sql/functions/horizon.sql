-- Deploy pgqueue:functions/horizon to pg
-- requires: schema/head
-- requires: schema/api_grants

BEGIN;

-- One row for the metrics: how long the oldest transaction of this database
-- (or replication slot, or standby with hot_standby_feedback, both counted in
-- transactions) has held the horizon back, and the dead row versions in
-- pgq.queue that autovacuum could not remove yet. With the head of a channel
-- (docs/sql.md) consumers keep their speed while the horizon is held, but
-- the dead versions still take space, and every other table of the database
-- suffers the same. The cost is one pass over pg_stat_activity and
-- pg_replication_slots (one row per session and slot) and one statistics
-- lookup: bounded by max_connections, whatever the queue holds.
--
-- pg_stat_activity shows other roles' transactions only to members of
-- pg_read_all_stats: the deploy grants it to pgq_owner where it may, and
-- otherwise the age counts only what pgq_owner can see (docs/operations.md).
CREATE TYPE pgq.horizon_state AS (
    held_seconds         double precision,
    held_transactions    bigint,
    queue_dead_versions  bigint
);
COMMENT ON TYPE pgq.horizon_state IS 'What holds the horizon back, as returned by pgq.horizon()';

CREATE FUNCTION pgq.horizon()
RETURNS SETOF pgq.horizon_state
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH holders AS (
        SELECT a.xact_start, coalesce(a.backend_xid, a.backend_xmin) AS xmin
        FROM pg_stat_activity AS a
        WHERE (a.backend_xid IS NOT NULL OR a.backend_xmin IS NOT NULL)
          AND (a.datname = current_database() OR a.backend_type = 'walsender')
          AND a.pid <> pg_backend_pid()
        UNION ALL
        SELECT NULL, coalesce(s.xmin, s.catalog_xmin)
        FROM pg_replication_slots AS s
        WHERE s.xmin IS NOT NULL OR (s.catalog_xmin IS NOT NULL AND s.database = current_database())
    )
    SELECT coalesce(extract(epoch FROM statement_timestamp() - min(h.xact_start)), 0)::double precision,
           coalesce(max(age(h.xmin)), 0)::bigint,
           pg_stat_get_dead_tuples('pgq.queue'::regclass)
    FROM holders AS h;
$$;

COMMENT ON FUNCTION pgq.horizon() IS
$$What holds the horizon back: held_seconds, the age of the oldest open transaction of this database that holds
an xid or a snapshot (0 if none); held_transactions, how many transaction ids ago the oldest transaction,
replication slot or standby's feedback began holding; queue_dead_versions, dead row versions in pgq.queue that
autovacuum could not remove yet.$$;

REVOKE ALL ON FUNCTION pgq.horizon() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.horizon() TO pgq_client;

DO $$
BEGIN
    GRANT pg_read_all_stats TO pgq_owner;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pgq_owner is not granted pg_read_all_stats: pgq.horizon() sees the transactions of pgq''s roles only';
END
$$;

COMMIT;
