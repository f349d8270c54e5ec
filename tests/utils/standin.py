"""A stand-in for PostgREST's /rpc, for a machine without the PostgREST binary.

`make test` runs the whole gateway suite through it (the "postgrest" backend), and the outage
tests close and reopen it. It serves what the gateway's PostgREST backend sends, POST
/rpc/<function> with named JSON arguments, the way PostgREST's documentation says PostgREST
runs a call:

- a pool of connections logged in as `authenticator` (PGRST003, 504, when none frees up within
  the acquisition timeout; PGRST000, 503, when the database refuses a new one; PGRST001, 503,
  when one breaks during a call);
- a schema cache of the functions in the profile's schema (Content-Profile, default `pgq`),
  loaded on the first request and again after a connection broke (PGRST002, 503, while the
  database cannot be read; PGRST202, 404, for a function or argument names it does not have);
- one transaction per request: READ ONLY for a STABLE or IMMUTABLE function, READ WRITE
  otherwise, at the role's default_transaction_isolation or READ COMMITTED; then, transaction
  scoped, the search path, the anonymous role (`pgq_client`), request.method and request.path,
  and the role's own settings (ALTER ROLE pgq_client SET statement_timeout ...: those a
  user may set, as PostgREST's "impersonated role settings");
- the arguments typed by the function's own parameter types through json_to_record, the result
  as JSON (an array for a set-returning function), and errors as {code, message, details, hint}
  with the HTTP status of PostgREST's SQLSTATE table (`status_for_sqlstate`).

- a bearer JWT (HS256, checked against `jwt_secret` like PGRST_JWT_SECRET, `exp` honoured) whose
  `role` claim replaces the anonymous role; a bad or expired one is 401 PGRST301, and a JWT with
  no secret configured is 500 PGRST300. A 42501 is 401 for an anonymous request, 403 otherwise.

- on a set of rows, the query string's filters PostgREST documents for function results, as far
  as the gateway uses them: `column=eq.value`, `order=column.asc`, `offset` and `limit`.

Where it still differs from PostgREST: HS256 only (no JWKS, no aud check), no GET calls,
other filters, Prefer headers, OpenAPI root or schema reloading by NOTIFY (the cache is reloaded
only after a broken connection); a function's overloads are not told apart (pgq has none);
error message texts of its own (PGRST*) are close to, not exactly, PostgREST's; it serves
HTTP/1.1 keep-alive from Python's ThreadingHTTPServer, one thread per connection.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import queue
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg
from psycopg import sql

from support.localpg import role_passwords

ANONYMOUS_ROLE = "pgq_client"  # PostgREST's db-anon-role in docker-compose.yml
DEFAULT_SCHEMA = "pgq"  # PostgREST's db-schemas

# PostgREST's "HTTP Status Codes" table (references/errors): exact codes first, then prefixes;
# any other SQLSTATE is 400.
EXACT_STATUS = {"23503": 409, "23505": 409, "25006": 405, "53400": 500, "P0001": 400,
                "42883": 404, "42P01": 404, "42501": 401}  # 42501 is 401 for an anonymous request
PREFIX_STATUS = {"08": 503, "09": 500, "0L": 403, "0P": 403, "25": 500, "28": 403, "2D": 500, "38": 500,
                 "39": 500, "3B": 500, "40": 500, "53": 503, "54": 500, "55": 500, "57": 500, "58": 500,
                 "F0": 500, "HV": 500, "P0": 500, "XX": 500}


def status_for_sqlstate(code: str) -> int:
    return EXACT_STATUS.get(code) or PREFIX_STATUS.get(code[:2], 400)


class RawJson(str):
    """A JSON document as the database wrote it, sent on untouched."""


class Refusal(Exception):
    """An answer of PostgREST's own (a PGRST code) or a database error, with its HTTP status."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"code": code, "message": message, "details": details, "hint": hint}


@dataclass(frozen=True)
class Function:
    returns_set: bool
    returns_scalar: bool  # a base type and no OUT parameters: PostgREST answers bare values
    read_only: bool  # STABLE or IMMUTABLE
    arguments: dict[str, str]  # name -> type, in order
    required: frozenset[str]  # those without a default


