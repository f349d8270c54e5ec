"""/docs and /redoc work offline: Swagger UI and ReDoc come from the gateway itself (fastapi-offline),
and headless Chromium, with every host but loopback unreachable, renders the operations."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import httpx

from support.serve import running_gateway

CHROMIUM = shutil.which("chromium")
# Chromium goes straight to loopback and through this proxy for anything else: a port nobody
# listens on, so a script from a CDN would fail to load, as it would offline.
NOWHERE = "http://127.0.0.1:9"
RENDER_MS = 20_000  # virtual time for the scripts to fetch /openapi.json and render it


def rendered(url: str) -> str:
    """The page's DOM once its scripts have run, as headless Chromium sees it."""
    assert CHROMIUM, "chromium is missing: `make bootstrap` installs it"
    with tempfile.TemporaryDirectory(prefix="pgq-chromium-") as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             f"--proxy-server={NOWHERE}", f"--virtual-time-budget={RENDER_MS}", "--dump-dom", url],
            capture_output=True, text=True, timeout=120, check=True,
        )
    return done.stdout


def test_swagger_ui_renders_every_operation_offline(gateway_dsn: str) -> None:
    with running_gateway(PGQ_DATABASE_URL=gateway_dsn) as gateway:
        page = httpx.get(f"{gateway.url}/docs").text
        assert "cdn" not in page.lower(), page
        dom = rendered(f"{gateway.url}/docs")
    assert 'class="swagger-ui"' in dom
    operations = ("/queue/{channel}/extend", "/channels/{channel}", "/stats", "/channels/{channel}/messages")
    for operation in (*operations, "/message"):
        assert f'data-path="{operation}"' in dom, operation


def test_redoc_renders_offline(gateway_dsn: str) -> None:
    with running_gateway(PGQ_DATABASE_URL=gateway_dsn) as gateway:
        assert "cdn" not in httpx.get(f"{gateway.url}/redoc").text.lower()
        dom = rendered(f"{gateway.url}/redoc")
    assert "/queue/{channel}/extend" in dom
