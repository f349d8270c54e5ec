-- Retention: purge_archive and maintain.
BEGIN;
SELECT plan(8);

INSERT INTO pgq.archive (id, channel, message, created_at, consumed_at) VALUES
    (1, 'old', '{}', now() - interval '10 days', now() - interval '9 days'),
    (2, 'old', '{}', now() - interval '10 days', now() - interval '8 days'),
    (3, 'mid', '{}', now() - interval '3 days', now() - interval '2 days'),
    (4, 'new', '{}', now() - interval '2 hours', now() - interval '1 hour');

SELECT is(pgq.purge_archive('30 days'), 0::bigint, 'nothing is older than 30 days');
SELECT is(pgq.maintain(), '{"archive_purged": 2, "dedup_keys_expired": 0, "consumed_folded": 0}'::jsonb, 'maintain purges past the default 7-day retention');
SELECT results_eq($$SELECT id FROM pgq.archive ORDER BY id$$, ARRAY[3::bigint, 4], 'the recent ones stay');
SELECT is(pgq.maintain(), '{"archive_purged": 0, "dedup_keys_expired": 0, "consumed_folded": 0}'::jsonb, 'maintain is idempotent');

UPDATE pgq.settings SET archive_retention = '1 day';
SELECT is(pgq.maintain(), '{"archive_purged": 1, "dedup_keys_expired": 0, "consumed_folded": 0}'::jsonb, 'retention is configurable in pgq.settings');
SELECT is(pgq.purge_archive('0'), 1::bigint, 'purge_archive(0) empties the archive and counts');

SELECT throws_ok($$INSERT INTO pgq.settings DEFAULT VALUES$$, '23505', NULL, 'settings has one row');
SELECT throws_ok($$UPDATE pgq.settings SET archive_retention = '-1 day'$$, '23514', NULL, 'retention cannot be negative');

SELECT * FROM finish();
ROLLBACK;
