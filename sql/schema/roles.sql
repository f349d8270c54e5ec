-- Deploy pgqueue:schema/roles to pg
--
-- The broker's three roles. Roles are cluster-wide, so each is created only
-- when missing: a second database on the same cluster deploys cleanly, and a
-- redeploy after a revert does not trip over roles that outlived it.
--
--   pgq_client     NOLOGIN. PostgREST's anonymous role; may EXECUTE the API.
--   authenticator  LOGIN NOINHERIT. PostgREST logs in as it, then SET ROLEs.
--   pgq_gateway    LOGIN INHERIT. The gateway's direct backend logs in as it.
--
-- Passwords are sqitch variables, never literals here:
--   sqitch deploy --set authenticator_password=... --set gateway_password=...

\if :{?authenticator_password}
\else
  \echo 'sqitch variable authenticator_password is not set (sqitch deploy --set authenticator_password=...)'
  SELECT 1/0 AS authenticator_password_missing;
\endif
\if :{?gateway_password}
\else
  \echo 'sqitch variable gateway_password is not set (sqitch deploy --set gateway_password=...)'
  SELECT 1/0 AS gateway_password_missing;
\endif

BEGIN;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'pgq_client') THEN
        CREATE ROLE pgq_client NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticator') THEN
        CREATE ROLE authenticator LOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'pgq_gateway') THEN
        CREATE ROLE pgq_gateway LOGIN INHERIT;
    END IF;
END
$$;

-- Re-assert the attributes in case the roles existed before with others.
ALTER ROLE pgq_client NOLOGIN;
ALTER ROLE authenticator LOGIN NOINHERIT PASSWORD :'authenticator_password';
ALTER ROLE pgq_gateway LOGIN INHERIT PASSWORD :'gateway_password';
GRANT pgq_client TO authenticator, pgq_gateway;

-- Role settings apply at login, not on SET ROLE: PostgREST applies the
-- impersonated role's settings itself, the gateway logs in as pgq_gateway.
ALTER ROLE pgq_client SET statement_timeout = '5s';
ALTER ROLE pgq_gateway SET statement_timeout = '5s';

COMMIT;
