"""The JSON bodies of the documented routes."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator


class NewMessage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"channel": "abcd", "message": {"seq": 7}}]})

    channel: str
    message: dict[str, Any]

    @field_validator("message")
    @classmethod
    def _encodable(cls, message: dict[str, Any]) -> dict[str, Any]:
        # The parser takes up to 1024 levels of nesting, the encoder 254.
        try:
            orjson.dumps(message)
        except orjson.JSONEncodeError as exc:
            raise ValueError(f"cannot be encoded as JSON: {exc}") from None
        return message


class Inserted(BaseModel):
    status: str = "Message inserted!"
    id: int


class Message(BaseModel):
    id: int
    channel: str
    message: dict[str, Any]
    created_at: str = Field(
        json_schema_extra={"format": "date-time", "examples": ["2025-01-24T21:33:17.988107+00:00"]},
        description="ISO-8601 with a UTC offset",
    )


class Channel(BaseModel):
    channel: str


class Status(BaseModel):
    """Every error, and the health answers."""

    status: str
