-- What pgq.enqueue does, minus the function: one INSERT returning the id.
\set n random_zipfian(1, :channels, :skew)
INSERT INTO bench.raw_queue (channel, message) VALUES (:prefix || :n, :message) RETURNING id;
