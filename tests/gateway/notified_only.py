"""The gateway with a long-poll re-check too slow to matter, for tests that a waiting request is
woken by its notification: `uvicorn --factory tests.gateway.notified_only:create_app`. With the
default re-check of a second, a lost notification would pass unnoticed."""

from __future__ import annotations

from fastapi import FastAPI

from gateway import app, longpoll

RECHECK_SECONDS = 3600.0


def create_app() -> FastAPI:
    longpoll.RECHECK_SECONDS = RECHECK_SECONDS
    return app.create_app()
