-- Deploy pgqueue:functions/_head to pg
-- requires: functions/_head@v1.6
-- requires: schema/message_group
--
-- The whole current definition of the head's helpers: the head is the ungrouped messages' (ordered
-- groups keep theirs in pgq.message_group). CREATE OR REPLACE keeps the owner and the grants.

BEGIN;

-- Where a consumer of channel starts its scan, refreshing the head first if
-- it is stale. Relies on the invariant of pgq.head (docs/sql.md): a ready row
-- is at or above ready_from, or found by the next refresh (which runs within
-- refresh_interval), or its visible_at is at or past rescan_at, in which case
-- the scan starts at settled_below instead. Reading the head is one probe of
-- its primary key; the refresh runs at most every refresh_interval per
-- channel, by the first consumer that finds it stale and gets the row lock
-- without waiting: the others go on with the head they read, so no consumer
-- ever queues behind another on this row.
--
-- A refresh needs fresh snapshots statement by statement, so it runs only
-- under READ COMMITTED; a consumer in a REPEATABLE READ transaction uses the
-- head as it finds it.
CREATE OR REPLACE FUNCTION pgq._ready_start(channel text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    refresh_interval constant interval := interval '250 milliseconds';
    seen_at constant timestamptz := clock_timestamp();
    h pgq.head;
    locked pgq.head;
BEGIN
    SELECT * INTO h FROM pgq.head AS c WHERE c.channel = _ready_start.channel;
    IF NOT FOUND THEN
        -- A first consumer creates the head; a second one that comes while the
        -- first has not committed does not wait for it (an INSERT would): it
        -- scans the channel from its start this once.
        IF pg_try_advisory_xact_lock('pgq.head'::regclass::oid::integer, hashtext(_ready_start.channel)) THEN
            INSERT INTO pgq.head (channel) VALUES (_ready_start.channel) ON CONFLICT DO NOTHING;
        END IF;
        RETURN 0;
    END IF;
    IF (h.refreshed_at <= seen_at - refresh_interval OR h.rescan_at <= seen_at)
       AND current_setting('transaction_isolation') = 'read committed' THEN
        SELECT * INTO locked FROM pgq.head AS c WHERE c.channel = _ready_start.channel FOR UPDATE SKIP LOCKED;
        IF FOUND AND (locked.refreshed_at <= seen_at - refresh_interval OR locked.rescan_at <= seen_at) THEN
            h := pgq._refresh_head(locked);
        END IF;
    END IF;
    RETURN CASE WHEN h.rescan_at <= seen_at THEN h.settled_below ELSE h.ready_from END;
END
$$;

-- The id up to which every message is committed or never will be, for every
-- channel: checked_from never passes it, since ids come from a sequence in an
-- order that is not commit order. The fence is a pair read at a previous
-- refresh: the sequence's last value (CACHE 1, so every id up to it has been
-- handed out; none before the first nextval), then the virtual ids of every
-- transaction holding a lock on that sequence, which nextval takes before it
-- draws an id and keeps until the end of the transaction. Once none of those
-- transactions holds it any more, every id up to that value is committed
-- (visible to the statements that follow) or will never be. This reads
-- pg_locks, whoever the roles, and no transaction id: neither a transaction
-- that holds the horizon back without enqueueing, nor a long consumer
-- transaction, holds the fence back; a producer's open transaction does. One row for all channels, refreshed at most every 250 ms by
-- whoever finds it stale and can lock it without waiting, so pg_locks is read
-- a few times a second however many channels there are.
CREATE OR REPLACE FUNCTION pgq._head_fence()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    refresh_interval constant interval := interval '250 milliseconds';
    seen_at constant timestamptz := clock_timestamp();
    f pgq.head_fence;
    handed bigint;
    holders text[];
BEGIN
    SELECT * INTO STRICT f FROM pgq.head_fence;
    IF f.refreshed_at > seen_at - refresh_interval THEN
        RETURN f.safe_through;
    END IF;
    SELECT * INTO f FROM pgq.head_fence FOR UPDATE SKIP LOCKED;
    IF NOT FOUND OR f.refreshed_at > seen_at - refresh_interval THEN
        RETURN (SELECT c.safe_through FROM pgq.head_fence AS c);
    END IF;
    handed := coalesce(pg_sequence_last_value('pgq.queue_id_seq'), 0);
    SELECT coalesce(array_agg(DISTINCT l.virtualtransaction), '{}') INTO holders
    FROM pg_locks AS l
    WHERE l.locktype = 'relation'
      AND l.database = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
      AND l.relation = 'pgq.queue_id_seq'::regclass;
    IF f.pending_id IS NOT NULL AND NOT (f.pending_holders && holders) THEN
        f.safe_through := greatest(f.safe_through, f.pending_id);
    END IF;
    UPDATE pgq.head_fence
    SET safe_through = f.safe_through, pending_id = handed, pending_holders = holders, refreshed_at = seen_at;
    RETURN f.safe_through;
