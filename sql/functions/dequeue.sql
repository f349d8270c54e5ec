-- Deploy pgqueue:functions/dequeue to pg
-- requires: functions/dequeue@v1.7
-- requires: functions/_validation
-- requires: functions/_group
--
-- The whole current definition of pgq.dequeue: its checks are one plain expression on good input, and
-- an ungrouped channel's call asks pgq._ungrouped_channel once, in the statement that takes the rows.
-- CREATE OR REPLACE keeps the owner and the grants; the grants below restate them.

BEGIN;

-- Consume the oldest ready messages of a channel: delete them from the queue
-- and archive them in the same statement, so a message is either still
-- queued or archived, never both and never neither.
--
-- FOR UPDATE SKIP LOCKED lets concurrent consumers pass over the rows another
-- transaction is taking instead of queueing behind its lock: N consumers take
-- N different messages at once, and none ever receives a message twice. The
-- price is that "oldest" means "oldest not being taken right now". An advisory
-- lock per message would add a second lock table and gain nothing here.
--
-- Ready means visible_at has passed. The scan walks the primary key
-- (channel, id) from the id pgq._ready_start gives, near the channel's first
-- ready message, so neither other channels, nor the channel's own leased and
-- delayed messages ahead, nor the index entries of consumed messages that a
-- held horizon keeps cost anything beyond those consumed since the last
-- refresh of the head (a quarter of a second). This relies on the head's
-- invariant (docs/sql.md, "The head of a channel"): every ready message is at
-- or above the id returned, or is found by a refresh that is at most a
-- quarter of a second away. The clock is read once per call, not
-- now(): a consumer inside a long transaction must still see messages
-- enqueued since it began. Nothing but the queue and the archive is written:
-- pgq.stats() counts consumed messages from the archive.
--
-- Ordered groups (docs/sql.md): of a group, only its first queued message is
-- taken, and only while none of the group is leased: pgq._ready_groups
-- chooses the groups and locks their rows, so concurrent calls never take
-- two messages of one group. The group then moves on to its next message
-- (trigger queue_group_next). A channel without groups runs the statement of
-- a channel that never had any: a grouped message is visible only together
-- with its group's row (pgq.message_group's invariant), so a one-time test
-- in the statement's own snapshot that the channel has no group row
-- (pgq._ungrouped_channel) is enough. It is a gate, not a filter on rows: a
-- filter such as group_key IS NULL, estimated without statistics, made the
-- planner sort the whole channel instead of walking its index. The gate is
-- asked only there: an ungrouped channel with a ready message pays one call
-- of it; a call that took nothing asks again whether the channel has groups,
-- and only then runs the second statement, which merges both kinds.
--
-- The DELETE finds the rows taken by their addresses (ctid, a TID scan): a
-- row locked FOR UPDATE stays where it is until the statement ends. A join on
-- id, planned from statistics that count the channel empty (a burst since the
-- last ANALYZE), walked the whole channel at every call.
CREATE OR REPLACE FUNCTION pgq.dequeue(channel text, take integer DEFAULT 1)
RETURNS SETOF pgq.message
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ready_at constant timestamptz := clock_timestamp();
    start bigint;
BEGIN
    IF dequeue.channel IS NULL OR NOT pgq._valid_channel(dequeue.channel)
       OR dequeue.take IS NULL OR dequeue.take NOT BETWEEN 1 AND pgq._limit('max_take') THEN
        PERFORM pgq._check_channel(dequeue.channel);
        PERFORM pgq._check_range('take', dequeue.take, 1, pgq._limit('max_take'));
    END IF;
    start := pgq._ready_start(dequeue.channel);
    RETURN QUERY
    WITH next AS (
        SELECT q.id, q.ctid
        FROM pgq.queue AS q
        WHERE q.channel = dequeue.channel
          AND q.id >= start
          AND q.visible_at <= ready_at
          AND pgq._ungrouped_channel(dequeue.channel)
        ORDER BY q.id
        LIMIT dequeue.take
        FOR UPDATE SKIP LOCKED
    ), consumed AS (
        DELETE FROM pgq.queue AS q
        WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n))
        RETURNING q.id, q.channel, q.message, q.created_at
    ), archived AS (
        INSERT INTO pgq.archive (id, channel, message, created_at)
        SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c
    )
    SELECT c.id, c.channel::text, c.message, c.created_at
    FROM consumed AS c
    ORDER BY c.id;
    IF FOUND OR pgq._ungrouped_channel(dequeue.channel) THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH ungrouped AS (
        SELECT q.id, q.ctid
        FROM pgq.queue AS q
        WHERE q.channel = dequeue.channel
          AND q.id >= start
          AND q.visible_at <= ready_at
          AND q.group_key IS NULL
        ORDER BY q.id
        LIMIT dequeue.take
        FOR UPDATE SKIP LOCKED
    ), grouped AS (
        SELECT q.id, q.ctid
        FROM pgq.queue AS q
        WHERE q.channel = dequeue.channel
          AND q.id IN (SELECT pgq._ready_groups(dequeue.channel, ready_at, dequeue.take))
          AND q.visible_at <= ready_at
        FOR UPDATE SKIP LOCKED
    ), next AS (
        SELECT * FROM ungrouped UNION ALL SELECT * FROM grouped
        ORDER BY id
        LIMIT dequeue.take
    ), consumed AS (
        DELETE FROM pgq.queue AS q
        WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n))
        RETURNING q.id, q.channel, q.message, q.created_at
    ), archived AS (
        INSERT INTO pgq.archive (id, channel, message, created_at)
        SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c
    )
    SELECT c.id, c.channel::text, c.message, c.created_at
    FROM consumed AS c
    ORDER BY c.id;
END
$$;

COMMENT ON FUNCTION pgq.dequeue(text, integer) IS
$$Consume the oldest 1-100 (take) ready messages of a channel, oldest first: at-most-once delivery.
Returns no rows when none is ready; delayed and leased messages are left alone.
Consumed messages move to the archive. Concurrent callers never receive the same message.
Of each ordered group (group_key) only the first queued message is taken, and only while none of the group is leased.$$;

REVOKE ALL ON FUNCTION pgq.dequeue(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.dequeue(text, integer) TO pgq_client;

COMMIT;
