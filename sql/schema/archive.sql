-- Deploy pgqueue:schema/archive to pg
-- requires: schema/pgq

BEGIN;

-- Consumed messages, kept for audit until pgq.maintain() purges them. The
-- primary key doubles as a guard: a message archived twice would be a
-- message delivered twice, and fails loudly instead.
CREATE TABLE pgq.archive (
    id          bigint PRIMARY KEY,
    channel     text COLLATE "C" NOT NULL,
    message     jsonb NOT NULL,
    created_at  timestamptz NOT NULL,
    consumed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pgq.archive IS 'Consumed messages, purged after the retention in pgq.settings';

-- Rows arrive in consumed_at order, so a tiny BRIN index serves the purge.
CREATE INDEX archive_consumed_at ON pgq.archive USING brin (consumed_at);

COMMIT;
