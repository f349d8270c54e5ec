"""The JSON bodies of the documented routes."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator

# The SQL types' own domains, so that any number a client sends can reach the database (and
# PostgREST's JSON encoder) intact. The ranges a value must fall in are the database's to check.
Integer = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Bigint = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
_Json = TypeVar("_Json", dict[str, Any], list[dict[str, Any]])
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
    message: dict[str, Any]
    delay: Integer | None = Field(None, description="seconds before consumers see the message (0-604800)")
    dedup_key: str | None = Field(
        None, description="1-128 characters: a repeat within the channel's dedup window is not inserted again"
    )

    @field_validator("message")
    @classmethod
    def _encodable(cls, message: dict[str, Any]) -> dict[str, Any]:
        return _check_encodable(message)


def _check_encodable(value: _Json) -> _Json:
    # The parser takes up to 1024 levels of nesting, the encoder 254.
    try:
        orjson.dumps(value)
    except orjson.JSONEncodeError as exc:
        raise ValueError(f"cannot be encoded as JSON: {exc}") from None
    return value


MAX_BATCH = 1000


class NewMessages(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"channel": "abcd", "messages": [{"seq": 1}, {"seq": 2}]}]}
    )

    channel: str
    messages: list[dict[str, Any]] = Field(
        min_length=1, max_length=MAX_BATCH, description=f"1-{MAX_BATCH} JSON objects, inserted all or none"
    )

    @field_validator("messages")
    @classmethod
    def _encodable(cls, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _check_encodable(messages)  # as one document: that is how it is sent on


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


class ChannelLimits(BaseModel):
    """pgq.configure's limits; an omitted one keeps its value, so `{}` reads them."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"max_deliveries": 3, "dedup_window": "1 hour"}]}
    )

    max_deliveries: Integer | None = Field(
        None, description="leases before a message is dead-lettered (1-1000)"
    )
    dedup_window: str | None = Field(
        None, description="how long a dedup_key is remembered: a PostgreSQL interval, more than 0 "
                          "and at most 7 days, such as \"1 hour\" or \"PT1H\""
    )


class ChannelConfig(BaseModel):
    channel: str
    max_deliveries: int
    dedup_window: str = Field(description="as PostgreSQL prints the interval, e.g. \"01:00:00\" or \"1 day\"")


class Status(BaseModel):
    """Every error, and the health answers."""

    status: str
