"""The JSON bodies of the documented routes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

from gateway import bounds
from gateway.core.errors import SQL_SPELLINGS
from gateway.core.exactjson import depth


def _whole(value: object) -> object:
    """A JSON integer as JSON Schema counts them (7, or 7.0: a number without a fraction), never a
    boolean or a string: pydantic's lax mode took `true` and `"7"`, its strict mode refuses 7.0."""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Input should be a valid integer")
    return value


Whole = Annotated[int, BeforeValidator(_whole)]
# The SQL types' own domains, so that any number a client sends can reach the database (and
# PostgREST's JSON encoder) intact; the database checks the ranges within them, and its 400 names
# the rule.
Integer = Annotated[Whole, Field(ge=-(2**31), le=2**31 - 1)]
Bigint = Annotated[Whole, Field(ge=-(2**63), le=2**63 - 1)]
# Stated in /openapi.json, checked by the database (which names the rule in its 400): a client reads
# the limits from the schema, and the one place that enforces them stays the SQL.
CHANNEL_PATTERN = f"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{bounds.CHANNEL_LENGTH - 1}}}$"
CHANNEL_SCHEMA: dict[str, JsonValue] = {
    "pattern": CHANNEL_PATTERN, "minLength": 1, "maxLength": bounds.CHANNEL_LENGTH
}
CHANNEL_DOC = f"1-{bounds.CHANNEL_LENGTH} characters of A-Z a-z 0-9 . _ -, starting with a letter or digit"
ChannelName = Annotated[str, Field(description=CHANNEL_DOC, json_schema_extra=CHANNEL_SCHEMA)]


# Checked as int32 like Integer; the schema states the database's range.
DelaySeconds = Annotated[
    Integer, Field(json_schema_extra={"minimum": 0, "maximum": bounds.MAX_DELAY_SECONDS})
]
# A query parameter: its text read as an integer.
LeaseSeconds = Annotated[
    int,
    Field(ge=-(2**31), le=2**31 - 1,
          json_schema_extra={"minimum": 1, "maximum": bounds.MAX_VISIBILITY_SECONDS}),
]
VisibilitySeconds = Annotated[
    Integer, Field(json_schema_extra={"minimum": 1, "maximum": bounds.MAX_VISIBILITY_SECONDS})
]
RetrySeconds = Annotated[
    Integer, Field(json_schema_extra={"minimum": 0, "maximum": bounds.MAX_VISIBILITY_SECONDS})
]
DedupKey = Annotated[str, Field(json_schema_extra={"minLength": 1, "maxLength": bounds.DEDUP_KEY_LENGTH})]
GroupKey = Annotated[str, Field(json_schema_extra={"minLength": 1, "maxLength": bounds.GROUP_KEY_LENGTH})]
GROUP_KEY = (
    f"1-{bounds.GROUP_KEY_LENGTH} characters: messages of a channel with the same group_key are delivered "
    "one at a time, in order; a later one waits until the one before is acknowledged, dead-lettered or "
    "dequeued"
)
Timestamp = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time", "examples": ["2025-01-24T21:33:17.988107+00:00"]},
        description="ISO-8601 with a UTC offset",
    ),
]


class Body(BaseModel):
    """The base of every request body of a route the original app never had: a field it does not
    know is refused (400 naming it), so a misspelt one never passes in silence. Declare its integers
    as Integer or Bigint: strict, so no boolean or string stands in for a number."""

    model_config = ConfigDict(extra="forbid")


