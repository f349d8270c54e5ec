-- Deploy pgqueue:schema/settings to pg
-- requires: schema/pgq

BEGIN;

-- Broker-wide settings, one row. A table rather than a GUC, so that no
-- caller can change them for its own session:
--   UPDATE pgq.settings SET archive_retention = '3 days';
CREATE TABLE pgq.settings (
    singleton         boolean PRIMARY KEY DEFAULT true CONSTRAINT settings_one_row CHECK (singleton),
    archive_retention interval NOT NULL DEFAULT '7 days'
        CONSTRAINT settings_retention_not_negative CHECK (archive_retention >= interval '0')
);
COMMENT ON TABLE pgq.settings IS 'Broker-wide settings (one row); archive_retention is used by pgq.maintain()';

INSERT INTO pgq.settings DEFAULT VALUES;

COMMIT;
