-- Deploy pgqueue:schema/limit_type to pg
-- requires: schema/pgq

BEGIN;

-- One bound of the API, by name: the rows of pgq.limits(). (Not "limit": that
-- is a reserved word, and every caller would have to quote it.)
CREATE TYPE pgq.api_limit AS (
    name  text,
    value bigint
);
COMMENT ON TYPE pgq.api_limit IS 'One bound of the API as returned by pgq.limits()';

COMMIT;
