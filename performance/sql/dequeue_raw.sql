-- What pgq.dequeue must do at least: take the channel's oldest rows that no
-- other consumer holds, delete them and archive them, in one statement.
\set n random_zipfian(1, :channels, :skew)
WITH next AS (
    SELECT q.channel, q.id FROM bench.raw_queue AS q
    WHERE q.channel = :prefix || :n
    ORDER BY q.id
    LIMIT :take
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
