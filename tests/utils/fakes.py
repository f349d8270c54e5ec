"""Fakes: a PostgREST for the PostgREST backend, which records each request and answers with scripted replies
shaped as PostgREST documents them; and the base of the tests' stand-in backends."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from gateway.db.postgrest import BackoffPoll

BASE = "http://postgrest.test:3000"
ROW = {"id": 10000, "channel": "two", "message": {"seq": 1}, "created_at": "2025-01-24T21:33:17.988107+00:00"}


class PostgREST:
    """Records every request and answers each with the next scripted reply."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.replies: list[httpx.Response | Exception] = []

    def reply(self, status: int, body: Any) -> None:
        self.replies.append(httpx.Response(status, content=orjson.dumps(body),
                                           headers={"content-type": "application/json; charset=utf-8"}))

    def error(self, status: int, code: str, message: str, details: str | None = None) -> None:
        self.reply(status, {"code": code, "message": message, "details": details, "hint": None})

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def called(self) -> tuple[str, str, Any]:
        """The last call: method, path and decoded JSON arguments, after checking its headers."""
        request = self.requests[-1]
        assert request.headers["content-type"] == "application/json"
        assert request.headers["accept"] == "application/json"
        assert request.headers["content-profile"] == "pgq"
        return request.method, request.url.path, orjson.loads(request.content)


class StubBackend:
    """What a stand-in backend needs beyond its calls: a watcher (waiting requests poll, as they do
    over PostgREST), and nothing to close."""

    def watcher(self) -> BackoffPoll:
        return BackoffPoll()

    async def close(self) -> None:
        pass
