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
    return psql(url, "SELECT schedule || ' ' || command || ' as ' || username FROM cron.job "
                     "WHERE jobname = 'pgq-maintain'")


def test_deploy_schedules_maintain_and_revert_unschedules_it(cron_cluster: Cluster) -> None:
    url = create_database(cron_cluster, DATABASE)
    psql(url, "CREATE EXTENSION pg_cron")

    sqitch("deploy", url, "--verify", quiet=True)
    assert job(url) == "* * * * * SELECT pgq.maintain() as pgq_maintainer"

    sqitch("revert", url, "-y", "--to", "@v1.2", quiet=True)
    assert job(url) == "* * * * * SELECT pgq.maintain() as postgres"

    sqitch("revert", url, "-y", quiet=True)
    assert job(url) == ""

    sqitch("deploy", url, "--verify", quiet=True)
    sqitch("deploy", url, "--verify", quiet=True)  # a no-op redeploy never schedules twice
    assert psql(url, "SELECT count(*) FROM cron.job WHERE jobname = 'pgq-maintain'") == "1"


def test_the_job_runs_as_a_login_that_may_only_maintain(cron_cluster: Cluster) -> None:
    url = create_database(cron_cluster, DATABASE)
    sqitch("deploy", url, quiet=True)
    assert psql(url, "SELECT rolcanlogin AND NOT rolinherit AND NOT rolsuper FROM pg_roles "
                     "WHERE rolname = 'pgq_maintainer'") == "t"
    assert psql(url, "SELECT string_agg(p.oid::regprocedure::text, ',') FROM pg_proc AS p "
                     "WHERE p.pronamespace = 'pgq'::regnamespace "
                     "AND has_function_privilege('pgq_maintainer', p.oid, 'EXECUTE')") == "pgq.maintain()"
    # What the job does, as the job's role.
    assert psql(url, "SET ROLE pgq_maintainer; SELECT pgq.maintain() ? 'archive_purged'") == "t"
