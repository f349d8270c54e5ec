-- Deploy pgqueue:functions/lease to pg
-- requires: functions/lease@v1.6
-- requires: functions/_head
-- requires: functions/_group
--
-- The whole current definition of pgq.lease: it starts at the channel's head (pgq.head, docs/sql.md)
-- and leases one message per ordered group (pgq.message_group).
-- CREATE OR REPLACE keeps the owner and the grants; the grants below restate them.

BEGIN;

-- At-least-once delivery: hand out the oldest ready messages without
-- removing them. Each lease hides the message for visibility_seconds and
-- gives it a fresh receipt; pgq.ack with that receipt archives it. If the
-- consumer dies instead, the lease simply runs out and the message is ready
-- again at its own id, in its FIFO place: no scheduler has to notice.
--
-- A message already leased max_deliveries times is not leased again but
-- moved to the dead-letter table by this same statement, and its place is
-- filled by the next ready message, so a poisoned message cannot block a
-- channel. The loop runs again only after dead-lettering, which removes rows
-- for good, so it ends.
--
-- The lease itself changes only visible_at, deliveries and receipt, none of
-- them indexed, so it is a heap-only update.
--
-- The scan starts at the id pgq._ready_start gives, as dequeue's does, and
-- relies on the same invariant of the head (docs/sql.md): every ready
-- message is at or above that id, or is found by the next refresh.
--
-- SKIP LOCKED as in dequeue: concurrent leases never hand out the same
-- message; a lease that commits in the meantime moves visible_at forward,
-- and the re-check under the row lock then passes the row over.
--
-- Ordered groups (docs/sql.md): a grouped message is leased only as the head
-- of its group, chosen by pgq._ready_groups with the group's row locked, and
-- the group's ready_at follows the lease; the channel's scan then takes
-- ungrouped messages only, and both are merged in id order. A dead-lettered
-- head hands its group on to the next message (trigger queue_group_next).
-- A channel without groups runs the statement of a channel that never had
-- any, gated as in pgq.dequeue by pgq._ungrouped_channel in its own snapshot;
-- a channel with groups goes straight to the second statement.
-- The DELETE and the UPDATE find the rows taken by their addresses (ctid), as
-- in pgq.dequeue: never a join a stale estimate can turn into a walk of the channel.
CREATE OR REPLACE FUNCTION pgq.lease(channel text, visibility_seconds integer DEFAULT 30, take integer DEFAULT 1)
RETURNS SETOF pgq.leased_message
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ready_at constant timestamptz := clock_timestamp();
    allowed integer;
    wanted integer;
    leased pgq.leased_message[];
    dead_lettered_count bigint;
    start bigint;
