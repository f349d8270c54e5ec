-- The statement inside pgq.dequeue, on the baseline tables.
WITH next AS (
    SELECT q.id FROM bench.raw_queue AS q
    WHERE q.channel = :channel
    ORDER BY q.id
    LIMIT :take
    FOR UPDATE SKIP LOCKED
), consumed AS (
    DELETE FROM bench.raw_queue AS q USING next
    WHERE q.id = next.id
    RETURNING q.id, q.channel, q.message, q.created_at
), archived AS (
    INSERT INTO bench.raw_archive (id, channel, message, created_at)
    SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c
)
SELECT c.id, c.channel, c.message, c.created_at FROM consumed AS c ORDER BY c.id;
