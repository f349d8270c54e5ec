"""NOTIFY pgq_ready: sent at commit by enqueues on a channel some gateway has registered with pgq.watch(), and
only then. Observed by a real LISTEN session, since notifications only leave a committed transaction."""

from __future__ import annotations

import psycopg

from tests.utils.notifications import committed_notifications

Conn = psycopg.Connection[tuple[object, ...]]


def notified(listener: Conn, marker_dsn: str) -> list[str]:
    return committed_notifications(listener, "pgq_ready", marker_dsn)


def test_enqueues_notify_only_registered_channels(admin: Conn, gateway_dsn: str) -> None:
    with psycopg.connect(gateway_dsn, autocommit=True) as listener:
        listener.execute("LISTEN pgq_ready")
        listener.execute("SELECT pgq.watch('gw', ARRAY['watched'])")

        admin.execute("""SELECT pgq.enqueue('watched', '{"seq": 1}')""")
        admin.execute("""SELECT pgq.enqueue('unwatched', '{"seq": 1}')""")
        admin.execute("""SELECT pgq.enqueue('watched', '{"seq": 2}', delay_seconds => 60)""")
        assert notified(listener, gateway_dsn) == ["watched"], \
            "one NOTIFY, for the ready message on the watched channel"

        admin.execute("""SELECT pgq.enqueue_batch('watched', '[{"seq": 3}, {"seq": 4}, {"seq": 5}]')""")
        assert notified(listener, gateway_dsn) == ["watched"], "a batch notifies once"

        with admin.transaction():
            admin.execute("""SELECT pgq.enqueue('watched', '{"seq": 6}')""")
            admin.execute("""SELECT pgq.enqueue('watched', '{"seq": 7}')""")
            assert notified(listener, gateway_dsn) == [], "nothing before the commit"
        assert notified(listener, gateway_dsn) == ["watched"], "one per transaction"

        listener.execute("SELECT pgq.watch('gw', '{}')")
        admin.execute("""SELECT pgq.enqueue('watched', '{"seq": 8}')""")
        assert notified(listener, gateway_dsn) == [], "unregistered: no NOTIFY"


def test_an_expired_registration_stops_the_notifications(admin: Conn, gateway_dsn: str) -> None:
    with psycopg.connect(gateway_dsn, autocommit=True) as listener:
        listener.execute("LISTEN pgq_ready")
        listener.execute("SELECT pgq.watch('crashed', ARRAY['orphan'], ttl_seconds => 1)")
        admin.execute("""SELECT pgq.enqueue('orphan', '{"seq": 1}')""")
        assert notified(listener, gateway_dsn) == ["orphan"]

        admin.execute("UPDATE pgq.waiting SET expires_at = now() - interval '1 second'")
        admin.execute("""SELECT pgq.enqueue('orphan', '{"seq": 2}')""")
        assert notified(listener, gateway_dsn) == [], \
            "a gateway that stopped renewing costs no more notifications"
