-- Revert pgqueue:schema/idle_timeout from pg

BEGIN;

ALTER ROLE pgq_client RESET idle_in_transaction_session_timeout;
ALTER ROLE authenticator RESET idle_in_transaction_session_timeout;
ALTER ROLE pgq_gateway RESET idle_in_transaction_session_timeout;

COMMIT;
