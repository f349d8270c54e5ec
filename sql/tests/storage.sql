-- The storage layout: a channel's head is one probe of (channel, id), lease/nack/extend_lease touch no indexed
-- column, retention keeps working after purges, and maintain() leaves nothing behind for a channel that is gone.
BEGIN;
SELECT plan(12);

SELECT col_is_pk('pgq', 'queue', ARRAY['channel', 'id'], 'the queue is keyed by (channel, id)');
SELECT is_empty($$
    SELECT i.indexrelid::regclass
    FROM pg_index AS i JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
    WHERE i.indrelid = 'pgq.queue'::regclass AND a.attname = 'id'$$,
    'no index on the queue leads with id');
SELECT is_empty($$
    SELECT i.indexrelid::regclass, a.attname
    FROM pg_index AS i JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
    WHERE i.indrelid = 'pgq.queue'::regclass AND a.attname IN ('visible_at', 'deliveries', 'receipt')$$,
    'no index on the queue holds a column that lease, nack or extend_lease change');
SELECT is_empty($$
    SELECT i.indexrelid::regclass FROM pg_index AS i
    WHERE i.indrelid = 'pgq.queue'::regclass
      AND (i.indexprs IS NOT NULL
           OR pg_get_expr(i.indpred, i.indrelid) ~ '(visible_at|deliveries|receipt)')$$,
    'nor an expression or a predicate that could (queue_group''s predicate is on group_key, which never changes)');
SELECT ok((SELECT 'fillfactor=80' = ANY (reloptions) FROM pg_class WHERE oid = 'pgq.queue'::regclass),
    'the queue leaves room on its pages for heap-only updates');
SELECT col_is_pk('pgq', 'counter', ARRAY['channel'], 'one consumed total per channel');
SELECT col_is_pk('pgq', 'archive', ARRAY['channel', 'id'], 'the archive is keyed by (channel, id), the guard against archiving twice');
SELECT is((SELECT am.amname::text FROM pg_class AS c JOIN pg_am AS am ON am.oid = c.relam
           WHERE c.oid = 'pgq.archive_consumed_at'::regclass), 'btree',
    'the purge walks a btree on consumed_at, which no purge spoils');

-- maintain() forgets the counters of a channel with nothing queued, archived, dead or configured.
INSERT INTO pgq.counter (channel, consumed) VALUES
    ('gone', 15), ('queued', 1), ('archived', 1), ('dead', 1), ('configured', 1);
SELECT pgq.enqueue('queued', '{}');
INSERT INTO pgq.archive (id, channel, message, created_at) VALUES (-1, 'archived', '{}', now());
INSERT INTO pgq.dead_letter (id, channel, message, created_at, deliveries, reason) VALUES (-2, 'dead', '{}', now(), 5, 'test');
SELECT pgq.configure('configured', max_deliveries => 3);
SELECT pgq.maintain();
SELECT results_eq($$SELECT channel COLLATE "default" FROM pgq.counter ORDER BY 1$$,
    ARRAY['archived', 'configured', 'dead', 'queued'], 'maintain() deletes only the counters of a channel that is gone');
SELECT is_empty($$SELECT * FROM pgq.stats() WHERE channel = 'gone'$$, 'and stats() no longer lists it');
SELECT is((SELECT consumed FROM pgq.stats() WHERE channel = 'archived'), 2::bigint,
    'a channel that still has archived messages keeps its total: the counter plus the row not folded yet');

-- The purge counts what it deletes before maintain() folded it, so totals never go down.
SELECT pgq.dequeue('queued');
SELECT pgq.purge_archive('0');
SELECT is((SELECT consumed FROM pgq.stats() WHERE channel = 'queued'), 2::bigint,
    'purging an archive row that was not folded yet keeps it in the total');

SELECT * FROM finish();
ROLLBACK;
