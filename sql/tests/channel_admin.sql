-- A channel's administration beyond configure: extend_lease_until, settings_of, unconfigure, purge.
BEGIN;
SELECT plan(24);

-- extend_lease_until: extend_lease, answering the lease's new end.
SELECT pgq.enqueue('held', '{"n": 1}');
CREATE TEMP TABLE held AS SELECT * FROM pgq.lease('held', visibility_seconds => 5);
CREATE TEMP TABLE extended AS
    SELECT pgq.extend_lease_until('held', id, receipt, 600) AS ends, clock_timestamp() AS asked FROM held;
SELECT ok((SELECT ends BETWEEN now() + interval '600 seconds' AND asked + interval '600 seconds' FROM extended),
    'extend_lease_until answers an end seconds from now');
SELECT is((SELECT visible_at FROM pgq.queue WHERE id = (SELECT id FROM held)), (SELECT ends FROM extended),
    'the very end stored with the message');
SELECT is((SELECT receipt FROM pgq.queue WHERE id = (SELECT id FROM held)), (SELECT receipt FROM held),
    'the receipt is kept');
SELECT is(pgq.extend_lease_until('held', (SELECT id FROM held), gen_random_uuid(), 600), NULL,
    'a stale receipt: null');
SELECT is(pgq.extend_lease_until('other', (SELECT id FROM held), (SELECT receipt FROM held), 600), NULL,
    'another channel: null');
SELECT is((SELECT visible_at FROM pgq.queue WHERE id = (SELECT id FROM held)), (SELECT ends FROM extended),
    'and neither changed the lease');
SELECT throws_ok(format($$SELECT pgq.extend_lease_until('held', %s, %L, 0)$$, id, receipt), '22023',
    'seconds must be between 1 and 43200, got 0', 'extend_lease_until: extend_lease''s bounds') FROM held;
SELECT throws_ok($$SELECT pgq.extend_lease_until('bad/channel', 1, gen_random_uuid(), 10)$$, '22023', NULL,
    'extend_lease_until: invalid channel');

-- settings_of and unconfigure
SELECT is(pgq.settings_of('fresh'), ROW('fresh', 5, interval '24 hours')::pgq.channel_config,
    'settings_of: the defaults for a channel never configured');
SELECT pgq.configure('tuned', max_deliveries => 2, dedup_window => '1 hour');
SELECT is(pgq.settings_of('tuned'), ROW('tuned', 2, interval '1 hour')::pgq.channel_config,
    'settings_of: what configure set');
SELECT is(pgq.settings_of('tuned'), pgq.configure('tuned'), 'the same as configure with no limits reads');
SELECT is(pgq.unconfigure('tuned'), ROW('tuned', 5, interval '24 hours')::pgq.channel_config,
    'unconfigure answers the defaults');
SELECT is_empty($$SELECT FROM pgq.channel_settings WHERE channel = 'tuned'$$, 'and leaves no settings row');
SELECT is(pgq.unconfigure('tuned'), ROW('tuned', 5, interval '24 hours')::pgq.channel_config,
    'unconfigure again, or of a channel never configured: the defaults');
SELECT throws_ok($$SELECT pgq.settings_of('bad/channel')$$, '22023', NULL, 'settings_of: invalid channel');
SELECT throws_ok($$SELECT pgq.unconfigure(NULL)$$, '22004', NULL, 'unconfigure: NULL channel');

-- purge: deletes every queued message of the channel, in any state, and nothing else.
SELECT pgq.enqueue_batch('full', (SELECT jsonb_agg(jsonb_build_object('n', g)) FROM generate_series(1, 10000) AS g))
FROM generate_series(1, 2);
SELECT pgq.enqueue_batch('full', '[{"n": 1}, {"n": 2}, {"n": 3}]');
SELECT pgq.enqueue('full', '{"later": true}', delay_seconds => 3600);
CREATE TEMP TABLE full_lease AS SELECT * FROM pgq.lease('full');
SELECT pgq.dequeue('full');
SELECT pgq.enqueue('kept', '{"n": 1}');
SELECT pgq.configure('full', max_deliveries => 1);
SELECT pgq.lease('full', 30, 1);
SELECT pgq.ack('full', id, receipt) FROM pgq.lease('full', 30, 1);
UPDATE pgq.queue SET visible_at = now() WHERE channel = 'full' AND deliveries > 0;
DELETE FROM pgq.head WHERE channel = 'full';  -- time forged behind the head's back (docs/sql.md, the head of a channel)
SELECT pgq.lease('full', 30, 3);  -- two messages at max_deliveries go to the dead letters
CREATE TEMP TABLE before AS SELECT count(*) AS queued FROM pgq.queue WHERE channel = 'full';
SELECT is(pgq.purge('full'), (SELECT queued FROM before), 'purge answers how many it deleted, past one batch');
SELECT is_empty($$SELECT FROM pgq.queue WHERE channel = 'full'$$, 'the channel is empty, whatever state each was in');
SELECT is((SELECT count(*)::int FROM pgq.archive WHERE channel = 'full'), 2, 'nothing purged was archived');
SELECT is((SELECT count(*)::int FROM pgq.dead_letter WHERE channel = 'full'), 2, 'dead letters stay');
SELECT is((SELECT count(*)::int FROM pgq.queue WHERE channel = 'kept'), 1, 'other channels keep theirs');
SELECT is(pgq.purge('full'), 0::bigint, 'an empty channel: 0');
SELECT is(pgq.ack('full', id, receipt), false, 'a purged lease cannot be acknowledged') FROM full_lease;
SELECT throws_ok($$SELECT pgq.purge('bad/channel')$$, '22023', NULL, 'purge: invalid channel');

SELECT * FROM finish();
ROLLBACK;
