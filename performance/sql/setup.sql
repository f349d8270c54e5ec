-- The minimal baselines of `make bench`: tables that do the same work as the
-- broker and nothing more, so a ratio shows every cost of pgq's design.
-- Nothing is copied from pgq's tables: the message columns, one (channel, id)
-- index (the primary key), and an archive that takes a row per consumed
-- message, with no index at all.

CREATE SCHEMA bench;

CREATE TABLE bench.raw_queue (
    id bigint GENERATED ALWAYS AS IDENTITY,
    channel text COLLATE "C" NOT NULL,
    message jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, id)
);

CREATE TABLE bench.raw_archive (
    id bigint NOT NULL,
    channel text COLLATE "C" NOT NULL,
    message jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    consumed_at timestamptz NOT NULL DEFAULT now()
);

-- The floor of a hardened API call: the baseline's INSERT inside a PL/pgSQL
-- function that does nothing else, with what every pgq API function carries
-- (SECURITY DEFINER and the pinned search_path). What it costs against the
-- bare INSERT is the part of pgq.enqueue's gap that the hardening takes.
CREATE FUNCTION bench.insert_hardened(channel text, message jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO bench.raw_queue (channel, message) VALUES (insert_hardened.channel, insert_hardened.message)
    RETURNING raw_queue.id INTO new_id;
    RETURN new_id;
END
$$;

-- A backlog message: the bench's message shape, numbered.
CREATE FUNCTION bench.message(seq bigint) RETURNS jsonb LANGUAGE sql IMMUTABLE
RETURN jsonb_build_object('event', 'order.created', 'order', seq, 'customer', 'c-42', 'total', 99.5, 'items', 3);

-- Append `count` messages to a channel of the broker, through its public API
-- only (enqueue_batch's limit is 10,000 per call), so any queue layout works.
CREATE FUNCTION bench.fill_pgq(channel text, count bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    done bigint := 0;
    chunk bigint;
BEGIN
    WHILE done < count LOOP
        chunk := least(10000, count - done);
        PERFORM count(*) FROM pgq.enqueue_batch(fill_pgq.channel,
            (SELECT jsonb_agg(bench.message(done + i) ORDER BY i) FROM generate_series(1, chunk) AS i));
        done := done + chunk;
    END LOOP;
    RETURN done;
END
$$;

-- The same backlog in the baseline's queue.
CREATE FUNCTION bench.fill_raw(channel text, count bigint) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO bench.raw_queue (channel, message)
    SELECT fill_raw.channel, bench.message(i) FROM generate_series(1, count) AS i;
    SELECT count;
$$;

-- How many messages channel n of `channels` gets out of about `total` when
-- traffic follows Zipf's law with exponent `skew` (channel 1 the busiest), as
-- pgbench's random_zipfian(1, channels, skew) draws them; at least one, so no
-- channel starts empty.
CREATE FUNCTION bench.zipf_share(n integer, channels integer, skew float8, total bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE
RETURN greatest(1, round(total * n ^ -skew / (SELECT sum(k ^ -skew) FROM generate_series(1, channels) AS k)));

-- What pgq.lease and pgq.ack must do at least, for (f): a queue whose rows
-- carry a visibility time and a receipt (in no index, as in pgq), leased by an
-- UPDATE of the channel's oldest visible row, acked by DELETE plus archive.
CREATE TABLE bench.raw_lease (
    id bigint GENERATED ALWAYS AS IDENTITY,
    channel text COLLATE "C" NOT NULL,
    message jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    visible_at timestamptz NOT NULL DEFAULT now(),
    receipt uuid,
    PRIMARY KEY (channel, id)
);

CREATE FUNCTION bench.fill_raw_lease(channel text, count bigint) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO bench.raw_lease (channel, message)
    SELECT fill_raw_lease.channel, bench.message(i) FROM generate_series(1, count) AS i;
    SELECT count;
$$;

-- Lease the first `count` messages of a channel for an hour: in flight ahead of the rest.
CREATE FUNCTION bench.lease_ahead_pgq(channel text, count bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    done bigint := 0;
    taken bigint;
BEGIN
    WHILE done < count LOOP
        SELECT count(*) INTO taken FROM pgq.lease(lease_ahead_pgq.channel, 3600, least(100, count - done)::integer);
        EXIT WHEN taken = 0;
        done := done + taken;
    END LOOP;
    RETURN done;
END
$$;

CREATE FUNCTION bench.lease_ahead_raw(channel text, count bigint) RETURNS bigint LANGUAGE sql AS $$
    WITH ahead AS (
        UPDATE bench.raw_lease AS q SET visible_at = now() + interval '1 hour', receipt = gen_random_uuid()
        WHERE q.channel = lease_ahead_raw.channel
          AND q.id IN (SELECT r.id FROM bench.raw_lease AS r WHERE r.channel = lease_ahead_raw.channel
                       ORDER BY r.id LIMIT count)
        RETURNING 1)
    SELECT count(*) FROM ahead;
$$;

-- (g) `total` messages over `groups` ordered groups of channel, group n its Zipf
-- share (skew 0: equal sizes), through pgq.enqueue_batch in calls of at most
-- 10,000 (max_batch), one group after another.
CREATE FUNCTION bench.fill_groups(channel text, groups integer, total bigint, skew float8) RETURNS bigint
LANGUAGE sql AS $$
    SELECT count(*)
    FROM (SELECT g, bench.zipf_share(g, groups, skew, total) AS share
          FROM generate_series(1, groups) AS g) AS s,
         generate_series(0, (s.share - 1) / 10000) AS c,
         LATERAL pgq.enqueue_batch(fill_groups.channel,
             (SELECT jsonb_agg(bench.message(k))
              FROM generate_series(c * 10000 + 1, least(s.share, (c + 1) * 10000)) AS k),
             group_key => 'g' || s.g)
    WHERE s.share > 0;
    SELECT count(*) FROM pgq.queue AS q WHERE q.channel = fill_groups.channel;
$$;