# Input parameters only (modes i, b, v), as PostgREST's schema cache reads them.
FUNCTIONS = """
SELECT p.proname, p.proretset,
       p.proallargtypes IS NULL AND (SELECT typtype NOT IN ('c', 'p') FROM pg_type WHERE oid = p.prorettype),
       p.provolatile IN ('s', 'i'), p.pronargdefaults,
       coalesce(array_agg(a.name ORDER BY a.i) FILTER (WHERE a.mode IN ('i', 'b', 'v')), '{}'),
       coalesce(array_agg(format_type(a.type, NULL) ORDER BY a.i) FILTER (WHERE a.mode IN ('i', 'b', 'v')),
                '{}')
FROM pg_proc p
LEFT JOIN LATERAL unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]), p.proargnames,
                         coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[p.pronargs])))
          WITH ORDINALITY AS a(type, name, mode, i) ON true
WHERE p.pronamespace = %s::regnamespace AND p.prokind = 'f'
GROUP BY p.oid
"""

# PostgREST's queryRoleSettings: the settings of the roles the authenticator may become, those a
# user may set (or, PostgreSQL 15, may be granted to set).
ROLE_SETTINGS = """
WITH role_setting AS (
  SELECT r.rolname, unnest(r.rolconfig) AS setting
  FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
  WHERE m.member = current_user::regrole::oid
), kv AS (
  SELECT rolname, split_part(setting, '=', 1) AS key, substr(setting, strpos(setting, '=') + 1) AS value
  FROM role_setting
)
SELECT kv.rolname, kv.key, kv.value FROM kv JOIN pg_settings ps ON ps.name = kv.key
WHERE ps.context = 'user' OR has_parameter_privilege(current_user::regrole::oid, ps.name, 'set')
"""


class _Pool:
    """At most `size` connections; a request waits `acquisition_timeout` seconds for one."""

    def __init__(self, dsn: str, size: int, acquisition_timeout: float) -> None:
        self._dsn = dsn
        self._slots = threading.BoundedSemaphore(size)
        self._idle: queue.SimpleQueue[psycopg.Connection[Any]] = queue.SimpleQueue()
        self._timeout = acquisition_timeout

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        if not self._slots.acquire(timeout=self._timeout):
            raise Refusal(504, "PGRST003", "Timed out acquiring connection from connection pool.")
        conn = None
        try:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                try:
                    conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=5)
                except psycopg.OperationalError as exc:
                    raise Refusal(503, "PGRST000", "Database connection error. Retrying the connection.",
                                  str(exc)) from None
            yield conn
        finally:
            if conn is not None:
                if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    conn.close()
                else:
                    self._idle.put(conn)
            self._slots.release()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


