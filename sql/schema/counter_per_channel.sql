-- Deploy pgqueue:schema/counter_per_channel to pg
-- requires: schema/counter
-- requires: schema/archive_tally

BEGIN;

-- pgq.counter keeps one row per channel. Its 64 stripes per channel were
-- there so that consumers would not queue on one row's lock; since
-- schema/archive_tally no consumer writes it, only the fold
-- (pgq._tally_consumed) and pgq.purge_archive do, one at a time under
-- pgq.tally's row lock.
--
-- Both writers take that lock before they touch pgq.counter, so an EXCLUSIVE
-- lock on pgq.tally, taken first like theirs, waits for one running and keeps
-- the next out until this commits; pgq.stats() only reads pgq.tally and goes
-- on until the ACCESS EXCLUSIVE lock on pgq.counter. The stripes of each
-- channel are added into its stripe 0 in one statement (the rows deleted and
-- the rows written are disjoint), so every total is carried over whole, and
-- the check below stops the deploy, with nothing changed, if one is not.
LOCK TABLE pgq.tally IN EXCLUSIVE MODE;
LOCK TABLE pgq.counter IN ACCESS EXCLUSIVE MODE;

DO $$
DECLARE
    totals constant text := 'SELECT coalesce(jsonb_object_agg(t.channel, t.consumed), ''{}'') FROM '
        '(SELECT c.channel, sum(c.consumed) AS consumed FROM pgq.counter AS c GROUP BY c.channel) AS t';
    before jsonb;
    after jsonb;
BEGIN
    EXECUTE totals INTO before;
    WITH stripes AS (
        DELETE FROM pgq.counter AS c WHERE c.stripe <> 0 RETURNING c.channel, c.consumed
    )
    INSERT INTO pgq.counter AS c (channel, stripe, consumed)
    SELECT s.channel, 0, sum(s.consumed) FROM stripes AS s GROUP BY s.channel
    ON CONFLICT ON CONSTRAINT counter_pkey DO UPDATE SET consumed = c.consumed + excluded.consumed;
    ALTER TABLE pgq.counter DROP CONSTRAINT counter_pkey;
    ALTER TABLE pgq.counter DROP COLUMN stripe;
    ALTER TABLE pgq.counter ADD CONSTRAINT counter_pkey PRIMARY KEY (channel);
    EXECUTE totals INTO after;
    IF after IS DISTINCT FROM before THEN
        RAISE EXCEPTION 'pgq.counter: the totals per channel changed while its stripes were added up'
            USING DETAIL = format('before: %s, after: %s', before, after);
    END IF;
END
$$;

COMMENT ON TABLE pgq.counter IS
    'Consumed messages per channel folded in from the archive; pgq.stats() adds the archive rows not folded yet';

COMMIT;
