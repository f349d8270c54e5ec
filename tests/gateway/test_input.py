"""No input breaks an answer (issue 19): numbers are bounded before they are built, types are strict,
mistakes are refused by name, and every error speaks HTTP's names, whoever found it."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from gateway.bounds import HTTP_MAX_OFFSET
from gateway.core.exactjson import NUMERIC_FRACTION_DIGITS, NUMERIC_INTEGER_DIGITS, NumberOutOfRange, bounded
from support.serve import running_gateway
from tests.utils.client import assert_status

RECEIPT = "00000000-0000-0000-0000-000000000000"
# Reproduction 2: 99 bytes that held the event loop for seconds and took hundreds of MB.
STALLING = [
    f'{{"id":1,"receipt":"{RECEIPT}","x":[1e200000000,1e200000000,1e200000000]}}',
    f'{{"id":1,"receipt":"{RECEIPT}","x":1e999999999}}',
]

HEALTHZ_DEADLINE = 1.0  # seconds


def test_numbers_numeric_cannot_hold_are_refused_without_holding_the_loop(gateway_dsn: str) -> None:
    with running_gateway(PGQ_DATABASE_URL=gateway_dsn, PGQ_MAINTAIN_INTERVAL="0") as gateway:
        for body in STALLING:
            answers: list[httpx.Response] = []

            def send(body: str = body, answers: list[httpx.Response] = answers) -> None:
                headers = {"content-type": "application/json"}
                url = f"{gateway.url}/queue/a/ack"
                answers.append(httpx.post(url, content=body, headers=headers, timeout=60))

            sender = threading.Thread(target=send)
            sender.start()
            time.sleep(0.2)  # the body is on its way, or being parsed
            started = time.monotonic()
            assert httpx.get(f"{gateway.url}/healthz", timeout=60).status_code == 200
            answered = time.monotonic() - started
            sender.join()
            assert_status(answers[0], 400, "number out of range", "numeric")
            # On main this waited seconds. The deadline is generous: on this shared machine a plain
            # /healthz took up to 0.25 s under load.
            assert answered < HEALTHZ_DEADLINE, f"/healthz waited {answered:.2f} s behind {body}"


# The largest and smallest magnitudes numeric holds, and one digit past each.
HELD = [
    f"1e{NUMERIC_INTEGER_DIGITS - 1}",
    f"-9.5e{NUMERIC_INTEGER_DIGITS - 2}",
    f"1e-{NUMERIC_FRACTION_DIGITS}",
    "0." + "0" * NUMERIC_FRACTION_DIGITS,
    "0e999999",
    "12.5e-3",
    "-0",
]
BEYOND = [
    f"1e{NUMERIC_INTEGER_DIGITS}",
    f"10e{NUMERIC_INTEGER_DIGITS - 1}",
    f"1e-{NUMERIC_FRACTION_DIGITS + 1}",
    "0." + "0" * (NUMERIC_FRACTION_DIGITS + 1),
    "1" * (NUMERIC_INTEGER_DIGITS + 1),
    "1e999999999",
    "1e-99999999999999999999",
    "0e99999999999",
]


def test_the_bound_is_numerics_own(admin: psycopg.Connection[Any]) -> None:
    """What the gateway lets through, jsonb stores; what it refuses, jsonb refuses too."""
    for text in HELD:
        assert bounded(text) == text
        admin.execute("SELECT %s::jsonb", [text])
    for text in BEYOND:
        with pytest.raises(NumberOutOfRange):
            bounded(text)
        with pytest.raises(psycopg.Error), admin.transaction():
            admin.execute("SELECT %s::jsonb", [text])


@pytest.mark.parametrize(
    ("method", "path", "body", "words"),
    [
        (
            "PATCH",
            "/channels/E/settings",
            {"max_deliveries": True},
            ["max_deliveries", "valid integer", "true"],
        ),
        (
            "PATCH",
            "/channels/E/settings",
            {"max_deliveries": "3"},
            ["max_deliveries", "valid integer", '"3"'],
        ),
        ("POST", "/message", {"channel": "C", "message": {}, "delay": "10"}, ["delay", "valid integer"]),
        ("POST", "/queue/C/ack", {"id": "7430150", "receipt": RECEIPT}, ["id", "valid integer", '"7430150"']),
    ],
    ids=["bool-for-int", "string-for-int", "string-delay", "string-id"],
)
def test_types_are_strict(
    direct: TestClient, method: str, path: str, body: dict[str, Any], words: list[str]
) -> None:
    assert_status(direct.request(method, path, json=body), 400, *words)


def test_a_number_without_a_fraction_is_an_integer(direct: TestClient) -> None:
    """As JSON Schema counts them (the fuzz run's positive cases send 7.0 for an integer)."""
    assert_status(direct.post("/queue/C/ack", json={"id": 7.0, "receipt": RECEIPT}), 409, "message 7 ")
    assert direct.post("/message", json={"channel": "C", "message": {}, "delay": 1.0}).status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "body", "words"),
    [
        ("PATCH", "/channels/C/settings", {"max_delivery": 3}, ["max_delivery: unknown field, got 3"]),
        ("POST", "/queue/C/ack", {"id": 1, "receipt": RECEIPT, "extra": 1}, ["extra: unknown field"]),
        (
            "POST",
            "/queue/C/nack",
            {"id": 1, "receipt": RECEIPT, "delay_seconds": 5},
            ["delay_seconds: unknown"],
        ),
        ("POST", "/messages", {"channel": "C", "messages": [{}], "delay": 5}, ["delay: unknown field"]),
        (
            "POST",
            "/message",
            {"channel": "C", "message": {}, "delay_seconds": 60},
            ["delay_seconds", "is delay"],
        ),
        ("POST", "/message", {"channel": "C", "message": {}, "take": 2}, ["take", "HTTP name is count"]),
        ("GET", "/queue/C?take=5", None, ["take: unknown query parameter", "HTTP name is count"]),
        ("GET", "/messages?channel=C&skip=5", None, ["skip", "HTTP name is offset"]),
        ("GET", "/messages?channel=C&take=5", None, ["take", "HTTP name is limit"]),
        ("GET", "/dead-letters?channel=C&sort=id", None, ["sort: unknown query parameter", "'id'"]),
        ("POST", "/queue/C/ack?now=1", {"id": 1, "receipt": RECEIPT}, ["now: unknown query parameter"]),
    ],
    ids=[
        "settings",
        "ack",
        "nack",
        "batch",
        "delay_seconds",
        "take-body",
        "take",
        "skip",
        "take-list",
        "dead-letters",
        "ack-query",
    ],
)
def test_mistakes_are_refused_by_name(
    direct: TestClient,
    admin: psycopg.Connection[Any],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    words: list[str],
) -> None:
    direct.post("/message", json={"channel": "C", "message": {"seq": 1}})
    assert_status(direct.request(method, path, json=body), 400, *words)
    assert admin.execute("SELECT count(*) FROM pgq.queue").fetchone() == (1,), "nothing done"
    assert admin.execute("SELECT count(*) FROM pgq.channel_settings").fetchone() == (0,)


