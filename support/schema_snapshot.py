"""The deployed pgq schema as text, for the schema-drift check.

`make schema-snapshot` writes sql/pgq.schema.sql from a fresh deploy; a test
deploys again and compares. A change to the schema that the snapshot does not
show (a hand edit, a forgotten GRANT, a rework that drifts) fails the test,
and every intended change shows up in review as a diff of that file.
"""

from __future__ import annotations

import subprocess

from support.localpg import REPO, create_database, scratch_cluster, sqitch

SNAPSHOT = REPO / "sql" / "pgq.schema.sql"


def dump(url: str) -> str:
    """pg_dump of schema pgq without the lines that vary between runs and versions."""
    text = subprocess.run(
        ["pg_dump", "--schema-only", "--schema=pgq", "--no-owner", url],
        capture_output=True, text=True, check=True,
    ).stdout
    varying = ("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict")
    kept = [line for line in text.splitlines() if line.strip() and not line.startswith(varying)]
    return "\n".join(kept) + "\n"


def deployed_schema() -> str:
    cluster = scratch_cluster("snapshot")
    cluster.start()
    try:
        url = create_database(cluster, "pgq_snapshot")
        sqitch("deploy", url, quiet=True)
        return dump(url)
    finally:
        cluster.remove()


if __name__ == "__main__":
    SNAPSHOT.write_text(deployed_schema())
    print(f"wrote {SNAPSHOT.relative_to(REPO)}")
