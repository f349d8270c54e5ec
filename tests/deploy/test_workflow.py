"""The container CI workflow: valid for GitHub, and running what it promises."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import yaml

from support.localpg import REPO

WORKFLOW = REPO / ".github/workflows/ci.yml"


def test_workflow_matches_the_github_workflow_schema() -> None:
    result = subprocess.run(
        [str(REPO / ".venv/bin/check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         str(WORKFLOW)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_make_test_and_the_compose_stack_checks() -> None:
    jobs: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    scripts = {name: "\n".join(step.get("run", "") for step in job["steps"]) for name, job in jobs.items()}
    assert ".ci/run" in scripts["test"]
    compose = scripts["compose"]
    ordered = [
        "docker compose up -d --build --scale gateway=2", "support.pgtap --url", "pytest tests/gateway",
        "performance/load-test.js", "count(sum by (instance) (http_requests_total{",
    ]
    positions = [compose.index(needle) for needle in ordered]
    assert positions == sorted(positions)
    assert 'test "$(docker compose ps -q gateway | wc -l)" = 2' in compose
    assert "for container in $(docker compose ps -q" in compose, "every replica's health, not the first one's"
    assert "--wait" not in compose  # docker/compose#10596: one-shot migrate makes --wait fail
    logs = [step for step in jobs["compose"]["steps"] if "docker compose logs" in step.get("run", "")]
    assert [step["if"] for step in logs] == ["failure()"]
    steps = jobs["compose"]["steps"]
    gateway_tests = next(step for step in steps if "pytest tests/gateway" in step.get("run", ""))
    assert gateway_tests["env"]["PGQ_TEST_POSTGREST_URL"] == "http://127.0.0.1:3001"


def test_workflow_variables_are_not_stuck_in_single_quotes() -> None:
    """The runner's shell expands `$NAME` only outside single quotes."""
    jobs: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    for name, job in jobs.items():
        for variable in job.get("env", {}):
            for step in job["steps"]:
                quoted = re.search(rf"'[^'\n]*\$\{{?{variable}\b[^'\n]*'", step.get("run", ""))
                assert quoted is None, f"{name}: ${variable} is never expanded in {quoted.group(0)}"
