-- Verify pgqueue:schema/settings on pg

SELECT 1 / count(*)::int FROM pgq.settings WHERE archive_retention IS NOT NULL;
