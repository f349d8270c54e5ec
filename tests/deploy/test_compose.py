"""docker-compose.yml, .env.example and the images, checked without a Docker engine."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.localpg import REPO, SUPERUSER_PASSWORD, Cluster, psql, role_passwords
from tests.conftest import drop_database
from tests.deploy.images import copy_build_files, exec_form

COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
LONG_RUNNING = ("postgres", "postgrest", "gateway", "prometheus", "grafana")


def compose_config(env_file: Path) -> dict[str, Any]:
    """The file as Compose resolves it, from a bare environment and ENV_FILE only."""
    result = subprocess.run(
        ["docker-compose", "--env-file", str(env_file), "-f", str(COMPOSE), "config"],
        env={"PATH": os.environ["PATH"]}, cwd=REPO, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert isinstance(config, dict)
    return config


def published_ports(service: dict[str, Any]) -> set[int]:
    """Host ports; docker-compose 1.x keeps "IP:HOST:CONTAINER/proto" strings when a host IP is given."""
    ports = set()
    for port in service.get("ports", []):
        ports.add(int(port["published"]) if isinstance(port, dict) else int(port.split(":")[-2]))
    return ports


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Resolved with an empty .env: `docker compose up -d` must work from a bare clone."""
    empty = tmp_path_factory.mktemp("compose") / ".env"
    empty.write_text("")
    return compose_config(empty)


def test_compose_file_is_valid_for_docker_compose() -> None:
    result = subprocess.run(["docker-compose", "-f", str(COMPOSE), "config", "-q"],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_compose_file_matches_the_compose_specification() -> None:
    result = subprocess.run(
        [str(REPO / ".venv/bin/check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_env_example_holds_exactly_the_compose_defaults(config: dict[str, Any]) -> None:
    defaults = dict(re.findall(r"\$\{(\w+):-([^}]*)\}", COMPOSE.read_text()))
    example = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert example == defaults
    # And so a .env copied from the example changes nothing.
    assert compose_config(ENV_EXAMPLE) == config


def test_long_running_services_have_healthchecks_and_wait_for_the_migration(config: dict[str, Any]) -> None:
    services = config["services"]
    assert set(services) == {*LONG_RUNNING, "migrate"}
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
    for name in ("postgrest", "gateway"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["migrate"]["restart"] == "no"


def test_images_are_pinned(config: dict[str, Any]) -> None:
    services = config["services"]
    assert services["postgres"]["image"] == "postgres:17"
    for name in ("postgrest", "prometheus", "grafana"):
        image = services[name]["image"]
        assert re.fullmatch(r"[\w./-]+:v?\d+(\.\d+)+", image), image
    # `postgrest --ready`, the healthcheck, exists from PostgREST v14 on.
    major = int(re.search(r":v(\d+)", services["postgrest"]["image"]).group(1))  # type: ignore[union-attr]
    assert major >= 14
    assert services["postgrest"]["healthcheck"]["test"] == ["CMD", "postgrest", "--ready"]


def test_postgrest_serves_schema_pgq_as_the_anonymous_client_role(config: dict[str, Any]) -> None:
    postgrest = config["services"]["postgrest"]
    env = postgrest["environment"]
    assert env["PGRST_DB_SCHEMAS"] == "pgq"
    assert env["PGRST_DB_ANON_ROLE"] == "pgq_client"
    assert env["PGRST_DB_URI"].startswith("postgres://authenticator:")
    # --ready refuses the wildcard hosts (*, !4, ...) and Prometheus scrapes from another container.
    assert env["PGRST_ADMIN_SERVER_HOST"] == "0.0.0.0"
    assert str(env["PGRST_ADMIN_SERVER_PORT"]) == "3001"
    published = published_ports(postgrest)
    assert published and 3000 not in published  # Grafana's port


def test_published_ports_are_the_documented_ones(config: dict[str, Any]) -> None:
    published = {name: published_ports(service) for name, service in config["services"].items()}
    assert published == {
        "postgres": {5432}, "migrate": set(), "postgrest": {3001},
        "gateway": {8000}, "prometheus": {9090}, "grafana": {3000},
    }
    assert config["services"]["gateway"]["environment"]["PGQ_POSTGREST_URL"] == "http://postgrest:3000"


def test_gateway_image_runs_as_an_unprivileged_user() -> None:
    dockerfile = (REPO / "gateway/Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")


def test_migrate_image_deploys_from_only_the_files_it_copies(cluster: Cluster, tmp_path: Path) -> None:
    """Run the migrate image's ENTRYPOINT, in a folder holding only what its COPY lines take."""
    dockerfile = REPO / "docker/migrate/Dockerfile"
    copy_build_files(dockerfile, tmp_path)
    name = "pgq_migrate_image"
    psql(cluster.url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(cluster.url, f"CREATE DATABASE {name}")
    passwords = role_passwords()  # roles are cluster-wide: keep the session's passwords
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SQITCH_TARGET": f"db:pg://postgres@127.0.0.1:{cluster.port}/{name}",
        "SQITCH_PASSWORD": SUPERUSER_PASSWORD,
        "PGQ_AUTHENTICATOR_PASSWORD": passwords["authenticator_password"],
        "PGQ_GATEWAY_PASSWORD": passwords["gateway_password"],
    }
    try:
        result = subprocess.run(exec_form(dockerfile, "ENTRYPOINT"), cwd=tmp_path, env=env,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        url = cluster.url_for(name)
        assert psql(url, "SELECT count(*) > 0 FROM sqitch.changes") == "t"
        assert psql(url, "SELECT pgq.enqueue('two', '{\"seq\": 1}') > 0") == "t"
    finally:
        drop_database(cluster, cluster.url_for(name))
