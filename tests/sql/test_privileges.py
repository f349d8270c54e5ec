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


@pytest.mark.parametrize("role", ["pgq_gateway", "pgq_client", "authenticator"])
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
