-- Revert pgqueue:functions/_group from pg

BEGIN;

DROP TRIGGER queue_group_next ON pgq.queue;
DROP FUNCTION pgq._group_deleted();
DROP FUNCTION pgq._group_visible(text, text, timestamptz);
DROP FUNCTION pgq._next_in_group(text, text);
DROP FUNCTION pgq._ungrouped_channel(text);
DROP FUNCTION pgq._ready_groups(text, timestamptz, integer);
DROP FUNCTION pgq._join_group(text, text);
DROP FUNCTION pgq._lock_group(text, text);
DROP FUNCTION pgq._check_group_key(text);

COMMIT;
