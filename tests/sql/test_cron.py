"""Where pg_cron is installed, the deploy schedules pgq.maintain() every minute."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.localpg import Cluster, create_database, psql, scratch_cluster, sqitch

DATABASE = "pgq_cron"


@pytest.fixture(scope="module")
def cron_cluster() -> Iterator[Cluster]:
    owned = scratch_cluster("cron", "shared_preload_libraries=pg_cron", f"cron.database_name={DATABASE}")
    owned.start()
    try:
        yield owned
    finally:
        owned.remove()


def job(url: str) -> str:
    return psql(url, "SELECT schedule || ' ' || command FROM cron.job WHERE jobname = 'pgq-maintain'")


def test_deploy_schedules_maintain_and_revert_unschedules_it(cron_cluster: Cluster) -> None:
    url = create_database(cron_cluster, DATABASE)
    psql(url, "CREATE EXTENSION pg_cron")

    sqitch("deploy", url, "--verify", quiet=True)
    assert job(url) == "* * * * * SELECT pgq.maintain()"

    sqitch("revert", url, "-y", quiet=True)
    assert job(url) == ""

    sqitch("deploy", url, "--verify", quiet=True)
    sqitch("deploy", url, "--verify", quiet=True)  # a no-op redeploy never schedules twice
    assert psql(url, "SELECT count(*) FROM cron.job WHERE jobname = 'pgq-maintain'") == "1"
