-- A producer paced to a consumer: one message in, then one out, on the same
-- channel, each its own transaction; the backlog stays level.
\set n random_zipfian(1, :channels, :skew)
SELECT pgq.enqueue(:prefix || :n, :message);
SELECT * FROM pgq.dequeue(:prefix || :n, 1);
