"""A gateway app for tests served by support.serve: only a notification can wake a waiting request."""

from __future__ import annotations

from fastapi import FastAPI

from gateway.app import create_app
from gateway.db import direct_watch

NOTIFIED_ONLY_APP = "tests.utils.serving:create_notified_only_app"


def create_notified_only_app() -> FastAPI:
    """The gateway with its once-a-second re-check of waiting channels stretched past any wait,
    so that only a notification can wake a waiting request: a test served by it tells the two apart."""
    assert isinstance(direct_watch.RECHECK_SECONDS, float), "the re-check this app stretches is gone"
    direct_watch.RECHECK_SECONDS = 3600.0
    return create_app()
