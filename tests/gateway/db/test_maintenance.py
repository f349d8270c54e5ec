"""The gateway runs pgq.maintain() on its interval, so the archive is purged without pg_cron."""

from __future__ import annotations

from typing import Any

import psycopg

from gateway.core.config import Settings
from tests.utils.client import serve
from tests.utils.waiting import wait_for


def archived(admin: psycopg.Connection[Any]) -> list[int]:
    return [row[0] for row in admin.execute("SELECT id FROM pgq.archive ORDER BY id")]


def test_maintain_purges_the_old_archive(gateway_dsn: str, admin: psycopg.Connection[Any]) -> None:
    admin.execute("SELECT pgq.enqueue('two', '{}') FROM generate_series(1, 2)")
    old, recent = [row[0] for row in admin.execute("SELECT id FROM pgq.dequeue('two', 2)")]
    admin.execute("UPDATE pgq.archive SET consumed_at = now() - interval '30 days' WHERE id = %s", [old])
    assert archived(admin) == [old, recent]

    with serve(Settings(database_url=gateway_dsn, maintain_interval=0.2, metrics_cache_seconds=0)):
        wait_for(lambda: archived(admin) == [recent], "pgq.maintain() run", timeout=10)