class StandInPostgrest:
    def __init__(self, admin_url: str, port: int = 0, pool_size: int = 10,
                 acquisition_timeout: float = 10.0, jwt_secret: str | None = None) -> None:
        rest = admin_url.split("@", 1)[1]
        login = f"postgresql://authenticator:{role_passwords()['authenticator_password']}@{rest}"
        self._pool = _Pool(login, pool_size, acquisition_timeout)
        self.port = port
        self._server: ThreadingHTTPServer | None = None
        self._open: set[socket.socket] = set()
        self._cache_lock = threading.Lock()
        self._functions: dict[str, dict[str, Function]] = {}  # schema -> name -> function
        self._role_settings: dict[str, dict[str, str]] | None = None  # role -> its settings
        self._jwt_secret = jwt_secret

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as PostgREST

            def setup(self) -> None:
                super().setup()
                stand_in._open.add(self.connection)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                schema = self.headers.get("Content-Profile", DEFAULT_SCHEMA)
                path, _, query = self.path.partition("?")
                status, answer = stand_in.call(path.removeprefix("/rpc/"), body, schema,
                                               self.headers.get("Authorization"), query)
                payload = answer.encode() if isinstance(answer, RawJson) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """As if the process died: the port refuses connections, open ones are cut, the pool is gone."""
        assert self._server
        self._server.shutdown()
        self._server.server_close()
        for connection in list(self._open):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._open.clear()
        self._pool.close()
        with self._cache_lock:
            self._functions.clear()
            self._role_settings = None

    def call(self, function: str, body: bytes, schema: str = DEFAULT_SCHEMA,
             authorization: str | None = None, query: str = "") -> tuple[int, Any]:
        try:
            role = self._role(authorization)
            try:
                args = json.loads(body or b"{}")
            except ValueError as exc:
                raise Refusal(400, "PGRST102", "Empty or invalid json", str(exc)) from None
            if not isinstance(args, dict):
                raise Refusal(400, "PGRST102", "Expected a JSON object of named arguments")
            with self._pool.connection() as conn:
                return 200, self._run(conn, schema, function, args, role, body.decode(), _filters(query))
        except Refusal as refusal:
            return refusal.status, refusal.body

    def _role(self, authorization: str | None) -> str:
        """The anonymous role, or the `role` claim of a valid bearer JWT."""
        if authorization is None:
            return ANONYMOUS_ROLE
        scheme, _, token = authorization.partition(" ")
        if not self._jwt_secret:
            raise Refusal(500, "PGRST300", "Server lacks JWT secret")
        try:
            header, payload, signature = token.split(".")
            key = self._jwt_secret.encode()
            signed = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
            claims = json.loads(_unbase64(payload))
            valid = (scheme.lower() == "bearer" and json.loads(_unbase64(header)).get("alg") == "HS256"
                     and hmac.compare_digest(_unbase64(signature), signed))
        except ValueError:
            valid = False
        if not valid:
            raise Refusal(401, "PGRST301", "JWSError JWSInvalidSignature")
        if "exp" in claims and claims["exp"] <= time.time():
            raise Refusal(401, "PGRST301", "JWT expired")
        return str(claims.get("role", ANONYMOUS_ROLE))

    def _run(self, conn: psycopg.Connection[Any], schema: str, name: str, args: dict[str, Any],
             role: str, body: str, filters: sql.Composable) -> RawJson | None:
        functions, settings_by_role = self._schema_cache(conn, schema)
        role_settings = settings_by_role.get(role, {})
        found = functions.get(name)
        if found is None or not set(args) <= set(found.arguments) or not found.required <= set(args):
            raise Refusal(404, "PGRST202",
                          f"Could not find the function {schema}.{name}({', '.join(sorted(args))}) "
                          "in the schema cache")
        settings = {"search_path": sql.Identifier(schema).as_string(conn), "role": role,
                    "request.method": "POST", "request.path": f"/rpc/{name}", **role_settings}
        isolation = role_settings.get("default_transaction_isolation", "read committed")
        mode = "READ ONLY" if found.read_only else "READ WRITE"
        try:
            begin = sql.SQL("BEGIN ISOLATION LEVEL {} {}")
            conn.execute(begin.format(sql.SQL(isolation.upper()), sql.SQL(mode)))
            conn.execute(sql.SQL("SELECT {}").format(sql.SQL(", ").join(
                sql.SQL("set_config({}, {}, true)").format(sql.Literal(key), sql.Literal(value))
                for key, value in settings.items())))
            # The body as sent and the result as text: numbers travel exactly, as through PostgREST.
            params = [body] if args else []
            query = sql.SQL("SELECT (pgrst_result.body)::text FROM ({}) AS pgrst_result(body)")
            call = _call_query(schema, name, found, list(args), filters)
            row = conn.execute(query.format(call), params).fetchone()
            conn.execute("COMMIT")
            return RawJson(row[0]) if row and row[0] is not None else None
        except psycopg.Error as exc:
            if conn.closed or conn.broken:
                with self._cache_lock:
                    self._functions.pop(schema, None)  # as PostgREST reloads it on reconnecting
                raise Refusal(503, "PGRST001", "Database client error. Retrying the connection.",
                              str(exc)) from None
            conn.execute("ROLLBACK")
            code = exc.sqlstate or "XX000"
            status = 403 if code == "42501" and role != ANONYMOUS_ROLE else status_for_sqlstate(code)
            raise Refusal(status, code, exc.diag.message_primary or str(exc),
                          exc.diag.message_detail, exc.diag.message_hint) from None

    def _schema_cache(self, conn: psycopg.Connection[Any],
                      schema: str) -> tuple[dict[str, Function], dict[str, dict[str, str]]]:
        with self._cache_lock:
            if schema not in self._functions or self._role_settings is None:
                try:
                    rows = conn.execute(FUNCTIONS, [schema]).fetchall()
                    settings = conn.execute(ROLE_SETTINGS).fetchall()
                except psycopg.Error as exc:
                    raise Refusal(503, "PGRST002", "Could not query the database for the schema cache. "
                                  "Retrying.", str(exc)) from None
                self._functions[schema] = {
                    name: Function(bool(returns_set), bool(scalar), bool(read_only),
                                   dict(zip(names, types, strict=True)),
                                   frozenset(names[: len(names) - defaults]))
                    for name, returns_set, scalar, read_only, defaults, names, types in rows
                }
                self._role_settings = {}
                for role, key, value in settings:
                    self._role_settings.setdefault(role, {})[key] = value
            return self._functions[schema], self._role_settings