BEGIN
    PERFORM pgq._check_channel(lease.channel);
    PERFORM pgq._check_range('visibility_seconds', lease.visibility_seconds, 1, pgq._limit('max_visibility_seconds'));
    PERFORM pgq._check_range('take', lease.take, 1, pgq._limit('max_take'));
    allowed := (pgq._channel_limits(lease.channel)).max_deliveries;
    wanted := lease.take;
    start := pgq._ready_start(lease.channel);
    LOOP
        leased := '{}';
        dead_lettered_count := 0;
        IF pgq._ungrouped_channel(lease.channel) THEN
            WITH next AS (
                SELECT q.id, q.ctid, q.deliveries >= allowed AS spent
                FROM pgq.queue AS q
                WHERE q.channel = lease.channel
                  AND q.id >= start
                  AND q.visible_at <= ready_at
                  AND pgq._ungrouped_channel(lease.channel)
                ORDER BY q.id
                LIMIT wanted
                FOR UPDATE SKIP LOCKED
            ), dead AS (
                DELETE FROM pgq.queue AS q
                WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n WHERE n.spent))
                RETURNING q.id, q.channel, q.message, q.created_at, q.deliveries
            ), dead_lettered AS (
                INSERT INTO pgq.dead_letter (id, channel, message, created_at, deliveries, reason)
                SELECT d.id, d.channel, d.message, d.created_at, d.deliveries,
                       format('not acknowledged after %s deliveries (max_deliveries %s)', d.deliveries, allowed)
                FROM dead AS d
            ), taken AS (
                UPDATE pgq.queue AS q
                SET deliveries = q.deliveries + 1,
                    receipt = gen_random_uuid(),
                    visible_at = ready_at + make_interval(secs => lease.visibility_seconds)
                WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n WHERE NOT n.spent))
                RETURNING q.id, q.channel, q.message, q.created_at, q.deliveries, q.receipt, q.visible_at
            )
            SELECT coalesce(array_agg((t.id, t.channel, t.message, t.created_at, t.deliveries, t.receipt, t.visible_at,
                                       NULL)::pgq.leased_message
                                      ORDER BY t.id), '{}'),
                   (SELECT count(*) FROM dead)
            INTO leased, dead_lettered_count
            FROM taken AS t;
        END IF;
        IF cardinality(leased) = 0 AND dead_lettered_count = 0 AND NOT pgq._ungrouped_channel(lease.channel) THEN
            WITH ungrouped AS (
                SELECT q.id, q.ctid, q.deliveries >= allowed AS spent, q.group_key
                FROM pgq.queue AS q
                WHERE q.channel = lease.channel
                  AND q.id >= start
                  AND q.visible_at <= ready_at
                  AND q.group_key IS NULL
                ORDER BY q.id
                LIMIT wanted
                FOR UPDATE SKIP LOCKED
            ), grouped AS (
                SELECT q.id, q.ctid, q.deliveries >= allowed AS spent, q.group_key
                FROM pgq.queue AS q
                WHERE q.channel = lease.channel
                  AND q.id IN (SELECT pgq._ready_groups(lease.channel, ready_at, wanted))
                  AND q.visible_at <= ready_at
                FOR UPDATE SKIP LOCKED
            ), next AS (
                SELECT * FROM ungrouped UNION ALL SELECT * FROM grouped
                ORDER BY id
                LIMIT wanted
            ), dead AS (
                DELETE FROM pgq.queue AS q
                WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n WHERE n.spent))
                RETURNING q.id, q.channel, q.message, q.created_at, q.deliveries, q.group_key
            ), dead_lettered AS (
                INSERT INTO pgq.dead_letter (id, channel, message, created_at, deliveries, reason, group_key)
                SELECT d.id, d.channel, d.message, d.created_at, d.deliveries,
                       format('not acknowledged after %s deliveries (max_deliveries %s)', d.deliveries, allowed),
                       d.group_key
                FROM dead AS d
            ), taken AS (
                UPDATE pgq.queue AS q
                SET deliveries = q.deliveries + 1,
                    receipt = gen_random_uuid(),
                    visible_at = ready_at + make_interval(secs => lease.visibility_seconds)
                WHERE q.ctid = ANY (ARRAY(SELECT n.ctid FROM next AS n WHERE NOT n.spent))
                RETURNING q.id, q.channel, q.message, q.created_at, q.deliveries, q.receipt, q.visible_at, q.group_key
            )
            SELECT coalesce(array_agg((t.id, t.channel, t.message, t.created_at, t.deliveries, t.receipt, t.visible_at,
                                       t.group_key)::pgq.leased_message
                                      ORDER BY t.id), '{}'),
                   (SELECT count(*) FROM dead)
            INTO leased, dead_lettered_count
            FROM taken AS t;
            PERFORM pgq._group_visible(lease.channel, l.group_key, l.lease_expires_at)
            FROM unnest(leased) AS l
            WHERE l.group_key IS NOT NULL;
        END IF;

        RETURN QUERY SELECT * FROM unnest(leased);
        wanted := wanted - cardinality(leased);
        EXIT WHEN wanted = 0 OR dead_lettered_count = 0;
    END LOOP;
END
$$;

COMMENT ON FUNCTION pgq.lease(text, integer, integer) IS
$$Lease the oldest 1-100 (take) ready messages of a channel for visibility_seconds (1-43200, default 30): at-least-once delivery.
Each comes with deliveries (this one included), a fresh receipt and lease_expires_at. Settle it with pgq.ack or pgq.nack
using that receipt; unsettled, it is ready again at lease_expires_at. A message already delivered max_deliveries times
(pgq.configure, default 5) moves to the dead letters instead. Returns no rows when none is ready.
Of each ordered group (group_key) only the first queued message is leased, and only while no other is leased.$$;

REVOKE ALL ON FUNCTION pgq.lease(text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgq.lease(text, integer, integer) TO pgq_client;

COMMIT;
