"""A stand-in for PostgREST's /rpc, for outage tests on a machine without the PostgREST binary.

It serves what the gateway's PostgREST backend sends, POST /rpc/<function> with
named JSON arguments, the way PostgREST runs it: logged in as `authenticator`,
SET ROLE pgq_client, one call of pgq.<function> on a real database, errors as
PostgREST's {code, message, details, hint}. It listens on a real socket that
can be closed and reopened on the same port, so the gateway meets refused
connections and severed keep-alive connections, as when PostgREST restarts.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg
from psycopg import sql

from support.localpg import role_passwords


class StandInPostgrest:
    def __init__(self, admin_url: str, port: int) -> None:
        rest = admin_url.split("@", 1)[1]
        self.login = f"postgresql://authenticator:{role_passwords()['authenticator_password']}@{rest}"
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server: ThreadingHTTPServer | None = None
        self._open: set[socket.socket] = set()

    def start(self) -> None:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as PostgREST

            def setup(self) -> None:
                super().setup()
                stand_in._open.add(self.connection)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status, answer = stand_in.call(self.path.removeprefix("/rpc/"), json.loads(body or b"{}"))
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """As if the process died: the port refuses connections and open ones are cut."""
        assert self._server
        self._server.shutdown()
        self._server.server_close()
        for connection in list(self._open):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._open.clear()

    def call(self, function: str, args: dict[str, Any]) -> tuple[int, Any]:
        # Literals bound client-side are of unknown type, so PostgreSQL types each by the
        # function's own parameter, as PostgREST's json_to_record does.
        named = sql.SQL(", ").join(sql.SQL("{} => {}").format(sql.Identifier(name), sql.Placeholder())
                                   for name in args)
        call = sql.SQL("pgq.{}({})").format(sql.Identifier(function), named)
        values = [json.dumps(value) if isinstance(value, dict | list) else value for value in args.values()]
        try:
            with psycopg.connect(self.login, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
                conn.execute("SET ROLE pgq_client")
                returns_set = conn.execute(
                    "SELECT proretset FROM pg_proc WHERE proname = %s AND pronamespace = 'pgq'::regnamespace",
                    [function],
                ).fetchone()
                if returns_set and returns_set[0]:
                    query = sql.SQL("SELECT coalesce(json_agg(r), '[]') FROM {} AS r").format(call)
                else:
                    query = sql.SQL("SELECT to_json({})").format(call)
                row = conn.execute(query, values).fetchone()
                return 200, row[0] if row else None
        except psycopg.Error as exc:
            code = exc.sqlstate or "08000"
            status = 400 if code.startswith(("22", "54")) else 503 if code.startswith("08") else 500
            return status, {"code": code, "message": exc.diag.message_primary or str(exc),
                            "details": exc.diag.message_detail, "hint": exc.diag.message_hint}
