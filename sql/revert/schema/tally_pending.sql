-- Revert pgqueue:schema/tally_pending from pg: back to a bound below which every transaction has ended

BEGIN;

-- The pending transactions that have ended are folded here (the rows of
-- those that committed), so that nothing below the bound is left uncounted.
-- One still in progress would be lost, or counted twice if the bound went
-- back below it: the revert stops, with nothing changed, until it has ended.
LOCK TABLE pgq.tally IN EXCLUSIVE MODE;

DO $$
DECLARE
    waiting xid8[];
BEGIN
    SELECT array_agg(p.x) INTO waiting
    FROM pgq.tally AS t, unnest(t.pending) AS p(x)
    WHERE NOT pg_visible_in_snapshot(p.x, pg_current_snapshot()) OR p.x = pg_current_xact_id_if_assigned();
    IF waiting IS NOT NULL THEN
        RAISE EXCEPTION 'pgq.tally: transactions % are still in progress', waiting
            USING HINT = 'Revert again once they have ended.';
    END IF;
    PERFORM pgq._count_consumed(a.channel, count(*))
    FROM pgq.archive AS a
    WHERE a.consumed_xid = ANY ((SELECT t.pending FROM pgq.tally AS t)::xid8[])
    GROUP BY a.channel;
END
$$;

ALTER TABLE pgq.tally DROP COLUMN pending;
COMMENT ON TABLE pgq.tally IS 'Archive rows with consumed_xid below counted_below are counted in pgq.counter';

COMMIT;
