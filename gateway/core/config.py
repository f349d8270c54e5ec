"""Every setting the gateway reads from the environment, in one place: field `x` is PGQ_X.

An empty variable counts as unset. A value of the wrong kind stops the gateway at start-up with a
message naming its variable: a pool size of "2.5" is refused, never truncated."""

from __future__ import annotations

from pydantic import Field, ValidationError, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.core.security import AUDIENCE

ENV_PREFIX = "PGQ_"


class Settings(BaseSettings):
    """Settings() reads the environment; keyword arguments, as the tests give them, take precedence."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, allow_inf_nan=False,
        hide_input_in_errors=True,  # pydantic's own text would show every variable, tokens too
    )

    database_url: str | None = None
    postgrest_url: str | None = None
    upstream_timeout: float = 5.0
    max_body_bytes: int = 1024 * 1024
    body_timeout: float = 10.0  # seconds for a request body to arrive whole
    max_concurrent: int = 1000  # requests served at once, long polls apart
    max_waiting: int = 1000  # long polls (?wait=) served at once, apart from max_concurrent
    pool_size: int = 10
    coalesce: bool = True  # concurrent POST /message on a channel share one call (gateway.db.coalesce)
    metrics_cache_seconds: float = 2.0
    metrics_top_channels: int = 50
    maintain_interval: float = 60.0
    api_token: str | None = Field(default=None, repr=False)  # off unless PGQ_API_TOKEN is set
    admin_token: str | None = Field(default=None, repr=False)  # unset: the admin routes are off (403)
    postgrest_jwt_secret: str | None = Field(default=None, repr=False)  # signs the admin JWT for PostgREST
    postgrest_jwt_aud: str = AUDIENCE  # the admin JWT's audience: PostgREST's PGRST_JWT_AUD

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if not (self.database_url or self.postgrest_url):
            raise ValueError("set PGQ_DATABASE_URL (direct PostgreSQL) or PGQ_POSTGREST_URL (PostgREST)")
        if min(self.upstream_timeout, self.body_timeout) <= 0 or min(
            self.pool_size, self.metrics_top_channels, self.max_concurrent, self.max_waiting
        ) < 1:
            raise ValueError(
                "PGQ_UPSTREAM_TIMEOUT, PGQ_BODY_TIMEOUT, PGQ_POOL_SIZE, PGQ_METRICS_TOP_CHANNELS"
                ", PGQ_MAX_CONCURRENT and PGQ_MAX_WAITING must be positive"
            )
        if self.postgrest_jwt_secret is not None and len(self.postgrest_jwt_secret) < 32:
            raise ValueError("PGQ_POSTGREST_JWT_SECRET must be at least 32 characters, as PostgREST requires")
        return self

    @classmethod
    def from_env(cls) -> Settings:
        """The environment's settings, or a ValueError that names each variable refused and why:
        `PGQ_POOL_SIZE: Input should be a valid integer..., got '2.5'`."""
        try:
            return cls()
        except ValidationError as refused:
            lines = [_line(error) for error in refused.errors(include_input=True)]
            raise ValueError("; ".join(lines)) from None


def _line(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if not error["loc"]:  # the settings as a whole: the message names the variables
        return message
    # Only a number can be refused, so no token is ever echoed.
    return f"{ENV_PREFIX}{str(error['loc'][0]).upper()}: {message}, got {error['input']!r}"