END
$$;

-- Move a locked head forward: one scan from checked_from (from settled_below
-- when rescan_at has passed) to the first ready row, which becomes
-- ready_from; the rows stepped over on the way are leased or delayed, and the
-- earliest of their visible_at becomes rescan_at. Its cost is the rows from
-- checked_from to the first ready one, paid by one consumer per refresh.
-- checked_from never passes the fence (pgq._head_fence), read before the
-- scans: what a transaction still in progress may commit stays at or above
-- checked_from, where the next refresh finds it.
--
-- The head is the ungrouped messages' (ordered groups have their own heads
-- in pgq.message_group, docs/sql.md): grouped rows are stepped over once,
-- like consumed ones, and neither their ids nor their visible_at move
-- ready_from, settled_below or rescan_at.
--
-- Both scans must walk the primary key in id order from scan_from, whatever
-- a generic plan would guess from missing or stale statistics: the planner
-- is told so for this function alone, and, since that makes every other plan
-- look dear, not to compile any of them (JIT would take longer than the
-- whole refresh).
CREATE OR REPLACE FUNCTION pgq._refresh_head(h pgq.head)
RETURNS pgq.head
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_sort = off
SET jit = off
AS $$
DECLARE
    seen_at constant timestamptz := clock_timestamp();
    full_scan constant boolean := h.rescan_at <= seen_at;
    scan_from constant bigint := CASE WHEN full_scan THEN h.settled_below ELSE h.checked_from END;
    safe_through constant bigint := pgq._head_fence();
    handed constant bigint := coalesce(pg_sequence_last_value('pgq.queue_id_seq'), 0);
    first_ready bigint;
    first_queued bigint;
    earliest timestamptz;
BEGIN
    SELECT q.id INTO first_ready
    FROM pgq.queue AS q
    WHERE q.channel = h.channel AND q.id >= scan_from AND q.visible_at <= seen_at AND q.group_key IS NULL
    ORDER BY q.id
    LIMIT 1;
    SELECT min(q.visible_at) FILTER (WHERE q.group_key IS NULL), min(q.id) FILTER (WHERE q.group_key IS NULL)
    INTO earliest, first_queued
    FROM pgq.queue AS q
    WHERE q.channel = h.channel AND q.id >= scan_from AND q.id < coalesce(first_ready, handed + 1);

    h.ready_from := coalesce(first_ready, handed + 1);
    h.checked_from := least(h.ready_from, safe_through + 1);
    h.rescan_at := CASE WHEN full_scan THEN coalesce(earliest, 'infinity')
                        ELSE least(h.rescan_at, coalesce(earliest, 'infinity')) END;
    IF h.rescan_at = 'infinity' THEN
        h.settled_below := h.checked_from;
    ELSIF full_scan THEN
        h.settled_below := least(coalesce(first_queued, first_ready, h.ready_from), h.checked_from);
    END IF;
    h.refreshed_at := seen_at;
    UPDATE pgq.head AS c
    SET ready_from = h.ready_from, checked_from = h.checked_from, settled_below = h.settled_below,
        rescan_at = h.rescan_at, refreshed_at = h.refreshed_at
    WHERE c.channel = h.channel;
    RETURN h;
END
$$;

-- A row of channel is back at id, ready now (ready) or later: lower the head
-- so that the invariant holds again. Writes only when the head is above id,
-- so a nack of a message at the head writes nothing here. It waits while a
-- refresh holds the head's row, which lasts until that consumer's
-- transaction ends: milliseconds through the gateway, longer for a consumer
-- that refreshes inside a long transaction of its own.
CREATE OR REPLACE FUNCTION pgq._lower_head(channel text, id bigint, ready boolean)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE pgq.head AS h
    SET ready_from = CASE WHEN _lower_head.ready THEN least(h.ready_from, _lower_head.id) ELSE h.ready_from END,
        checked_from = least(h.checked_from, _lower_head.id),
        settled_below = least(h.settled_below, _lower_head.id)
    WHERE h.channel = _lower_head.channel
      AND (h.checked_from > _lower_head.id OR h.settled_below > _lower_head.id
           OR (_lower_head.ready AND h.ready_from > _lower_head.id));
$$;

REVOKE ALL ON FUNCTION pgq._ready_start(text), pgq._head_fence(), pgq._refresh_head(pgq.head),
    pgq._lower_head(text, bigint, boolean)
FROM PUBLIC;

COMMIT;
