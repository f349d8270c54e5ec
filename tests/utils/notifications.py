"""Notifications a LISTEN session has been sent, read without a timing window."""

from __future__ import annotations

import uuid

import psycopg

Conn = psycopg.Connection[tuple[object, ...]]


def committed_notifications(listener: Conn, channel: str, marker_dsn: str) -> list[str]:
    """The payloads on `channel` committed before this call, however late they arrive: everything up
    to a marker notified now from a session of its own (notifications come in commit order)."""
    marker = f"marker-{uuid.uuid4().hex}"
    with psycopg.connect(marker_dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_notify(%s, %s)", (channel, marker))
    payloads: list[str] = []
    for notification in listener.notifies(timeout=30):
        if notification.payload == marker:
            return payloads
        if notification.channel == channel:
            payloads.append(notification.payload)
    raise AssertionError(f"no marker notification within 30 s; got {payloads}")
