-- The baseline of lease_ack_pgq.sql: the oldest visible row gets a visibility
-- time and a receipt; the ack deletes it by (channel, id, receipt) and archives it.
\set n random_zipfian(1, :channels, :skew)
UPDATE bench.raw_lease AS q SET visible_at = now() + interval '30 seconds', receipt = gen_random_uuid()
WHERE q.channel = :prefix || :n
  AND q.id = (SELECT r.id FROM bench.raw_lease AS r
              WHERE r.channel = :prefix || :n AND r.visible_at <= now()
              ORDER BY r.id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING q.id AS leased, q.receipt AS receipt \gset
WITH consumed AS (
    DELETE FROM bench.raw_lease AS q
    WHERE q.channel = :prefix || :n AND q.id = :leased AND q.receipt = :receipt
    RETURNING q.id, q.channel, q.message, q.created_at
)
INSERT INTO bench.raw_archive (id, channel, message, created_at)
SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c;
