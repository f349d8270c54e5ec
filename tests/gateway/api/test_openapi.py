"""/openapi.json documents the answers the gateway really gives: 400 where FastAPI would say 422."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def responses(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    result: dict[str, Any] = schema["paths"][path][method]["responses"]
    return result


def test_routes_document_their_statuses(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert set(responses(schema, "/message", "post")) == {"200", "201", "400", "408", "413", "503", "504"}
    assert set(responses(schema, "/queue/{channel}", "get")) == {"200", "204", "400", "503", "504"}
    assert set(responses(schema, "/messages", "get")) == {"200", "204", "400", "503"}
    assert set(responses(schema, "/channels", "get")) == {"200", "204", "503"}
    assert set(responses(schema, "/readyz", "get")) == {"200", "503"}


def test_no_422_anywhere(client: TestClient) -> None:
    text = client.get("/openapi.json").text
    assert '"422"' not in text and "HTTPValidationError" not in text
    assert '"400"' in text


def test_schemas_of_bodies(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    error = responses(schema, "/message", "post")["400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Status"}
    assert components["Status"]["required"] == ["status"]
    assert set(components["NewMessage"]["required"]) == {"channel", "message"}
    assert components["Message"]["properties"]["created_at"]["format"] == "date-time"
    created = responses(schema, "/message", "post")["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/Inserted"}
    listed = responses(schema, "/messages", "get")["200"]["content"]["application/json"]["schema"]
    assert listed["items"] == {"$ref": "#/components/schemas/Message"}
    assert "content" not in responses(schema, "/queue/{channel}", "get")["204"]


def test_the_schema_states_the_database_s_rules(client: TestClient) -> None:
    """A client reads the channel pattern and the ranges from the schema (the database enforces them)."""
    schema = client.get("/openapi.json").json()
    pattern = {"pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", "minLength": 1, "maxLength": 64}
    new = schema["components"]["schemas"]["NewMessage"]["properties"]
    assert pattern.items() <= new["channel"].items()
    assert {"minimum": 0, "maximum": 604800}.items() <= new["delay"]["anyOf"][0].items()
    assert {"minLength": 1, "maxLength": 128}.items() <= new["dedup_key"]["anyOf"][0].items()
    assert "200 levels" in new["message"]["description"]
    dequeue = {p["name"]: p["schema"] for p in schema["paths"]["/queue/{channel}"]["get"]["parameters"]}
    assert pattern.items() <= dequeue["channel"].items()
    assert {"minimum": 1, "maximum": 43200}.items() <= dequeue["visibility"]["anyOf"][0].items()
    listed = {p["name"]: p["schema"] for p in schema["paths"]["/messages"]["get"]["parameters"]}
    assert pattern.items() <= listed["channel"].items()
