-- Deploy pgqueue:functions/_wake to pg
-- requires: schema/waiting
--
-- pgq._wake() is defined here from @v1.5 on; schema/waiting created it
-- and keeps its deployed script. CREATE OR REPLACE keeps its owner and grants.

BEGIN;

-- Called by every enqueue: wake the listeners of a channel that has any.
-- The notification goes out at commit, so a woken consumer finds the message
-- committed; notifications with the same payload in one transaction are
-- delivered once. An index probe on a (nearly always) tiny table is all an
-- enqueue pays while nobody waits.
CREATE OR REPLACE FUNCTION pgq._wake(channel text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM pgq.waiting AS w WHERE w.channel = _wake.channel AND w.expires_at > clock_timestamp()) THEN
        PERFORM pg_notify('pgq_ready', _wake.channel);
    END IF;
END
$$;

REVOKE ALL ON FUNCTION pgq._wake(text) FROM PUBLIC;

COMMIT;
