"""The JSON bodies of the documented routes."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gateway.exactjson import MAX_DEPTH, depth

# The SQL types' own domains, so that any number a client sends can reach the database (and
# PostgREST's JSON encoder) intact. The ranges a value must fall in are the database's to check.
Integer = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Bigint = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
Timestamp = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time", "examples": ["2025-01-24T21:33:17.988107+00:00"]},
        description="ISO-8601 with a UTC offset",
    ),
]


class NewMessage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"channel": "abcd", "message": {"seq": 7}},
        {"channel": "abcd", "message": {"seq": 8}, "delay": 60, "dedup_key": "order-17"},
    ]})

    channel: str
    message: dict[str, Any] = Field(description=f"a JSON object, nested at most {MAX_DEPTH} levels deep")
    delay: Integer | None = Field(None, description="seconds before consumers see the message (0-604800)")
    dedup_key: str | None = Field(
        None, description="1-128 characters: a repeat within the channel's dedup window is not inserted again"
    )

    @field_validator("message")
    @classmethod
    def _shallow(cls, message: dict[str, Any]) -> dict[str, Any]:
        return _check_depth(message)


def _check_depth(message: dict[str, Any]) -> dict[str, Any]:
    """Refused here, before any call, so a message too deep never fails a batch it would have joined."""
    if depth(message) > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return message


MAX_BATCH = 1000


class NewMessages(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"channel": "abcd", "messages": [{"seq": 1}, {"seq": 2}]}]}
    )

    channel: str
    messages: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"1-{MAX_BATCH} JSON objects (at most {MAX_DEPTH} levels deep), inserted all or none",
    )

    @field_validator("messages")
    @classmethod
    def _shallow(cls, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for message in messages:
            _check_depth(message)
        return messages


class Inserted(BaseModel):
    status: str = "Message inserted!"
    id: int


class InsertedMany(BaseModel):
    status: str = "Messages inserted!"
    ids: list[int] = Field(description="in the order the messages were given")


class Duplicate(BaseModel):
    status: str = "Duplicate message"
    id: int = Field(description="the id the first message with this dedup_key got")


class Message(BaseModel):
    id: int
    channel: str
    message: dict[str, Any]
    created_at: Timestamp


class LeasedMessage(Message):
    """A message handed out with ?visibility=N: it stays queued until acknowledged with its receipt."""

    deliveries: int = Field(description="how many times it has been leased, this time included")
    receipt: UUID = Field(description="present it to ack or nack; a later lease replaces it")
    lease_expires_at: Timestamp


class Settle(BaseModel):
    id: Bigint
    receipt: UUID


class Release(Settle):
    delay: Integer | None = Field(None, description="seconds before it is ready again (0-43200, default 0)")


class DeadLetter(Message):
    deliveries: int
    reason: str
    dead_at: Timestamp


class Redriven(BaseModel):
    status: str = "Dead letters moved back to the queue"
    count: int


class Channel(BaseModel):
    channel: str


class Status(BaseModel):
    """Every error, and the health answers."""

    status: str
