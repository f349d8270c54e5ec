"""Messages travel exactly: every number comes back as jsonb stores it, and one nesting limit refuses
a message too deep with 400, alone, on both backends."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
from fastapi.testclient import TestClient

from gateway.bounds import MAX_MESSAGE_DEPTH
from tests.utils.client import assert_status

# Beyond a 64-bit integer, beyond a double's 17 digits, and a scale jsonb keeps (0.10 is not 0.1).
NUMBERS = {
    "big": "1180591620717411303424",
    "negative": "-98765432109876543210987654321",
    "precise": "0.1000000000000000055511151231257827",
    "scale": "0.10",
    "small": "7",
    "tiny": "-0.000000000000000000000000000001",
}
RAW = "{" + ",".join(f'"{key}":{text}' for key, text in NUMBERS.items()) + "}"


def assert_exact(text: str) -> None:
    for key, number in NUMBERS.items():
        assert f'"{key}": {number}' in text, f"{key} changed on the way: {text}"  # as jsonb writes it


def post_raw(client: TestClient, path: str, body: str) -> httpx.Response:
    response: httpx.Response = client.post(path, content=body, headers={"content-type": "application/json"})
    return response


def test_numbers_come_back_exactly(client: TestClient, channel: str) -> None:
    one = post_raw(client, "/message", f'{{"channel":"{channel}","message":{RAW}}}')
    assert one.status_code == 201, one.text
    many = post_raw(client, "/messages", f'{{"channel":"{channel}","messages":[{RAW},{RAW}]}}')
    assert many.status_code == 201, many.text
    assert_exact(client.get("/messages", params={"channel": channel}).text)
    assert_exact(client.get(f"/queue/{channel}").text)
    assert_exact(client.get(f"/queue/{channel}", params={"count": 2, "visibility": 30}).text)


def test_an_exponent_comes_back_as_jsonb_writes_it(direct: TestClient,
                                                   admin: psycopg.Connection[Any]) -> None:
    huge = "1" + "0" * 40
    body = '{"channel":"exp","message":{"e":1E+2,"f":2.5e-3,"huge":1e40}}'
    assert post_raw(direct, "/message", body).status_code == 201
    row = admin.execute("SELECT message::text FROM pgq.queue WHERE channel = 'exp'").fetchone()
    assert row and row[0] == f'{{"e": 100, "f": 0.0025, "huge": {huge}}}'
    assert f'"e": 100, "f": 0.0025, "huge": {huge}' in direct.get("/queue/exp").text


def nested(levels: int) -> dict[str, Any]:
    """An object nested `levels` deep: {} is 1, {"a": {}} is 2."""
    message: dict[str, Any] = {}
    for _ in range(levels - 1):
        message = {"a": message}
    return message


def test_one_nesting_limit_refuses_only_the_deep_message(client: TestClient, channel: str) -> None:
    """A message one level too deep is 400 on both backends, and the requests coalesced with it are
    not touched (on the PostgREST backend they used to fail with it, 500)."""
    bodies = [{"channel": channel, "message": {"seq": seq}} for seq in range(8)]
    bodies[3]["message"] = nested(MAX_MESSAGE_DEPTH + 1)
    with ThreadPoolExecutor(len(bodies)) as pool:
        answers = list(pool.map(lambda body: client.post("/message", json=body), bodies))
    assert [a.status_code for a in answers] == [201] * 3 + [400] + [201] * 4, [a.text for a in answers]
    assert_status(answers[3], 400, f"nested deeper than {MAX_MESSAGE_DEPTH} levels")
    deepest_allowed = {"channel": channel, "message": nested(MAX_MESSAGE_DEPTH)}
    assert client.post("/message", json=deepest_allowed).status_code == 201
    batch = {"channel": channel, "messages": [{"seq": 9}, nested(MAX_MESSAGE_DEPTH + 1)]}
    assert_status(client.post("/messages", json=batch), 400, f"nested deeper than {MAX_MESSAGE_DEPTH} levels")
    deepest = client.get("/messages", params={"channel": channel, "offset": 7}).json()[0]["message"]
    assert deepest == nested(MAX_MESSAGE_DEPTH)
