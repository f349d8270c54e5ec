-- Revert pgqueue:schema/counter_per_channel from pg: each channel's total goes back to stripe 0 of 64

BEGIN;

LOCK TABLE pgq.tally IN EXCLUSIVE MODE;
LOCK TABLE pgq.counter IN ACCESS EXCLUSIVE MODE;

ALTER TABLE pgq.counter ADD COLUMN stripe smallint NOT NULL DEFAULT 0
    CONSTRAINT counter_stripe_range CHECK (stripe BETWEEN 0 AND 63);
ALTER TABLE pgq.counter ALTER COLUMN stripe DROP DEFAULT;
ALTER TABLE pgq.counter DROP CONSTRAINT counter_pkey;
ALTER TABLE pgq.counter ADD CONSTRAINT counter_pkey PRIMARY KEY (channel, stripe);
COMMENT ON TABLE pgq.counter IS 'Striped running totals of consumed messages; pgq.stats() sums them per channel';

COMMIT;
