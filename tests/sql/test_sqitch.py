"""The sqitch project: deploy, revert to empty, deploy again; roles shared across databases."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from support.localpg import REPO, Cluster, gateway_url, psql, sqitch
from support.schema_snapshot import SNAPSHOT, dump
from tests.utils.databases import drop_database


@pytest.fixture
def empty_url(cluster: Cluster) -> str:
    name = "pgq_roundtrip"
    psql(cluster.url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(cluster.url, f"CREATE DATABASE {name}")
    return cluster.url_for(name)


def pgq_objects(url: str) -> str:
    return psql(url, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgq'")


def enqueue_and_dequeue(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pgq.enqueue('two', '{\"seq\": 1}')")
        row = conn.execute("SELECT message->>'seq' FROM pgq.dequeue('two')").fetchone()
    assert row is not None
    return str(row[0])


def test_deploy_revert_deploy_round_trip_keeps_the_roles_another_database_uses(
    cluster: Cluster, empty_url: str
) -> None:
    sqitch("deploy", empty_url, "--verify", quiet=True)
    assert pgq_objects(empty_url) == "1"
    assert enqueue_and_dequeue(gateway_url(empty_url)) == "1"

    sqitch("revert", empty_url, "-y", quiet=True)
    assert pgq_objects(empty_url) == "0"
    assert psql(empty_url, "SELECT count(*) FROM sqitch.changes WHERE project = 'pgqueue'") == "0"
    # The session's template database still holds a deployment on this cluster: its roles stay.
    roles = psql(cluster.url, "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles "
                              "WHERE rolname IN ('pgq_client', 'pgq_gateway', 'authenticator')")
    assert roles == "authenticator,pgq_client,pgq_gateway"

    # ... and redeploying over the surviving roles works.
    sqitch("deploy", empty_url, "--verify", quiet=True)
    assert enqueue_and_dequeue(gateway_url(empty_url)) == "1"
    drop_database(cluster, empty_url)


def test_deploy_without_passwords_fails_clearly(empty_url: str) -> None:
    target = "db:" + empty_url.replace("postgresql://", "pg://", 1)
    result = subprocess.run(["sqitch", "deploy", target], cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0
    assert "authenticator_password is not set" in result.stdout + result.stderr
    assert pgq_objects(empty_url) == "0"


def test_verify_passes_on_a_deployed_database(admin_url: str) -> None:
    sqitch("verify", admin_url, quiet=True)


def test_plan_tags_the_first_release() -> None:
    plan = (REPO / "sqitch.plan").read_text()
    assert "\n@v1.0 " in plan


def test_rework_copies_old_scripts_under_sql(tmp_path: Path) -> None:
    """`sqitch rework` must keep the old scripts under sql/reworked, not in a stray deploy/."""
    for name in ("sqitch.conf", "sqitch.plan"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "sql", tmp_path / "sql")
    env = {**os.environ, "SQITCH_FULLNAME": "pgQueue test", "SQITCH_EMAIL": "test@pgqueue.dev"}

    scripts = tmp_path / "sql"
    before = set(scripts.rglob("*.sql"))
    subprocess.run(["sqitch", "rework", "functions/channels", "-n", "rework test"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    copies = {str(p.relative_to(scripts)).split("@")[0] for p in set(scripts.rglob("*.sql")) - before}
    assert copies == {f"reworked/{kind}/functions/channels" for kind in ("deploy", "revert", "verify")}
    assert not (tmp_path / "deploy").exists()


def test_deployed_schema_matches_the_snapshot(admin_url: str) -> None:
    """Schema drift: a fresh deploy must dump exactly as sql/pgq.schema.sql (`make schema-snapshot`)."""
    assert dump(admin_url) == SNAPSHOT.read_text()


def test_revert_and_redeploy_leave_no_drift(cluster: Cluster, empty_url: str) -> None:
    sqitch("deploy", empty_url, quiet=True)
    first = dump(empty_url)
    sqitch("revert", empty_url, "-y", "--to", "@v1.0", quiet=True)
    sqitch("deploy", empty_url, quiet=True)
    assert dump(empty_url) == first
    drop_database(cluster, empty_url)


def test_upgrading_the_previous_release_matches_a_fresh_deploy(cluster: Cluster, empty_url: str) -> None:
    """A database at @v1.4, with messages in it, upgraded to HEAD dumps exactly as the snapshot."""
    sqitch("deploy", empty_url, "--to", "@v1.4", quiet=True)
    with psycopg.connect(gateway_url(empty_url), autocommit=True) as conn:
        conn.execute("SELECT pgq.enqueue('two', '{\"seq\": 1}')")
    sqitch("deploy", empty_url, "--verify", quiet=True)
    assert dump(empty_url) == SNAPSHOT.read_text()
    assert enqueue_and_dequeue(gateway_url(empty_url)) == "1"
    drop_database(cluster, empty_url)


CREATED_FUNCTION = re.compile(
    r"CREATE (?:OR REPLACE )?FUNCTION pgq\.(\w+)\(.*?\)\s*RETURNS .*?\n(?:AS|RETURN) ", re.S
)


def defined_in_sql_functions() -> dict[str, list[str]]:
    """Each function name under sql/functions/, with the deploy files that define it."""
    files: dict[str, list[str]] = {}
    for path in sorted((REPO / "sql" / "functions").glob("*.sql")):
        for name in {match[1] for match in CREATED_FUNCTION.finditer(path.read_text())}:
            files.setdefault(name, []).append(path.name)
    return files


def test_every_function_has_one_current_file(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    """Each deployed pgq function is defined in exactly one file under sql/functions/, and each of
    those files belongs to the plan's latest instance of its change: the current definition."""
    deployed = {name for (name,) in admin.execute(
        "SELECT proname FROM pg_proc WHERE pronamespace = 'pgq'::regnamespace").fetchall()}
    files = defined_in_sql_functions()
    assert set(files) == deployed
    assert {name: paths for name, paths in files.items() if len(paths) != 1} == {}
    plan = (REPO / "sqitch.plan").read_text()
    assert all(f"\nfunctions/{Path(paths[0]).stem} " in plan for paths in files.values())


def test_the_current_file_states_who_runs_the_function(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    """SECURITY DEFINER is part of a definition: the file says so exactly where the database does."""
    definers = {name for (name,) in admin.execute(
        "SELECT proname FROM pg_proc WHERE pronamespace = 'pgq'::regnamespace AND prosecdef").fetchall()}
    stated = set()
    for path in (REPO / "sql" / "functions").glob("*.sql"):
        for match in CREATED_FUNCTION.finditer(path.read_text()):
            if "SECURITY DEFINER" in match[0]:
                stated.add(match[1])
    assert stated == definers
