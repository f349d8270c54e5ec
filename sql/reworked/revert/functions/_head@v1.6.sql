-- Revert pgqueue:functions/_head from pg

BEGIN;

DROP FUNCTION pgq._lower_head(text, bigint, boolean);
DROP FUNCTION pgq._refresh_head(pgq.head);
DROP FUNCTION pgq._head_fence();
DROP FUNCTION pgq._ready_start(text);

COMMIT;
