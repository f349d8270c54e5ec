-- Verify pgqueue:schema/queue_checks on pg: the queue has no CHECK constraint

SELECT 1 / (count(*) = 0)::int
FROM pg_catalog.pg_constraint
WHERE conrelid = 'pgq.queue'::regclass AND contype = 'c';
