-- Deploy pgqueue:schema/counter to pg
-- requires: schema/pgq

BEGIN;

-- Running totals of messages consumed (popped or acked) per channel, for the
-- metrics. Counted by the pgq functions themselves, so what a DBA does in
-- psql counts as much as what the gateway does. (The enqueued total needs no
-- counter: every message ever enqueued is queued, dead or consumed, and
-- pgq.stats() adds those up, so enqueue pays nothing for it.)
--
-- One row per channel would serialize every consumer of a channel on that
-- row's lock until commit. Instead each channel has up to 64 stripes, and a
-- backend always bumps the stripe of its own pid: two sessions share a row
-- only when their pids are equal modulo 64, and pgq.stats() adds the stripes
-- up. Rows are only ever updated in place (HOT, thanks to the fillfactor), so
-- the table stays at channels x stripes rows.
CREATE TABLE pgq.counter (
    channel  text COLLATE "C" NOT NULL,
    stripe   smallint NOT NULL CONSTRAINT counter_stripe_range CHECK (stripe BETWEEN 0 AND 63),
    consumed bigint NOT NULL,
    PRIMARY KEY (channel, stripe)
) WITH (fillfactor = 50);
COMMENT ON TABLE pgq.counter IS 'Striped running totals of consumed messages; pgq.stats() sums them per channel';

-- Add to a channel's consumed total. The UPDATE is the usual path and
-- touches one row; the INSERT runs once per channel and stripe, and ON
-- CONFLICT covers two first calls racing.
CREATE FUNCTION pgq._count_consumed(channel text, consumed bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    own_stripe constant smallint := pg_backend_pid() % 64;
BEGIN
    UPDATE pgq.counter AS c
    SET consumed = c.consumed + _count_consumed.consumed
    WHERE c.channel = _count_consumed.channel AND c.stripe = own_stripe;
    IF NOT FOUND THEN
        INSERT INTO pgq.counter AS c (channel, stripe, consumed)
        VALUES (_count_consumed.channel, own_stripe, _count_consumed.consumed)
        ON CONFLICT ON CONSTRAINT counter_pkey DO UPDATE
        SET consumed = c.consumed + excluded.consumed;
    END IF;
END
$$;

REVOKE ALL ON FUNCTION pgq._count_consumed(text, bigint) FROM PUBLIC;

COMMIT;
