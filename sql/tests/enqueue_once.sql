-- enqueue_once: idempotency keys per channel, remembered for the channel's dedup window.
BEGIN;
SELECT plan(17);

CREATE TEMP TABLE first AS SELECT * FROM pgq.enqueue_once('orders', '{"order": 1}', 'order-1');
SELECT is((SELECT duplicate FROM first), false, 'a new key enqueues');
SELECT results_eq($$SELECT message FROM pgq.queue WHERE id = (SELECT id FROM first)$$, $$VALUES ('{"order": 1}'::jsonb)$$,
    'the message is queued under the returned id');
SELECT results_eq($$SELECT * FROM pgq.enqueue_once('orders', '{"order": "retry"}', 'order-1')$$,
    $$SELECT id, true FROM first$$, 'the same key again returns the original id, duplicate = true');
SELECT is((SELECT count(*)::int FROM pgq.queue WHERE channel = 'orders'), 1, 'and inserts nothing');
SELECT is((SELECT (pgq.enqueue_once('other', '{}', 'order-1')).duplicate), false, 'keys are per channel');
SELECT is((SELECT (pgq.enqueue_once('orders', '{}', 'ORDER-1')).duplicate), false, 'keys are case-sensitive');
SELECT is((SELECT (pgq.enqueue_once('orders', '{}', repeat('k', 128))).duplicate), false, 'a 128-character key');

-- A key outlives its message's consumption and the archive's purge.
SELECT pgq.dequeue('orders', 100);
SELECT pgq.purge_archive('0');
SELECT results_eq($$SELECT * FROM pgq.enqueue_once('orders', '{"order": 1}', 'order-1')$$,
    $$SELECT id, true FROM first$$, 'the key is remembered after its message was consumed and purged');
SELECT is_empty($$SELECT * FROM pgq.queue WHERE channel = 'orders'$$, 'still nothing inserted');

-- The window: 24 hours by default, per channel with configure.
SELECT ok((SELECT expires_at BETWEEN now() + interval '24 hours' AND clock_timestamp() + interval '24 hours'
           FROM pgq.dedup_key WHERE channel = 'orders' AND key = 'order-1'), 'the default window is 24 hours');
SELECT pgq.configure('short', dedup_window => '10 minutes');
SELECT pgq.enqueue_once('short', '{}', 'k');
SELECT ok((SELECT expires_at BETWEEN now() + interval '10 minutes' AND clock_timestamp() + interval '10 minutes'
           FROM pgq.dedup_key WHERE channel = 'short'), 'configure sets the window');

-- After the window the key is free again, even before maintain() sweeps it.
UPDATE pgq.dedup_key SET expires_at = now() - interval '1 second' WHERE channel = 'orders' AND key = 'order-1';
CREATE TEMP TABLE second AS SELECT * FROM pgq.enqueue_once('orders', '{"order": 2}', 'order-1');
SELECT ok((SELECT NOT duplicate AND id > (SELECT id FROM first) FROM second), 'an expired key enqueues anew');
SELECT results_eq($$SELECT id FROM pgq.dedup_key WHERE channel = 'orders' AND key = 'order-1'$$,
    $$SELECT id FROM second$$, 'and now names the new message');

-- maintain() removes expired keys only.
UPDATE pgq.dedup_key SET expires_at = now() - interval '1 second' WHERE channel = 'other';
SELECT is(pgq.maintain()->'dedup_keys_expired', '1'::jsonb, 'maintain removes the expired key');
SELECT is((SELECT count(*)::int FROM pgq.dedup_key), 4, 'and keeps the live ones');

-- delay_seconds works as in enqueue.
CREATE TEMP TABLE later AS SELECT * FROM pgq.enqueue_once('later', '{}', 'k', delay_seconds => 30);
SELECT ok((SELECT visible_at BETWEEN now() + interval '30 seconds' AND clock_timestamp() + interval '30 seconds'
           FROM pgq.queue WHERE id = (SELECT id FROM later)), 'enqueue_once with a delay');
SELECT is_empty($$SELECT * FROM pgq.dequeue('later')$$, 'is not consumed early');

SELECT * FROM finish();
ROLLBACK;