def test_the_original_routes_keep_their_tolerance(direct: TestClient) -> None:
    """As the original app: an unknown field of POST /message or parameter of GET /queue is ignored."""
    assert direct.post("/message", json={"channel": "C", "message": {}, "priority": 1}).status_code == 201
    assert direct.get("/queue/C?format=json").status_code == 200


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("visibility=0", ["visibility must be between 1 and 43200, got 0"]),  # the database's words
        ("visibility=30s", ["visibility: Input should be a valid integer", '"30s"']),  # the gateway's
        ("count=0", ["count: Input should be greater than or equal to 1", 'got "0"']),
        ("wait=x", ["wait:", '"x"']),
    ],
)
def test_errors_name_the_http_parameter_the_rule_and_the_value(
    client: TestClient, channel: str, query: str, words: list[str]
) -> None:
    text = assert_status(client.get(f"/queue/{channel}?{query}"), 400, *words)
    assert "_seconds" not in text and "take" not in text


def test_a_body_without_a_json_content_type_is_told_so(direct: TestClient) -> None:
    response = direct.post(
        "/queue/C/ack", content=f'{{"id":1,"receipt":"{RECEIPT}"}}', headers={"content-type": "text/plain"}
    )
    assert_status(response, 400, "the body must be JSON", "text/plain", "application/json")


def test_malformed_json_gives_its_position(direct: TestClient) -> None:
    response = direct.post(
        "/message",
        content='{"channel": "C", "message": {"a": 1,}}',
        headers={"content-type": "application/json"},
    )
    assert_status(response, 400, "malformed JSON at character 36")


@pytest.mark.parametrize("path", ["/messages", "/dead-letters"])
def test_offset_is_bounded(direct: TestClient, path: str) -> None:
    """`?offset=2147483647` held a pooled connection for seconds walking the channel: now a 400."""
    text = assert_status(direct.get(path, params={"channel": "C", "offset": 2**31 - 1}), 400, "offset")
    assert f"less than or equal to {HTTP_MAX_OFFSET}" in text
    assert direct.get(path, params={"channel": "C", "offset": HTTP_MAX_OFFSET}).status_code == 204
