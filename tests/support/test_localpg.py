"""The local-cluster helper: `make db` against an existing server named by PGQ_DATABASE_URL."""

from __future__ import annotations

import os
import subprocess
import sys

from support.localpg import REPO, Cluster, psql, sync_passwords


def test_pgq_database_url_deploys_to_that_server_instead(cluster: Cluster) -> None:
    psql(cluster.url, "DROP DATABASE IF EXISTS pgq_existing WITH (FORCE)")
    psql(cluster.url, "CREATE DATABASE pgq_existing")
    url = cluster.url_for("pgq_existing")
    env = {**os.environ, "PGQ_DATABASE_URL": url}

    deployed = subprocess.run([sys.executable, "-m", "support.localpg", "db"], cwd=REPO, env=env,
                              capture_output=True, text=True, check=True)
    assert deployed.stdout.strip().splitlines()[-1] == url
    assert psql(url, "SELECT pgq.enqueue('two', '{}') > 0") == "t"

    printed = subprocess.run([sys.executable, "-m", "support.localpg", "url"], cwd=REPO, env=env,
                             capture_output=True, text=True, check=True)
    assert printed.stdout.strip() == url
    psql(cluster.url, "DROP DATABASE pgq_existing WITH (FORCE)")


def test_pgq_admin_url_deploys_there_and_serves_the_gateway_role(cluster: Cluster) -> None:
    psql(cluster.url, "DROP DATABASE IF EXISTS pgq_admin WITH (FORCE)")
    psql(cluster.url, "CREATE DATABASE pgq_admin")
    admin = cluster.url_for("pgq_admin")
    env = {**os.environ, "PGQ_ADMIN_URL": admin, "PGQ_GATEWAY_PASSWORD": "rotated-secret"}
    try:
        deployed = subprocess.run([sys.executable, "-m", "support.localpg", "db"], cwd=REPO, env=env,
                                  capture_output=True, text=True, check=True)
        printed = deployed.stdout.strip().splitlines()[-1]
        assert printed.startswith("postgresql://pgq_gateway:rotated-secret@")
        # A changed password reaches the role even though the roles change ran long ago.
        assert psql(printed, "SELECT current_user") == "pgq_gateway"
    finally:
        sync_passwords(cluster.url)  # the session's other tests log in with the defaults
    psql(cluster.url, "DROP DATABASE pgq_admin WITH (FORCE)")
