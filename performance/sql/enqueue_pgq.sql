-- One message to channel :prefix || n, n Zipf-distributed over 1..:channels (:channels 1: one channel).
\set n random_zipfian(1, :channels, :skew)
SELECT pgq.enqueue(:prefix || :n, :message);
