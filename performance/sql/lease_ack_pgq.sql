-- At-least-once consumption: lease the oldest ready message of channel :prefix || n
-- for 30 s, then ack it, each its own transaction.
\set n random_zipfian(1, :channels, :skew)
SELECT id AS leased, receipt AS receipt FROM pgq.lease(:prefix || :n, 30, 1) \gset
SELECT pgq.ack(:prefix || :n, :leased, :receipt);
