"""Databases for tests, on clusters they own: each a clone of the deployed template (tests/conftest.py
deploys it once per session), dropped by name."""

from __future__ import annotations

import uuid

from support.localpg import Cluster, psql

TEMPLATE = "pgq_template"


def fresh_database(cluster: Cluster) -> str:
    """A new database cloned from the deployed template; returns its superuser URL."""
    name = f"pgq_{uuid.uuid4().hex[:12]}"
    psql(cluster.url, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    return cluster.url_for(name)


def drop_database(cluster: Cluster, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    psql(cluster.url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
