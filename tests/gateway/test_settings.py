"""Settings come from PGQ_* environment variables, with the documented defaults."""

from __future__ import annotations

import pytest

from gateway.core.config import Settings


def test_defaults() -> None:
    settings = Settings.from_env({"PGQ_DATABASE_URL": "postgresql://db/pgqueue"})
    assert settings == Settings(
        database_url="postgresql://db/pgqueue", postgrest_url=None, upstream_timeout=5,
        max_body_bytes=1048576, pool_size=10, metrics_cache_seconds=2, metrics_top_channels=50,
        maintain_interval=60, body_timeout=10, max_concurrent=1000,
    )


def test_every_variable() -> None:
    settings = Settings.from_env({
        "PGQ_POSTGREST_URL": "http://postgrest:3000", "PGQ_UPSTREAM_TIMEOUT": "1.5",
        "PGQ_MAX_BODY_BYTES": "2048", "PGQ_POOL_SIZE": "3", "PGQ_METRICS_CACHE_SECONDS": "0",
        "PGQ_METRICS_TOP_CHANNELS": "7", "PGQ_MAINTAIN_INTERVAL": "0", "PGQ_BODY_TIMEOUT": "2.5",
        "PGQ_MAX_CONCURRENT": "40", "PGQ_MAX_WAITING": "30",
    })
    assert settings == Settings(
        postgrest_url="http://postgrest:3000", upstream_timeout=1.5, max_body_bytes=2048, pool_size=3,
        metrics_cache_seconds=0, metrics_top_channels=7, maintain_interval=0, body_timeout=2.5,
        max_concurrent=40, max_waiting=30,
    )


def test_a_backend_url_is_required() -> None:
    with pytest.raises(ValueError, match="PGQ_DATABASE_URL"):
        Settings.from_env({})


def test_bad_numbers_name_their_variable() -> None:
    with pytest.raises(ValueError, match="PGQ_UPSTREAM_TIMEOUT"):
        Settings.from_env({"PGQ_DATABASE_URL": "x", "PGQ_UPSTREAM_TIMEOUT": "soon"})
    with pytest.raises(ValueError, match="must be positive"):
        Settings.from_env({"PGQ_DATABASE_URL": "x", "PGQ_POOL_SIZE": "0"})
    for name in ("PGQ_MAX_CONCURRENT", "PGQ_MAX_WAITING", "PGQ_BODY_TIMEOUT"):
        with pytest.raises(ValueError, match="must be positive"):
            Settings.from_env({"PGQ_DATABASE_URL": "x", name: "0"})
