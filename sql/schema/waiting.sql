-- Deploy pgqueue:schema/waiting to pg
-- requires: schema/pgq

BEGIN;

-- The channels some gateway process has long-polling consumers waiting on,
-- kept up to date by that process through pgq.watch(). Enqueues NOTIFY only
-- for these: a NOTIFY takes a database-wide lock at commit, which every
-- enqueue would otherwise pay whether anyone listens or not. A registration
-- ends at expires_at unless renewed, so a gateway that crashed stops costing
-- notifications within its ttl, and the next pgq.watch() call sweeps it away.
CREATE TABLE pgq.waiting (
    channel    text COLLATE "C" NOT NULL,
    listener   text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (channel, listener)
);
COMMENT ON TABLE pgq.waiting IS 'Channels with waiting long-poll consumers, per gateway process (listener); maintained by pgq.watch()';

-- Called by every enqueue: wake the listeners of a channel that has any.
-- The notification goes out at commit, so a woken consumer finds the message
-- committed; notifications with the same payload in one transaction are
-- delivered once. An index probe on a (nearly always) tiny table is all an
-- enqueue pays while nobody waits.
CREATE FUNCTION pgq._wake(channel text)
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
