-- Verify pgqueue:schema/counter_per_channel on pg: pgq.counter is keyed by channel alone

SELECT channel, consumed FROM pgq.counter WHERE false;
SELECT 1 / (pg_catalog.pg_get_constraintdef(c.oid) = 'PRIMARY KEY (channel)')::int
FROM pg_catalog.pg_constraint AS c
WHERE c.conrelid = 'pgq.counter'::regclass AND c.conname = 'counter_pkey';
SELECT 1 / (count(*) = 0)::int
FROM pg_catalog.pg_attribute AS a
WHERE a.attrelid = 'pgq.counter'::regclass AND a.attname = 'stripe' AND NOT a.attisdropped;
