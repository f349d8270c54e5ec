-- Revert pgqueue:functions/_validation from pg

BEGIN;

DROP FUNCTION pgq._check_range(text, bigint, bigint, bigint);
DROP FUNCTION pgq._check_message(jsonb, text);
DROP FUNCTION pgq._check_channel(text);
DROP FUNCTION pgq._valid_channel(text);

COMMIT;
