-- Deploy pgqueue:functions/_group to pg
-- requires: functions/_group@v1.7
-- requires: schema/group_head
-- requires: functions/_head
--
-- The whole current definition of the helpers of ordered groups: consumers choose groups from the channel's
-- group head (pgq.group_head, docs/sql.md). CREATE OR REPLACE keeps the owner and the grants.

BEGIN;

-- group_key is optional (NULL: no group); when given, 1-group_key_length characters.
CREATE OR REPLACE FUNCTION pgq._check_group_key(group_key text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF _check_group_key.group_key IS NOT NULL THEN
        PERFORM pgq._check_length('group_key', _check_group_key.group_key, 1, pgq._limit('group_key_length'));
    END IF;
END
$$;

-- An enqueue into a group takes the group's row lock before its message
-- draws an id, and keeps it to the end of its transaction: producers of one
-- group draw their ids in the order they commit, so a group is never handed
-- a lower id after a higher one was delivered, and a consumer settling the
-- group's last message either sees the new one or is seen by it (it waits
-- for this lock, then looks again). A new group's row has no first_id until
-- pgq._join_group gives it one, so no consumer takes it in the meantime.
CREATE OR REPLACE FUNCTION pgq._lock_group(channel text, group_key text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO pgq.message_group AS g (channel, group_key)
    VALUES (_lock_group.channel, _lock_group.group_key)
    ON CONFLICT ON CONSTRAINT message_group_pkey DO UPDATE SET first_id = g.first_id;
END
$$;

-- After the enqueue's INSERT: a group created by pgq._lock_group in this
-- transaction starts at its lowest queued id, the first message of the call
-- (every queued message of a new group is this transaction's), ready at its
-- visible_at. An existing group keeps its head: the new messages wait behind it.
CREATE OR REPLACE FUNCTION pgq._join_group(channel text, group_key text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE pgq.message_group AS g
    SET (first_id, ready_at) = (
        SELECT q.id, q.visible_at
        FROM pgq.queue AS q
        WHERE q.channel = g.channel AND q.group_key = g.group_key
        ORDER BY q.id
        LIMIT 1)
    WHERE g.channel = _join_group.channel AND g.group_key = _join_group.group_key AND g.first_id IS NULL;
END
$$;

-- True when channel has no ordered group: no row in pgq.message_group, so,
-- by that table's invariant, no grouped message queued in the snapshot that
-- asks. Called in a statement's WHERE clause with nothing but parameters, it
-- is a one-time test (a gate) that moves no row estimate and so no plan; and
-- as a STABLE function it reads the snapshot of the statement that calls it.
-- PL/pgSQL, not an inlined SQL function, so that the caller's statement does
-- not plan message_group at each of its (custom) plans; and no SET clause,
-- which would cost every call of dequeue and lease a configuration change:
-- it runs with its callers' pinned search_path, and its names are qualified.
-- One probe of message_group_pkey, in its order, so that no statistics turn
-- it into a scan of every channel's groups.
CREATE OR REPLACE FUNCTION pgq._ungrouped_channel(channel text)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (SELECT g.group_key FROM pgq.message_group AS g
            WHERE g.channel = _ungrouped_channel.channel
            ORDER BY g.group_key
            LIMIT 1) IS NULL;
END
$$;

-- Where the consumers of channel start choosing groups: the first_id from
-- which pgq._ready_groups scans. As pgq._ready_start does for the channel's
-- head: one probe of pgq.group_head's primary key, a refresh at most every
-- refresh_interval by the first consumer that finds the row stale and locks
-- it without waiting, a first consumer creating the row. No SET clause,
-- which would cost every grouped lease and dequeue a configuration change:
-- it runs with its caller's pinned search_path (pgq._ready_groups), as
-- pgq._ungrouped_channel does, and its names are qualified. Relies on the
-- invariant of pgq.group_head (docs/sql.md): a ready group is at or above
-- ready_from, or rescan_at has passed and the scan starts at the channel's
-- first group. A refresh runs only under READ COMMITTED, as
-- pgq._ready_start's; the moves it holds back (pgq._refresh_group_head) wait
-- for the refreshing consumer's transaction to end: milliseconds through the
-- gateway, longer for a consumer that leases inside a long transaction.
CREATE OR REPLACE FUNCTION pgq._groups_start(channel text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    refresh_interval constant interval := interval '250 milliseconds';
    seen_at constant timestamptz := clock_timestamp();
    h pgq.group_head;
    locked pgq.group_head;
BEGIN
    SELECT * INTO h FROM pgq.group_head AS c WHERE c.channel = _groups_start.channel;
    IF NOT FOUND THEN
        IF pg_try_advisory_xact_lock('pgq.group_head'::regclass::oid::integer, hashtext(_groups_start.channel)) THEN
            INSERT INTO pgq.group_head (channel) VALUES (_groups_start.channel) ON CONFLICT DO NOTHING;
        END IF;
        RETURN 0;
    END IF;
    IF (h.refreshed_at <= seen_at - refresh_interval OR h.rescan_at <= seen_at)
       AND current_setting('transaction_isolation') = 'read committed'
       AND pg_try_advisory_xact_lock('pgq.group_head'::regclass::oid::integer, hashtext(_groups_start.channel)) THEN
        SELECT * INTO locked FROM pgq.group_head AS c WHERE c.channel = _groups_start.channel FOR UPDATE SKIP LOCKED;
        IF FOUND AND (locked.refreshed_at <= seen_at - refresh_interval OR locked.rescan_at <= seen_at) THEN
            h := pgq._refresh_group_head(locked);
        END IF;
    END IF;
    RETURN CASE WHEN h.rescan_at <= seen_at THEN 0 ELSE h.ready_from END;
END
$$;

-- Move a locked group head forward: one scan of message_group_first from
-- ready_from (from the channel's first group once rescan_at has passed) to
-- the first ready group, whose first_id becomes ready_from; the groups
-- stepped over are leased or delayed, and the earliest of their ready_at
-- becomes rescan_at. ready_from never passes the fence (pgq._head_fence),
-- read before the scans: a group an enqueue still in progress creates has a
-- first_id above it. Its cost is the groups in flight and the dead entries
-- left since the last refresh, paid by one consumer per refresh. Told to
-- walk the index whatever the statistics say, as pgq._refresh_head is.
--
-- A group moving below ready_from lowers it (pgq._group_deleted,
-- pgq._group_lowered) under a shared advisory lock of the channel, held to
-- the end of its transaction; pgq._groups_start takes that lock
-- exclusively, without waiting, before it locks the row and calls the
-- refresh. So every move either committed before the scans see the groups,
-- or reads ready_from after the refresh committed and lowers it: none is
-- lost between the two. When moves hold the lock, the refresh gives way and
-- the next consumer tries again, having written nothing.
CREATE OR REPLACE FUNCTION pgq._refresh_group_head(h pgq.group_head)
RETURNS pgq.group_head
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
    scan_from constant bigint := CASE WHEN full_scan THEN 0 ELSE h.ready_from END;
    safe_through constant bigint := pgq._head_fence();
    first_ready bigint;
    earliest timestamptz;
BEGIN
    SELECT g.first_id INTO first_ready
    FROM pgq.message_group AS g
    WHERE g.channel = h.channel AND g.first_id >= scan_from AND g.ready_at <= seen_at
    ORDER BY g.first_id
    LIMIT 1;
    h.ready_from := least(coalesce(first_ready, safe_through + 1), safe_through + 1);
    SELECT min(g.ready_at) INTO earliest
    FROM pgq.message_group AS g
    WHERE g.channel = h.channel AND g.first_id >= scan_from AND g.first_id < h.ready_from;
    h.rescan_at := CASE WHEN full_scan THEN coalesce(earliest, 'infinity')
                        ELSE least(h.rescan_at, coalesce(earliest, 'infinity')) END;
    h.refreshed_at := seen_at;
    UPDATE pgq.group_head AS c
    SET ready_from = h.ready_from, rescan_at = h.rescan_at, refreshed_at = h.refreshed_at
    WHERE c.channel = h.channel;
    RETURN h;
END
$$;

-- A group's first message is an earlier one (redrive) or is ready earlier
-- (nack, a hand-made change): lower the channel's group head to it when the
-- head is above, so that the invariant holds again. Writes nothing in the
-- common case of a group at or above the head. Fired by message_group_lower
-- and message_group_lower_new; a lease or an extend_lease, which only put
-- ready_at later, do not fire it, nor a group created by an enqueue (above
-- the fence, so above the head), nor a group moved on by pgq._group_deleted,
-- which lowers the head itself. The shared advisory lock keeps a refresh from
-- running between this look at ready_from and the move's commit
-- (pgq._refresh_group_head); moves do not wait for one another.
CREATE OR REPLACE FUNCTION pgq._group_lowered()
RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared('pgq.group_head'::regclass::oid::integer, hashtext(NEW.channel));
    UPDATE pgq.group_head AS h
    SET ready_from = NEW.first_id
    WHERE h.channel = NEW.channel AND h.ready_from > NEW.first_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER message_group_lower AFTER UPDATE ON pgq.message_group
FOR EACH ROW WHEN (NEW.first_id < OLD.first_id OR (NEW.first_id = OLD.first_id AND NEW.ready_at < OLD.ready_at))
EXECUTE FUNCTION pgq._group_lowered();
CREATE TRIGGER message_group_lower_new AFTER INSERT ON pgq.message_group
FOR EACH ROW WHEN (NEW.first_id IS NOT NULL) EXECUTE FUNCTION pgq._group_lowered();

-- The heads of up to take groups of channel that are ready at ready_at (their
-- first message is neither leased nor delayed), oldest first, each group row
-- locked: a caller takes the message at first_id and nothing else of the
-- group, and concurrent callers skip the groups it holds. The scan walks the
-- group rows of the channel in first_id order from the channel's group head
-- (pgq._groups_start) and steps over the groups whose head is leased or
-- delayed, never over the messages behind them, nor over the index entries
-- that the groups' moves left below the head while the horizon is held: its
-- cost is the groups in flight, whatever the backlog. Told to walk the index
-- whatever the statistics say, as pgq._refresh_head is. The helpers are
-- PL/pgSQL, not SQL: PostgreSQL 15 plans a SQL function again at every call
-- that cannot inline it, PL/pgSQL once per session.
CREATE OR REPLACE FUNCTION pgq._ready_groups(channel text, ready_at timestamptz, take integer)
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
DECLARE
    start constant bigint := pgq._groups_start(_ready_groups.channel);
BEGIN
    RETURN QUERY
    SELECT g.first_id
    FROM pgq.message_group AS g
    WHERE g.channel = _ready_groups.channel AND g.first_id >= start AND g.ready_at <= _ready_groups.ready_at
    ORDER BY g.first_id
    LIMIT _ready_groups.take
    FOR UPDATE SKIP LOCKED;
END
$$;

-- Whatever removes a grouped message from the queue (ack, dequeue, a lease
-- that dead-letters it, an enqueue_once giving its message back, a hand-made
-- DELETE) hands its group on: an AFTER trigger, which runs once the
-- statement's changes are visible, and only for rows with a group_key, so an
-- ungrouped message costs its WHEN test and nothing else. The group moves on
-- to its next queued message, or its row goes. Locks the group's row first
-- (waiting for an enqueue into the group to commit), then looks in a
-- statement of its own, so it sees what that enqueue committed. One probe of
-- the index queue_group from first_id: neither the rest of the channel nor
-- the group's messages consumed before first_id are walked; the row is then
-- changed at its address, which its lock keeps where it is. A group moved
-- below the group head lowers it, as pgq._group_lowered does for the other
-- changes. One function, not a trigger calling helpers: the ack of a grouped
-- message pays one call.
CREATE OR REPLACE FUNCTION pgq._group_deleted()
RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    at tid;
    first bigint;
    ready timestamptz;
    next_id bigint;
    next_visible timestamptz;
BEGIN
    SELECT m.ctid, m.first_id, m.ready_at INTO at, first, ready
    FROM pgq.message_group AS m
    WHERE m.channel = OLD.channel AND m.group_key = OLD.group_key
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT q.id, q.visible_at INTO next_id, next_visible
    FROM pgq.queue AS q
    WHERE q.channel = OLD.channel AND q.group_key = OLD.group_key AND q.id >= coalesce(first, 0)
    ORDER BY q.id
    LIMIT 1;
    IF next_id IS NULL THEN
        DELETE FROM pgq.message_group AS m WHERE m.ctid = at;
    ELSIF next_id IS DISTINCT FROM first OR next_visible IS DISTINCT FROM ready THEN
        UPDATE pgq.message_group AS m SET first_id = next_id, ready_at = next_visible WHERE m.ctid = at;
        PERFORM pg_advisory_xact_lock_shared('pgq.group_head'::regclass::oid::integer, hashtext(OLD.channel));
        UPDATE pgq.group_head AS h SET ready_from = next_id
        WHERE h.channel = OLD.channel AND h.ready_from > next_id;
    END IF;
    RETURN NULL;
END
$$;
DROP FUNCTION pgq._next_in_group(text, text);

CREATE OR REPLACE TRIGGER queue_group_next AFTER DELETE ON pgq.queue
FOR EACH ROW WHEN (OLD.group_key IS NOT NULL) EXECUTE FUNCTION pgq._group_deleted();

-- The leased message of a group has a new visible_at (lease, nack,
-- extend_lease): so has the group. A group has at most one message leased,
-- its first, so the row follows it. Found by first_id, the leased message's
-- id, in message_group_first: that key holds only the versions the group
-- made since it moved there, where the primary key (channel, group_key)
-- holds every version the group made while the horizon is held. The
-- signature of @v1.7 (by group_key) goes. Called by lease, nack and
-- extend_lease only: no SET clause, as pgq._groups_start.
DROP FUNCTION pgq._group_visible(text, text, timestamptz);
CREATE OR REPLACE FUNCTION pgq._group_visible(channel text, first_id bigint, visible_at timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    UPDATE pgq.message_group AS g
    SET ready_at = _group_visible.visible_at
    WHERE g.channel = _group_visible.channel AND g.first_id = _group_visible.first_id;
END
$$;

REVOKE ALL ON FUNCTION
    pgq._check_group_key(text),
    pgq._lock_group(text, text),
    pgq._join_group(text, text),
    pgq._ungrouped_channel(text),
    pgq._groups_start(text),
    pgq._refresh_group_head(pgq.group_head),
    pgq._group_lowered(),
    pgq._ready_groups(text, timestamptz, integer),
    pgq._group_deleted(),
    pgq._group_visible(text, bigint, timestamptz)
FROM PUBLIC;

COMMIT;
