-- Revert pgqueue:functions/horizon from pg
--
-- pg_read_all_stats stays granted to pgq_owner: whether the deploy granted it or it was there
-- before cannot be told apart.

BEGIN;

DROP FUNCTION pgq.horizon();
DROP TYPE pgq.horizon_state;

COMMIT;
