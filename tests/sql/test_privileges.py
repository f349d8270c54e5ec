"""Least privilege, over real logins: what the gateway's role, and PostgREST's, may and may not do."""

from __future__ import annotations

import time

import psycopg
import pytest

from support.localpg import role_passwords

FORBIDDEN = [
    ("SELECT * FROM pgq.queue", "42501"),
    ("INSERT INTO pgq.queue (channel, message) VALUES ('x', '{}')", "42501"),
    ("DELETE FROM pgq.archive", "42501"),
    ("UPDATE pgq.settings SET archive_retention = '0'", "42501"),
    ("SELECT pgq.purge_archive('0')", "42501"),
    ("SELECT pgq.purge('x')", "42501"),
    ("SELECT pgq.unconfigure('x')", "42501"),
    ("SELECT pgq._check_channel('x')", "42501"),
    ("CREATE TABLE pgq.intruder (id int)", "42501"),
    ("CREATE FUNCTION pgq.enqueue(channel text) RETURNS int LANGUAGE sql RETURN 1", "42501"),
]


@pytest.mark.parametrize("sql, sqlstate", FORBIDDEN)
def test_gateway_role_is_refused(gateway_dsn: str, sql: str, sqlstate: str) -> None:
    with psycopg.connect(gateway_dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as refused:
            conn.execute(sql)
        assert refused.value.sqlstate == sqlstate


def test_gateway_role_cannot_run_past_its_statement_timeout(gateway_dsn: str) -> None:
    with psycopg.connect(gateway_dsn, autocommit=True) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("5s",)
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("SELECT pg_sleep(30)")
        assert time.monotonic() - started < 15


def authenticator_url(admin_url: str) -> str:
    password = role_passwords()["authenticator_password"]
    return "postgresql://authenticator:" + password + "@" + admin_url.split("@", 1)[1]


@pytest.mark.parametrize("sql, sqlstate", FORBIDDEN)
def test_client_role_is_refused(admin_url: str, sql: str, sqlstate: str) -> None:
    """PostgREST's requests run as pgq_client: logged in as authenticator, then SET ROLE."""
    with psycopg.connect(authenticator_url(admin_url), autocommit=True) as conn:
        conn.execute("SET ROLE pgq_client")
        with pytest.raises(psycopg.Error) as refused:
            conn.execute(sql)
        assert refused.value.sqlstate == sqlstate


def test_client_role_carries_the_statement_timeout(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    """Role settings apply at login, not on SET ROLE; PostgREST reads them from here and applies them."""
    row = admin.execute(
        "SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'pgq_client'::regrole AND setdatabase = 0"
    ).fetchone()
    assert row and "statement_timeout=5s" in row[0]  # type: ignore[operator]


@pytest.mark.parametrize(
    "role", ["pgq_gateway", "pgq_client", "authenticator", "pgq_admin", "pgq_gateway_admin", "pgq_maintainer"]
)
def test_no_api_role_holds_a_privilege_it_should_not(
    admin: psycopg.Connection[tuple[object, ...]], role: str
) -> None:
    """From the catalog, so that whatever a later change adds is covered too: no privilege on any pgq
    table, view or sequence, no EXECUTE on a private helper (leading underscore), no CREATE anywhere."""
    granted = admin.execute(
        """
        SELECT c.oid::regclass::text FROM pg_class c
        WHERE c.relnamespace = 'pgq'::regnamespace AND (
            (c.relkind IN ('r', 'p', 'v', 'm') AND (
                has_table_privilege(%(role)s, c.oid,
                                    'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                OR has_any_column_privilege(%(role)s, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')))
            OR (c.relkind = 'S' AND has_sequence_privilege(%(role)s, c.oid, 'USAGE, SELECT, UPDATE')))
        UNION ALL
        SELECT p.oid::regprocedure::text FROM pg_proc p
        WHERE p.pronamespace = 'pgq'::regnamespace AND left(p.proname, 1) = '_'
          AND has_function_privilege(%(role)s, p.oid, 'EXECUTE')
        UNION ALL
        SELECT 'CREATE on schema ' || nspname FROM pg_namespace
        WHERE nspname IN ('pgq', 'public') AND has_schema_privilege(%(role)s, nspname, 'CREATE')
        UNION ALL
        SELECT 'CREATE on the database' WHERE has_database_privilege(%(role)s, current_database(), 'CREATE')
        """,
        {"role": role},
    ).fetchall()
    assert granted == []


def test_authenticator_can_only_become_the_client(admin_url: str) -> None:
    with psycopg.connect(authenticator_url(admin_url), autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as refused:
            conn.execute("SELECT pgq.channels()")  # NOINHERIT: nothing until it switches role
        assert refused.value.sqlstate == "42501"
        conn.execute("SET ROLE pgq_client")
        assert conn.execute("SELECT count(*) FROM pgq.channels()").fetchone() == (0,)
        with pytest.raises(psycopg.Error):
            conn.execute("SET ROLE postgres")


def test_the_gateway_reaches_the_admin_functions_by_set_role_only(gateway_dsn: str) -> None:
    with psycopg.connect(gateway_dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT pgq.configure('two', max_deliveries => 2)")
        conn.execute("SET ROLE pgq_admin")
        limits = conn.execute("SELECT max_deliveries FROM pgq.configure('two', max_deliveries => 2)")
        assert limits.fetchone() == (2,)
        assert conn.execute("SELECT pgq.purge('two')").fetchone() == (0,)
        assert conn.execute("SELECT max_deliveries FROM pgq.unconfigure('two')").fetchone() == (5,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET ROLE pgq_owner")


def test_postgrest_may_become_the_admin_but_never_the_owner(admin_url: str) -> None:
    with psycopg.connect(authenticator_url(admin_url), autocommit=True) as conn:
        conn.execute("SET ROLE pgq_admin")
        assert conn.execute("SELECT pgq.redrive('two')").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET ROLE pgq_owner")


def owner(admin: psycopg.Connection[tuple[object, ...]], signature: str) -> object:
    row = admin.execute("SELECT proowner::regrole::text FROM pg_proc WHERE oid = %s::regprocedure",
                        (signature,)).fetchone()
    return row[0] if row else None


def test_functions_a_later_change_creates_belong_to_the_owner(
    admin: psycopg.Connection[tuple[object, ...]]
) -> None:
    """A deploy runs as the superuser and a rework drops and creates its function again: each new
    object in pgq is handed to pgq_owner, so its SECURITY DEFINER code never runs as a superuser."""
    admin.execute("DROP FUNCTION pgq.channels()")
    admin.execute("""CREATE FUNCTION pgq.channels() RETURNS TABLE (channel text)
                     LANGUAGE sql SECURITY DEFINER RETURN current_user""")
    assert owner(admin, "pgq.channels()") == "pgq_owner"
    assert admin.execute("SELECT * FROM pgq.channels()").fetchone() == ("pgq_owner",)
    admin.execute("""CREATE OR REPLACE FUNCTION pgq.channels() RETURNS TABLE (channel text)
                     LANGUAGE sql SECURITY DEFINER RETURN session_user""")
    assert owner(admin, "pgq.channels()") == "pgq_owner"
    admin.execute("CREATE TABLE pgq.later (id bigint GENERATED ALWAYS AS IDENTITY)")
    assert admin.execute("SELECT string_agg(relowner::regrole::text, ',') FROM pg_class "
                         "WHERE relname IN ('later', 'later_id_seq')").fetchone() == ("pgq_owner,pgq_owner",)
    admin.execute("CREATE TABLE public.elsewhere (id int)")  # other schemas are left alone
    assert admin.execute("SELECT relowner::regrole::text FROM pg_class WHERE relname = 'elsewhere'"
                         ).fetchone() == ("postgres",)
