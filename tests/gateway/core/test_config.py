"""Settings come from PGQ_* environment variables, with the documented defaults."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from gateway.app import create_app
from gateway.core.config import ENV_PREFIX, Settings
from support.localpg import REPO

FromEnv = Callable[[dict[str, str]], Settings]


def test_defaults(from_env: FromEnv) -> None:
    settings = from_env({"PGQ_DATABASE_URL": "postgresql://db/pgqueue"})
    assert settings == Settings(
        database_url="postgresql://db/pgqueue", postgrest_url=None, upstream_timeout=5,
        max_body_bytes=1048576, pool_size=10, metrics_cache_seconds=2, metrics_top_channels=50,
        maintain_interval=60, body_timeout=10, max_concurrent=1000,
    )


def test_every_variable(from_env: FromEnv) -> None:
    settings = from_env({
        "PGQ_POSTGREST_URL": "http://postgrest:3000", "PGQ_UPSTREAM_TIMEOUT": "1.5",
        "PGQ_MAX_BODY_BYTES": "2048", "PGQ_POOL_SIZE": "3", "PGQ_METRICS_CACHE_SECONDS": "0",
        "PGQ_METRICS_TOP_CHANNELS": "7", "PGQ_MAINTAIN_INTERVAL": "0", "PGQ_BODY_TIMEOUT": "2.5",
        "PGQ_MAX_CONCURRENT": "40", "PGQ_MAX_WAITING": "30", "PGQ_DATABASE_URL": "",
    })
    assert settings == Settings(
        postgrest_url="http://postgrest:3000", upstream_timeout=1.5, max_body_bytes=2048, pool_size=3,
        metrics_cache_seconds=0, metrics_top_channels=7, maintain_interval=0, body_timeout=2.5,
        max_concurrent=40, max_waiting=30,
    )


def test_a_backend_url_is_required(from_env: FromEnv) -> None:
    with pytest.raises(ValueError, match="PGQ_DATABASE_URL"):
        from_env({})


def test_bad_numbers_name_their_variable(from_env: FromEnv) -> None:
    with pytest.raises(ValueError, match=r"PGQ_UPSTREAM_TIMEOUT: .*valid number, .*got 'soon'"):
        from_env({"PGQ_DATABASE_URL": "x", "PGQ_UPSTREAM_TIMEOUT": "soon"})
    with pytest.raises(ValueError, match=r"PGQ_BODY_TIMEOUT: .*finite"):
        from_env({"PGQ_DATABASE_URL": "x", "PGQ_BODY_TIMEOUT": "nan"})
    with pytest.raises(ValueError, match="must be positive"):
        from_env({"PGQ_DATABASE_URL": "x", "PGQ_POOL_SIZE": "0"})
    for name in ("PGQ_MAX_CONCURRENT", "PGQ_MAX_WAITING", "PGQ_BODY_TIMEOUT"):
        with pytest.raises(ValueError, match="must be positive"):
            from_env({"PGQ_DATABASE_URL": "x", name: "0"})


def test_a_fractional_count_stops_the_gateway_at_start_up(from_env: FromEnv) -> None:
    """Refused, not truncated to 2; create_app is what uvicorn calls at start-up."""
    with pytest.raises(ValueError, match=r"^PGQ_POOL_SIZE: Input should be a valid integer.*, got '2\.5'$"):
        from_env({"PGQ_DATABASE_URL": "x", "PGQ_POOL_SIZE": "2.5"})
    with pytest.raises(ValueError, match=r"PGQ_POOL_SIZE: .*got '2\.5'"):
        create_app()  # with the environment from_env left
    assert from_env({"PGQ_DATABASE_URL": "x", "PGQ_POOL_SIZE": "2.0"}).pool_size == 2


def test_the_guide_lists_every_variable_with_its_default() -> None:
    """docs/operations.md's table of gateway settings: one row per field, the default as Settings has it."""
    guide = (REPO / "docs" / "operations.md").read_text()
    section = guide.split("\n## Gateway settings\n")[1].split("\n## ")[0]
    rows = dict(re.findall(r"^\| `(PGQ_[A-Z_]+)` \| ([^|]+) \|", section, re.MULTILINE))
    assert len(rows) == len(Settings.model_fields)
    for name, field in Settings.model_fields.items():
        variable = ENV_PREFIX + name.upper()
        assert variable in rows, variable
        default = field.default
        if default is None:
            assert rows[variable].strip() in ("unset", "set by `make run`"), variable
        else:
            shown = f"{default:g}" if isinstance(default, float) else str(default)
            shown = shown.lower() if isinstance(default, bool) else shown  # as one sets it: true, false
            assert rows[variable].strip() == f"`{shown}`", variable
