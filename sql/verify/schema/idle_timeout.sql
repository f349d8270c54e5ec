-- Verify pgqueue:schema/idle_timeout on pg

SELECT 1 / (count(*) = 3)::int
FROM pg_catalog.pg_db_role_setting AS s
JOIN pg_catalog.pg_roles AS r ON r.oid = s.setrole
WHERE s.setdatabase = 0
  AND r.rolname IN ('pgq_client', 'authenticator', 'pgq_gateway')
  AND 'idle_in_transaction_session_timeout=10s' = ANY (s.setconfig);
