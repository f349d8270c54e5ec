-- The baseline's INSERT inside an empty hardened function (bench.insert_hardened): the floor of pgq.enqueue.
\set n random_zipfian(1, :channels, :skew)
SELECT bench.insert_hardened(:prefix || :n, :message);
