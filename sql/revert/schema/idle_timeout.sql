-- Revert pgqueue:schema/idle_timeout from pg
--
-- Role settings are cluster-wide: they stay while another database on the
-- cluster still uses the roles, as the roles themselves do (schema/roles).

BEGIN;

DO $$
BEGIN
    IF EXISTS (
        SELECT FROM pg_catalog.pg_shdepend AS d
        JOIN pg_catalog.pg_roles AS r ON r.oid = d.refobjid
        WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass
          AND r.rolname IN ('authenticator', 'pgq_gateway', 'pgq_client')
          AND d.dbid <> (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
    ) THEN
        RAISE NOTICE 'idle_in_transaction_session_timeout kept: another database on this cluster uses the roles';
        RETURN;
    END IF;
    ALTER ROLE pgq_client RESET idle_in_transaction_session_timeout;
    ALTER ROLE authenticator RESET idle_in_transaction_session_timeout;
    ALTER ROLE pgq_gateway RESET idle_in_transaction_session_timeout;
END
$$;

COMMIT;
