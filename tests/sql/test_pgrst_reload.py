"""PostgREST hears about every schema change: each DDL commit sends NOTIFY pgrst, 'reload schema'."""

from __future__ import annotations

import psycopg

from support.localpg import Cluster, psql, sqitch
from tests.conftest import drop_database
from tests.notifications import committed_notifications


def reload_signals(listener: psycopg.Connection[tuple[object, ...]], url: str) -> list[str]:
    return committed_notifications(listener, "pgrst", url)


def test_a_deploy_tells_postgrest_to_reload(cluster: Cluster) -> None:
    psql(cluster.url, "DROP DATABASE IF EXISTS pgq_reload WITH (FORCE)")
    psql(cluster.url, "CREATE DATABASE pgq_reload")
    url = cluster.url_for("pgq_reload")
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute("LISTEN pgrst")
        sqitch("deploy", url, quiet=True)
        assert "reload schema" in reload_signals(listener, url)
    drop_database(cluster, url)


def test_any_later_ddl_tells_postgrest_to_reload(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as listener, \
         psycopg.connect(admin_url, autocommit=True) as dba:
        listener.execute("LISTEN pgrst")
        assert reload_signals(listener, admin_url) == []
        dba.execute("COMMENT ON FUNCTION pgq.channels() IS 'a DBA edits the API description'")
        assert reload_signals(listener, admin_url) == ["reload schema"]
