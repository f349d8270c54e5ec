"""schemathesis against /openapi.json, with the gateway served for real over a real database.

Positive cases follow the schema, negative ones break it (wrong types, missing
fields, out-of-range numbers, odd bytes). Whatever arrives, the answer is never
a 500, its status and body are the ones the schema documents, and a request the
schema rules out is refused with a 4xx. The positive run also checks positive_data_acceptance (2xx or 409 for
schema-valid data), except where the schema cannot state the database's rule: a `\u0000`
in a message (jsonb refuses it), a `dedup_window` (PostgreSQL's interval syntax), an
integer beyond 2^53, which a JSON Schema validator
compares as a double (9223372036854776000 passes `maximum: 9223372036854775807` there), or
the counts of a channel never seen (404).

In `make test` the generation is derandomized: the same tree draws the same cases, so CI answers the
same. `make fuzz` (PGQ_FUZZ=random) explores at random, with more cases; whatever it finds becomes a
fixed case in the suite (tests/gateway/test_input.py holds those found so far).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.core.result import Err

from support.localpg import Cluster, gateway_url
from support.serve import running_gateway
from tests.utils.client import ADMIN_TOKEN, bearer
from tests.utils.databases import drop_database, fresh_database

RANDOM = os.environ.get("PGQ_FUZZ") == "random"  # make fuzz
EXAMPLES = 300 if RANDOM else 30  # per operation and mode
REQUEST_TIMEOUT = 30  # seconds: a long poll may wait up to 20 (?wait=), plus the upstream timeout
BEYOND_DOUBLES = re.compile(r"(?<![\d.eE])-?\d{16,}(?![\d.eE])")  # integers past 2^53 among them
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture(scope="module")
def served(cluster: Cluster) -> Iterator[str]:
    url = fresh_database(cluster)
    try:
        with running_gateway(PGQ_DATABASE_URL=gateway_url(url), PGQ_MAINTAIN_INTERVAL="0",
                             PGQ_ADMIN_TOKEN=ADMIN_TOKEN) as gateway:
            yield gateway.url
    finally:
        drop_database(cluster, url)


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=str)
def test_no_500_and_nothing_off_schema(
    served: str, mode: schemathesis.GenerationMode, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = schemathesis.openapi.from_url(f"{served}/openapi.json")
    acceptance = PositiveDataAcceptanceConfig(expected_statuses=["2xx", 409])
    schema.config.checks.positive_data_acceptance = acceptance
    positive = mode is schemathesis.GenerationMode.POSITIVE
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # the schema itself is broken
        operation = result.ok()
        if mode is schemathesis.GenerationMode.NEGATIVE and not list(operation.iter_parameters()) \
                and not operation.get_request_payload_content_types():
            continue  # nothing to break in GET /channels, /healthz or /readyz

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case[Any]) -> None:
            response = case.call(timeout=REQUEST_TIMEOUT, headers=bearer(ADMIN_TOKEN))
            # 413 refuses an oversized body before it is read: a rejection schemathesis does not list.
            sent = json.dumps(case.body, default=str)
            unstated = "\\u0000" in sent or "dedup_window" in sent or BEYOND_DOUBLES.search(sent) is not None
            # A schema-valid channel nobody has used is a 404 by design on GET /channels/{channel}.
            unseen = response.status_code == 404 and case.operation.path == "/channels/{channel}"
            accepted = [checks.positive_data_acceptance] if positive and not unstated and not unseen else []
            applied = [check for check in CHECKS + accepted
                       if response.status_code != 413 or check is not checks.negative_data_rejection]
            case.validate_response(response, checks=applied)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            check()
        except Unsatisfiable:
            # Every value of a plain string path parameter is schema-valid: nothing to break.
            assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label
    tried = sum(statuses.values())
    summary = f"schemathesis ({mode}): {tried} requests, statuses {dict(sorted(statuses.items()))}"
    with capsys.disabled():
        print("\n" + summary)
    assert tried > 50
    assert not any(status >= 500 for status in statuses)
