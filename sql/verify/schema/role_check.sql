-- Verify pgqueue:schema/role_check on pg: the roles still pass the check.

\ir ../../schema/role_check.sql
