-- Deploy pgqueue:schema/role_check to pg
-- requires: schema/api_grants
--
-- pgq's objects go to pgq_owner (schema/ownership), its admin API to pgq_admin
-- (schema/api_grants). Roles are cluster-wide, and schema/admin_roles keeps a role
-- of either name that exists already as it is. So another application's role, or
-- one that someone can log in as or is a member of, would receive pgq: whoever
-- acts as pgq_owner owns every message and runs the API's SECURITY DEFINER code.
-- The deploy stops instead, and says what to do, when
--
--   pgq_owner or pgq_admin does not carry the mark of the roles pgQueue created
--   (schema/admin_roles), or can log in;
--   pgq_owner has any member;
--   pgq_admin has a member while no database holds a right of it yet: before
--   pgQueue's first grants, a member is someone else's. Later members are the
--   operators' own (docs/operations.md, Roles), and pgQueue's.
--
-- This file runs twice. As the deploy script of this change, on every upgrade. And
-- included by the verify script of schema/admin_roles, which sqitch runs right
-- after that change (deploy.verify in sqitch.conf): a first deploy stops there,
-- before schema/ownership and schema/api_grants hand anything over, and sqitch
-- reverts what it deployed (its default --mode all).

BEGIN;

DO $$
DECLARE
    marker constant text := 'pgQueue: created and managed by the pgq deploy';
    problems text[] := '{}';
    role record;
BEGIN
    FOR role IN
        SELECT r.rolname, r.rolcanlogin,
               pg_catalog.shobj_description(r.oid, 'pg_authid') IS NOT DISTINCT FROM marker AS ours,
               (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(m.rolname), ', ' ORDER BY m.rolname)
                FROM pg_catalog.pg_auth_members AS a
                JOIN pg_catalog.pg_roles AS m ON m.oid = a.member
                WHERE a.roleid = r.oid) AS members,
               EXISTS (SELECT FROM pg_catalog.pg_shdepend AS d
                       WHERE d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid) AS used
        FROM pg_catalog.pg_roles AS r
        WHERE r.rolname IN ('pgq_owner', 'pgq_admin')
        ORDER BY r.rolname DESC
    LOOP
        IF NOT role.ours THEN
            problems := problems || format(
                '%s exists, but pgQueue did not create it (its comment is not %L): it is another '
                'application''s. Rename that role, or deploy pgQueue on a cluster of its own', role.rolname, marker);
        END IF;
        IF role.rolcanlogin THEN
            problems := problems || format(
                '%s can log in; pgQueue''s %s is NOLOGIN: ALTER ROLE %s NOLOGIN', role.rolname, role.rolname,
                role.rolname);
        END IF;
        IF role.members IS NOT NULL AND (role.rolname = 'pgq_owner' OR NOT role.used) THEN
            problems := problems || format(
                '%s has members (%s), who would act with its rights: REVOKE %s FROM %s', role.rolname,
                role.members, role.rolname, role.members);
        END IF;
    END LOOP;
    IF problems <> '{}' THEN
        RAISE EXCEPTION 'pgQueue will not hand pgq to these roles: %', array_to_string(problems, '; ')
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'docs/operations.md, Shared clusters, says why.';
    END IF;
END
$$;

COMMIT;
