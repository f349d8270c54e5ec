"""Run the pgTAP suite in sql/tests with pg_prove.

By default on a throwaway cluster and database that this run creates, deploys
with sqitch and removes afterwards; with --url, on a database that is already
deployed (the container workflow points it at the compose Postgres).
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from support.localpg import REPO, create_database, psql, scratch_cluster, sqitch


def prove(url: str) -> int:
    psql(url, "CREATE EXTENSION IF NOT EXISTS pgtap")
    tests = sorted(str(path.relative_to(REPO)) for path in (REPO / "sql" / "tests").glob("*.sql"))
    return subprocess.run(["pg_prove", "--dbname", url, *tests], cwd=REPO).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an already deployed database to test instead of a throwaway one")
    args = parser.parse_args()
    if args.url:
        sys.exit(prove(args.url))
    cluster = scratch_cluster("prove")
    cluster.start()
    try:
        url = create_database(cluster, "pgq_prove")
        sqitch("deploy", url, "--verify", quiet=True)
        sys.exit(prove(url))
    finally:
        cluster.remove()


if __name__ == "__main__":
    main()
