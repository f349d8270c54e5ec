-- Verify pgqueue:schema/queue_by_channel on pg: the primary key is (channel, id) and no index leads with id

SELECT 1 / count(*)::int
FROM pg_catalog.pg_constraint
WHERE conrelid = 'pgq.queue'::regclass AND contype = 'p' AND conname = 'queue_channel_id'
  AND conkey = ARRAY[(SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = 'pgq.queue'::regclass AND attname = 'channel'),
                     (SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = 'pgq.queue'::regclass AND attname = 'id')];
SELECT 1 / (count(*) = 0)::int
FROM pg_catalog.pg_index AS i
JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE i.indrelid = 'pgq.queue'::regclass AND a.attname = 'id';
