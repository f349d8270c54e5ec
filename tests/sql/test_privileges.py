"""Least privilege, over real logins: what the gateway's role may and may not do."""

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


def test_authenticator_can_only_become_the_client(admin_url: str) -> None:
    password = role_passwords()["authenticator_password"]
    authenticator = "postgresql://authenticator:" + password + "@" + admin_url.split("@", 1)[1]
    with psycopg.connect(authenticator, autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as refused:
            conn.execute("SELECT pgq.channels()")  # NOINHERIT: nothing until it switches role
        assert refused.value.sqlstate == "42501"
        conn.execute("SET ROLE pgq_client")
        assert conn.execute("SELECT count(*) FROM pgq.channels()").fetchone() == (0,)
        with pytest.raises(psycopg.Error):
            conn.execute("SET ROLE postgres")