def _unbase64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _filters(query: str) -> sql.Composable:
    """`column=eq.value`, `order=column.asc`, `offset`, `limit`: a WHERE, ORDER BY, OFFSET and LIMIT."""
    where: list[sql.Composable] = []
    order: sql.Composable = sql.SQL("")
    paging: list[sql.Composable] = []
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if key in ("offset", "limit"):
            if not value.isdigit():
                raise Refusal(400, "PGRST103", f"Requested range not satisfiable: {key}={value}")
            paging.append(sql.SQL(f"{key.upper()} {{}}").format(sql.Literal(int(value))))
        elif key == "order" and value.endswith(".asc"):
            order = sql.SQL(" ORDER BY pgrst_call.{}").format(sql.Identifier(value.removesuffix(".asc")))
        elif value.startswith("eq."):
            where.append(sql.SQL("pgrst_call.{} = {}").format(sql.Identifier(key), sql.Literal(value[3:])))
        else:
            raise Refusal(400, "PGRST100", f"\"failed to parse filter ({key}={value})\" (the stand-in's)")
    condition = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where) if where else sql.SQL("")
    return sql.Composed([condition, order, *(sql.SQL(" ") + part for part in paging)])


def _call_query(schema: str, name: str, function: Function, given: list[str],
                filters: sql.Composable) -> sql.Composed:
    """PostgREST's shape: the JSON body typed by json_to_record, the call, the result as JSON."""
    source: sql.Composable = sql.SQL("(SELECT) AS pgrst_args")
    if given:
        typed = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(arg), sql.SQL(function.arguments[arg])) for arg in given)
        source = sql.SQL("json_to_record(%s::json) AS pgrst_args({})").format(typed)
    named = sql.SQL(", ").join(sql.SQL("{} := pgrst_args.{}").format(sql.Identifier(arg), sql.Identifier(arg))
                               for arg in given)
    call = sql.SQL("{}.{}({})").format(sql.Identifier(schema), sql.Identifier(name), named)
    if function.returns_set and function.returns_scalar:
        values = sql.SQL("SELECT coalesce(json_agg(pgrst_call.pgrst_scalar), '[]') "
                         "FROM {}, LATERAL {} AS pgrst_call(pgrst_scalar)")
        return values.format(source, call)
    if function.returns_set:
        rows = sql.SQL("SELECT coalesce(json_agg(_postgrest_t), '[]') "
                       "FROM (SELECT pgrst_call.* FROM {}, LATERAL {} AS pgrst_call{}) AS _postgrest_t")
        return rows.format(source, call, filters)
    return sql.SQL("SELECT to_json({}) FROM {}").format(call, source)
