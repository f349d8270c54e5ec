-- Deploy pgqueue:functions/_count_consumed to pg
-- requires: schema/counter
--
-- pgq._count_consumed() is defined here from @v1.5 on; schema/counter created it
-- and keeps its deployed script. CREATE OR REPLACE keeps its owner and grants.

BEGIN;

-- Add to a channel's consumed total. The UPDATE is the usual path and
-- touches one row; the INSERT runs once per channel and stripe, and ON
-- CONFLICT covers two first calls racing.
CREATE OR REPLACE FUNCTION pgq._count_consumed(channel text, consumed bigint)
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
