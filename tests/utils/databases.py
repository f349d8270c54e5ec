"""Databases for tests, on clusters they own: each a clone of the deployed template (tests/conftest.py
deploys it once per session), dropped by name. Over psycopg: no psql process per test."""

from __future__ import annotations

import uuid

import psycopg
from psycopg import sql

from support.localpg import Cluster

TEMPLATE = "pgq_template"


def _run(cluster: Cluster, statement: sql.Composed) -> None:
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(statement)


def fresh_database(cluster: Cluster) -> str:
    """A new database cloned from the deployed template; returns its superuser URL."""
    name = f"pgq_{uuid.uuid4().hex[:12]}"
    create = sql.SQL("CREATE DATABASE {} TEMPLATE {}")
    _run(cluster, create.format(sql.Identifier(name), sql.Identifier(TEMPLATE)))
    return cluster.url_for(name)


def drop_database(cluster: Cluster, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _run(cluster, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
