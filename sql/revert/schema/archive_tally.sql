-- Revert pgqueue:schema/archive_tally from pg: counters hold every consumed message again

BEGIN;

LOCK TABLE pgq.archive IN ACCESS EXCLUSIVE MODE;
LOCK TABLE pgq.counter IN ACCESS EXCLUSIVE MODE;

-- The archive rows not folded yet go into the counters, which count alone again.
INSERT INTO pgq.counter AS c (channel, stripe, consumed)
SELECT a.channel, 0, count(*)
FROM pgq.archive AS a
WHERE a.consumed_xid >= (SELECT t.counted_below FROM pgq.tally AS t)
GROUP BY a.channel
ON CONFLICT ON CONSTRAINT counter_pkey DO UPDATE SET consumed = c.consumed + excluded.consumed;
DROP TABLE pgq.tally;

DROP INDEX pgq.archive_consumed_at;
CREATE INDEX archive_consumed_at ON pgq.archive USING brin (consumed_at);
ALTER TABLE pgq.archive DROP CONSTRAINT archive_pkey;
ALTER TABLE pgq.archive ADD CONSTRAINT archive_pkey PRIMARY KEY (id);
ALTER TABLE pgq.archive DROP COLUMN consumed_xid;

COMMIT;
