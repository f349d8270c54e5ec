"""PostgREST hears about every schema change: each DDL commit sends NOTIFY pgrst, 'reload schema'."""

from __future__ import annotations

import psycopg

from support.localpg import Cluster, psql, sqitch
from tests.utils.databases import drop_database
from tests.utils.notifications import committed_notifications


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


def test_only_ddl_on_pgq_objects_reloads(admin_url: str, gateway_dsn: str) -> None:
    """Every login may create temporary tables, and other applications share the database:
    none of that may make PostgREST reload. Dropping a pgq object does."""
    with psycopg.connect(admin_url, autocommit=True) as listener, \
         psycopg.connect(admin_url, autocommit=True) as dba, \
         psycopg.connect(gateway_dsn, autocommit=True) as gateway:
        listener.execute("LISTEN pgrst")
        gateway.execute("CREATE TEMP TABLE scratch (id int)")
        gateway.execute("DROP TABLE scratch")
        dba.execute("CREATE SCHEMA other_app")
        dba.execute("CREATE TABLE other_app.orders (id int)")
        dba.execute("COMMENT ON TABLE other_app.orders IS 'not ours'")
        dba.execute("DROP SCHEMA other_app CASCADE")
        assert reload_signals(listener, admin_url) == []

        dba.execute("CREATE FUNCTION pgq.later() RETURNS int LANGUAGE sql RETURN 1")
        assert reload_signals(listener, admin_url) == ["reload schema"]
        dba.execute("DROP FUNCTION pgq.later()")
        assert reload_signals(listener, admin_url) == ["reload schema"]
