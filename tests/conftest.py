"""Shared fixtures: every test runs on PostgreSQL clusters and databases it owns.

A server named by PGQ_DATABASE_URL is never touched: the variable is dropped
before any test runs, so nothing below can fall back to it. So is every other
gateway setting (Settings() reads the environment): a token or pool size a
developer exported never reaches a test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest

from gateway.core.config import ENV_PREFIX, Settings
from support.localpg import Cluster, gateway_url, psql, scratch_cluster, sqitch
from tests.utils.databases import TEMPLATE, drop_database, fresh_database

for _name in Settings.model_fields:
    os.environ.pop(f"{ENV_PREFIX}{_name}".upper(), None)

@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """One throwaway cluster for the session, with a deployed template database."""
    owned = scratch_cluster("pytest")
    owned.start()
    try:
        psql(owned.url, f"CREATE DATABASE {TEMPLATE}")
        sqitch("deploy", owned.url_for(TEMPLATE), "--verify", quiet=True)
        yield owned
    finally:
        owned.remove()


@pytest.fixture
def admin_url(cluster: Cluster) -> Iterator[str]:
    """A fresh, deployed database of this test's own, as the superuser."""
    url = fresh_database(cluster)
    yield url
    drop_database(cluster, url)


@pytest.fixture
def gateway_dsn(admin_url: str) -> str:
    """The same database, logged in as the gateway's role (pgq_gateway)."""
    return gateway_url(admin_url)


@pytest.fixture
def admin(admin_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        yield conn
