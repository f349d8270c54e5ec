-- Deploy pgqueue:schema/leased_message_type to pg
-- requires: functions/lease@v1.4
--
-- pgq.leased_message is defined here from @v1.5 on. functions/lease created it in an
-- earlier release and still does (a deployed script never changes), so the
-- type is created here only where it is missing.

BEGIN;

-- The row shape lease() returns: the message, how often it has been
-- delivered, and the receipt that ack, nack and extend_lease must present.
DO $$
BEGIN
    IF pg_catalog.to_regtype('pgq.leased_message') IS NULL THEN
        CREATE TYPE pgq.leased_message AS (
            id               bigint,
            channel          text,
            message          jsonb,
            created_at       timestamptz,
            deliveries       integer,
            receipt          uuid,
            lease_expires_at timestamptz
        );
    END IF;
END
$$;
COMMENT ON TYPE pgq.leased_message IS 'A message leased by pgq.lease, with its delivery count, receipt and lease end';

COMMIT;
