-- pgq.watch: the gateway's registry of waiting channels, and which of them are ready.
BEGIN;
SELECT plan(17);

SELECT pgq.enqueue('ready', '{}');
SELECT pgq.enqueue('later', '{}', delay_seconds => 60);
SELECT pgq.enqueue('taken', '{}');
SELECT pgq.lease('taken');

SELECT results_eq($$SELECT * FROM pgq.watch('gw-1', ARRAY['ready', 'later', 'taken', 'idle', 'ready'])$$,
    ARRAY['ready'], 'watch returns the channels with a ready message: not delayed, leased or empty ones');
SELECT set_eq($$SELECT channel FROM pgq.waiting WHERE listener = 'gw-1'$$, ARRAY['idle', 'later', 'ready', 'taken'],
    'and registers each channel once');
SELECT ok((SELECT bool_and(expires_at BETWEEN now() + interval '30 seconds' AND clock_timestamp() + interval '30 seconds')
           FROM pgq.waiting), 'for 30 seconds by default');

SELECT pgq.watch('gw-2', ARRAY['ready'], ttl_seconds => 5);
SELECT set_eq($$SELECT listener FROM pgq.waiting WHERE channel = 'ready'$$, ARRAY['gw-1', 'gw-2'],
    'each listener has its own registration');

SELECT pgq.watch('gw-1', ARRAY['ready', 'idle']);
SELECT set_eq($$SELECT channel FROM pgq.waiting WHERE listener = 'gw-1'$$, ARRAY['idle', 'ready'],
    'a call replaces the listener''s set');
SELECT set_eq($$SELECT listener FROM pgq.waiting WHERE channel = 'ready'$$, ARRAY['gw-1', 'gw-2'],
    'and leaves other listeners alone');

-- Renewal writes only once half the ttl has passed.
UPDATE pgq.waiting SET expires_at = now() + interval '20 seconds' WHERE listener = 'gw-1' AND channel = 'ready';
UPDATE pgq.waiting SET expires_at = now() + interval '10 seconds' WHERE listener = 'gw-1' AND channel = 'idle';
SELECT pgq.watch('gw-1', ARRAY['ready', 'idle']);
SELECT ok((SELECT expires_at = now() + interval '20 seconds' FROM pgq.waiting WHERE listener = 'gw-1' AND channel = 'ready'),
    'a registration with more than half its ttl left is not rewritten');
SELECT ok((SELECT expires_at > now() + interval '29 seconds' FROM pgq.waiting WHERE listener = 'gw-1' AND channel = 'idle'),
    'one with less is renewed');

-- A crashed gateway's registration expires, and the next call of anyone sweeps it.
UPDATE pgq.waiting SET expires_at = now() - interval '1 second' WHERE listener = 'gw-2';
SELECT pgq.watch('gw-1', ARRAY['ready', 'idle']);
SELECT is_empty($$SELECT * FROM pgq.waiting WHERE listener = 'gw-2'$$, 'expired registrations are swept');

SELECT is_empty($$SELECT * FROM pgq.watch('gw-1', '{}')$$, 'an empty array...');
SELECT is_empty($$SELECT * FROM pgq.waiting WHERE listener = 'gw-1'$$, '...unregisters the listener');

SELECT throws_ok($$SELECT pgq.watch(NULL, '{}')$$, '22004', 'listener must not be null', 'listener is required');
SELECT throws_ok($$SELECT pgq.watch('', '{}')$$, '22023', NULL, 'listener is 1-64 characters');
SELECT throws_ok($$SELECT pgq.watch('gw', NULL)$$, '22004', 'channels must not be null', 'channels is required');
SELECT throws_ok($$SELECT pgq.watch('gw', ARRAY['ok', 'no spaces'])$$, '22023', NULL, 'every channel is checked');
SELECT throws_ok($$SELECT pgq.watch('gw', ARRAY['ok', NULL])$$, '22004', 'channel must not be null', 'even a null one');
SELECT throws_ok($$SELECT pgq.watch('gw', '{}', 0)$$, '22023', NULL, 'ttl_seconds is 1-3600');

SELECT * FROM finish();
ROLLBACK;
