-- Deploy pgqueue:schema/idle_timeout to pg
-- requires: schema/roles

BEGIN;

-- A session left idle inside a transaction holds the horizon back: no row
-- deleted after its snapshot can be removed, in pgq or anywhere else in the
-- database, for as long as it sits there. The API's own transactions last one
-- call (statement_timeout 5 s), so a transaction of an API role idle for 10 s
-- is a client that lost track of it: PostgreSQL ends the session and the
-- transaction rolls back (nothing half-done: every pgq call is atomic).
-- pgq_client's setting is applied by PostgREST in each request's transaction;
-- authenticator and pgq_gateway get theirs at login.
ALTER ROLE pgq_client SET idle_in_transaction_session_timeout = '10s';
ALTER ROLE authenticator SET idle_in_transaction_session_timeout = '10s';
ALTER ROLE pgq_gateway SET idle_in_transaction_session_timeout = '10s';

COMMIT;
