-- Verify pgqueue:schema/tally_pending on pg

SELECT 1 / count(*)::int FROM pgq.tally WHERE pending IS NOT NULL;
