"""Every setting the gateway reads from the environment, in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.core.security import AUDIENCE


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    postgrest_url: str | None = None
    upstream_timeout: float = 5.0
    max_body_bytes: int = 1024 * 1024
    body_timeout: float = 10.0  # seconds for a request body to arrive whole
    max_concurrent: int = 1000  # requests served at once, long polls apart
    max_waiting: int = 1000  # long polls (?wait=) served at once, apart from max_concurrent
    pool_size: int = 10
    metrics_cache_seconds: float = 2.0
    metrics_top_channels: int = 50
    maintain_interval: float = 60.0
    api_token: str | None = field(default=None, repr=False)  # off unless PGQ_API_TOKEN is set
    admin_token: str | None = field(default=None, repr=False)  # unset: the admin routes are off (403)
    postgrest_jwt_secret: str | None = field(default=None, repr=False)  # signs the admin JWT for PostgREST
    postgrest_jwt_aud: str = AUDIENCE  # the admin JWT's audience: PostgREST's PGRST_JWT_AUD

    def __post_init__(self) -> None:
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        def number(name: str, default: float) -> float:
            raw = env.get(name, "")
            try:
                return float(raw) if raw else default
            except ValueError:
                raise ValueError(f"{name} must be a number, got {raw!r}") from None

        return cls(
            database_url=env.get("PGQ_DATABASE_URL") or None,
            postgrest_url=env.get("PGQ_POSTGREST_URL") or None,
            upstream_timeout=number("PGQ_UPSTREAM_TIMEOUT", cls.upstream_timeout),
            max_body_bytes=int(number("PGQ_MAX_BODY_BYTES", cls.max_body_bytes)),
            body_timeout=number("PGQ_BODY_TIMEOUT", cls.body_timeout),
            max_concurrent=int(number("PGQ_MAX_CONCURRENT", cls.max_concurrent)),
            max_waiting=int(number("PGQ_MAX_WAITING", cls.max_waiting)),
            pool_size=int(number("PGQ_POOL_SIZE", cls.pool_size)),
            metrics_cache_seconds=number("PGQ_METRICS_CACHE_SECONDS", cls.metrics_cache_seconds),
            metrics_top_channels=int(number("PGQ_METRICS_TOP_CHANNELS", cls.metrics_top_channels)),
            maintain_interval=number("PGQ_MAINTAIN_INTERVAL", cls.maintain_interval),
            api_token=env.get("PGQ_API_TOKEN") or None,
            admin_token=env.get("PGQ_ADMIN_TOKEN") or None,
            postgrest_jwt_secret=env.get("PGQ_POSTGREST_JWT_SECRET") or None,
            postgrest_jwt_aud=env.get("PGQ_POSTGREST_JWT_AUD") or AUDIENCE,
        )
