-- The baseline of sustained_pgq.sql: one message in, then one out, on the same
-- channel, each its own transaction, in the minimal tables.
\set n random_zipfian(1, :channels, :skew)
INSERT INTO bench.raw_queue (channel, message) VALUES (:prefix || :n, :message);
WITH next AS (
    SELECT q.channel, q.id FROM bench.raw_queue AS q
    WHERE q.channel = :prefix || :n
    ORDER BY q.id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
), consumed AS (
    DELETE FROM bench.raw_queue AS q USING next
    WHERE q.channel = next.channel AND q.id = next.id
    RETURNING q.id, q.channel, q.message, q.created_at
), archived AS (
    INSERT INTO bench.raw_archive (id, channel, message, created_at)
    SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c
)
SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c ORDER BY c.id;
