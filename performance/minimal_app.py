"""`make bench`'s baseline for the gateway: the minimal INSERT and DELETE plus archive (performance/sql) as
POST /message and GET /queue/{channel}, over asyncpg, with the gateway's HTTP metrics, served as it is."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson
from fastapi import FastAPI, Response
from pydantic import BaseModel

from gateway.core.middleware import instrument
from performance.harness import SQL


def statement(script: str) -> str:  # a pgbench script's: channel $1, message $2, one message taken
    lines = [line for line in (SQL / script).read_text().splitlines() if not line.startswith(("--", "\\"))]
    return "\n".join(lines).replace(":prefix || :n", "$1").replace(":message", "$2").replace(":take", "1")

INSERT, MOVE = statement("enqueue_raw.sql"), statement("dequeue_raw.sql")

class NewMessage(BaseModel):
    channel: str
    message: dict[str, object]

def create_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async def keep(_: object) -> None: ...  # no reset round trip per release, as in the gateway
        async with asyncpg.create_pool(os.environ["PGQ_DATABASE_URL"], max_size=10, reset=keep) as pool:
            app.state.pool = pool
            yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/message", status_code=201)
    async def post_message(body: NewMessage) -> dict[str, object]:
        id_ = await app.state.pool.fetchval(INSERT, body.channel, orjson.dumps(body.message).decode())
        return {"status": "Message inserted!", "id": id_}

    @app.get("/queue/{channel}")
    async def dequeue(channel: str) -> Response:
        if (row := await app.state.pool.fetchrow(MOVE, channel)) is None:
            return Response(status_code=204)
        return Response(orjson.dumps({**row, "message": orjson.Fragment(row["message"])}),
                        media_type="application/json")

    instrument(app)
    return app
