-- Deploy pgqueue:schema/pgq to pg
-- requires: schema/roles

BEGIN;

CREATE SCHEMA pgq;
COMMENT ON SCHEMA pgq IS 'pgQueue: a FIFO message broker inside PostgreSQL';

-- Anonymous (PostgREST) privileges: reach the schema, nothing more. Tables
-- stay private; the API functions are SECURITY DEFINER.
GRANT USAGE ON SCHEMA pgq TO pgq_client;

COMMIT;
