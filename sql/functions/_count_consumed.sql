-- Deploy pgqueue:functions/_count_consumed to pg
-- requires: functions/_count_consumed@v1.6
-- requires: schema/counter_per_channel
--
-- The whole current definition of pgq._count_consumed: one row per channel.
-- CREATE OR REPLACE keeps its owner.

BEGIN;

-- Add to a channel's consumed total, creating its row on the first call. Its
-- callers, the fold (pgq._tally_consumed) and pgq.purge_archive, hold
-- pgq.tally's row lock, so no two of them write a channel's row at once.
CREATE OR REPLACE FUNCTION pgq._count_consumed(channel text, consumed bigint)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO pgq.counter AS c (channel, consumed)
    VALUES (_count_consumed.channel, _count_consumed.consumed)
    ON CONFLICT ON CONSTRAINT counter_pkey DO UPDATE SET consumed = c.consumed + excluded.consumed;
$$;

REVOKE ALL ON FUNCTION pgq._count_consumed(text, bigint) FROM PUBLIC;

COMMIT;
