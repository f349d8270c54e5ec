-- Consume up to :take of the oldest messages of channel :prefix || n (n as in enqueue_pgq.sql).
\set n random_zipfian(1, :channels, :skew)
SELECT * FROM pgq.dequeue(:prefix || :n, :take);