class NewMessage(BaseModel):
    """POST /message, the original app's route: extra fields are ignored as they were there, except
    pgq's own SQL names for its parameters, which are refused with their HTTP name."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"channel": "abcd", "message": {"seq": 7}},
        {"channel": "abcd", "message": {"seq": 8}, "delay": 60, "dedup_key": "order-17"},
        {"channel": "orders", "message": {"event": "paid"}, "group_key": "order-17"},
    ]})

    channel: ChannelName
    message: dict[str, Any] = Field(
        description=f"a JSON object, nested at most {bounds.MAX_MESSAGE_DEPTH} levels deep"
    )
    delay: DelaySeconds | None = Field(None, description="seconds before consumers see the message")
    dedup_key: DedupKey | None = Field(
        None, description=f"1-{bounds.DEDUP_KEY_LENGTH} characters: a repeat within the channel's dedup"
                          " window is not inserted again"
    )
    group_key: GroupKey | None = Field(None, description=GROUP_KEY)

    @field_validator("message")
    @classmethod
    def _shallow(cls, message: dict[str, Any]) -> dict[str, Any]:
        return _check_depth(message)

    @model_validator(mode="before")
    @classmethod
    def _no_sql_spellings(cls, body: Any) -> Any:
        for name in SQL_SPELLINGS.keys() & (body.keys() if isinstance(body, dict) else set()):
            raise ValueError(f"{name}: unknown field: the HTTP name is {SQL_SPELLINGS[name]}")
        return body


def _check_depth(message: dict[str, Any]) -> dict[str, Any]:
    """Refused here, before any call, so a message too deep never fails a batch it would have joined."""
    if depth(message) > bounds.MAX_MESSAGE_DEPTH:
        raise ValueError(f"nested deeper than {bounds.MAX_MESSAGE_DEPTH} levels")
    return message


class NewMessages(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"channel": "abcd", "messages": [{"seq": 1}, {"seq": 2}]}]}
    )

    channel: ChannelName
    messages: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=bounds.HTTP_MAX_BATCH,
        description=f"1-{bounds.HTTP_MAX_BATCH} JSON objects (at most {bounds.MAX_MESSAGE_DEPTH} levels"
                    " deep), inserted all or none",
    )
    group_key: GroupKey | None = Field(
        None, description=f"for every message of the batch, in order: {GROUP_KEY}"
    )

    @field_validator("messages")
    @classmethod
    def _shallow(cls, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for message in messages:
            _check_depth(message)
        return messages


INSERTED = "Message inserted!"


class Inserted(BaseModel):
    status: str = INSERTED
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
    group_key: str | None = Field(description="its ordered group, or null")


class Settle(Body):
    id: Bigint
    receipt: UUID


class Nack(Settle):
    delay: RetrySeconds | None = Field(None, description="seconds before it is ready again (default 0)")


class DeadLetter(Message):
    deliveries: int
    reason: str
    dead_at: Timestamp
    group_key: str | None = Field(description="its ordered group, or null")


class Redriven(BaseModel):
    status: str = "Dead letters moved back to the queue"
    count: int


class Channel(BaseModel):
    channel: str


class ChannelLimits(Body):
    """pgq.configure's limits; an omitted one keeps its value, so `{}` reads them."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"max_deliveries": 3, "dedup_window": "1 hour"}]}
    )

    max_deliveries: Integer | None = Field(
        None, description=f"leases before a message is dead-lettered (1-{bounds.MAX_DELIVERIES})",
        json_schema_extra={"minimum": 1, "maximum": bounds.MAX_DELIVERIES},
    )
    dedup_window: str | None = Field(
        None, description="how long a dedup_key is remembered: a PostgreSQL interval, more than 0 and at most"
                          f" {bounds.MAX_DEDUP_WINDOW_SECONDS} seconds, such as \"1 hour\" or \"PT1H\""
    )


class ChannelConfig(BaseModel):
    channel: str
    max_deliveries: int
    dedup_window: str = Field(description="as PostgreSQL prints the interval, e.g. \"01:00:00\" or \"1 day\"")


class Status(BaseModel):
    """Every error, and the health answers."""

    status: str


class Extend(Settle):
    visibility: VisibilitySeconds = Field(
        description=f"the lease now ends this many seconds (1-{bounds.MAX_VISIBILITY_SECONDS}) from now"
    )


class Extended(BaseModel):
    status: str = "Lease extended"
    lease_expires_at: Timestamp


class ChannelStats(BaseModel):
    """A row of pgq.stats()."""

    channel: str
    depth: int = Field(description="ready messages")
    delayed: int = Field(description="messages not ready yet: enqueued with a delay, or nacked with one")
    leased: int = Field(description="messages leased and not settled, their lease still running")
    dead: int = Field(description="dead letters")
    oldest_age_seconds: float | None = Field(
        description="age of the oldest ready message (not a delayed or leased one); null when none is ready"
    )
    enqueued: int = Field(description="running total: messages enqueued (queued, dead or consumed)")
    consumed: int = Field(description="running total: messages dequeued or acknowledged")


class Purged(BaseModel):
    status: str = "Messages deleted"
    count: int = Field(description="how many were deleted; call again until it is 0")

