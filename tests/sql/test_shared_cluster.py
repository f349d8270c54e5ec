"""A cluster shared with another PostgREST application: pgQueue manages only the roles it created.

The other application's `authenticator` (LOGIN NOINHERIT, member of its own `web_anon`) exists
before pgQueue is deployed. The released change schema/roles (@v1.0) would set that role's
password on the first deploy; support.localpg.sqitch hands it the role's own verifier instead.
Known limit (docs/operations.md): a revert past schema/roles may drop it; this test reverts to @v1.2.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from support.localpg import (
    Cluster,
    create_database,
    gateway_url,
    psql,
    scratch_cluster,
    sqitch,
    sync_passwords,
)

PGQ_NEW_ROLES = "pgq_admin,pgq_gateway_admin,pgq_maintainer,pgq_owner"


@pytest.fixture(scope="module")
def shared() -> Iterator[Cluster]:
    owned = scratch_cluster("shared")
    owned.start()
    try:
        psql(owned.url, "CREATE ROLE web_anon NOLOGIN;"
                        "CREATE ROLE authenticator LOGIN NOINHERIT PASSWORD 'other-app';"
                        "GRANT web_anon TO authenticator;")
        yield owned
    finally:
        owned.remove()


def memberships(url: str, role: str) -> str:
    return psql(url, "SELECT string_agg(roleid::regrole::text, ',' ORDER BY roleid::regrole::text) "
                     f"FROM pg_auth_members WHERE member = '{role}'::regrole")


def verifier(url: str, role: str) -> str:
    return psql(url, f"SELECT rolpassword FROM pg_authid WHERE rolname = '{role}'")


def test_another_applications_authenticator_keeps_its_memberships_and_password(
    shared: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = create_database(shared, "pgq_shared")
    theirs = verifier(url, "authenticator")
    # The first deploy next to it keeps its password, whatever pgQueue's own is set to.
    monkeypatch.setenv("PGQ_AUTHENTICATOR_PASSWORD", "would-clobber-theirs")
    sqitch("deploy", url, "--verify", quiet=True)

    assert verifier(url, "authenticator") == theirs
    assert memberships(url, "authenticator") == "web_anon"
    assert psql(url, "SELECT shobj_description('authenticator'::regrole, 'pg_authid') IS NULL") == "t"
    # ... while pgQueue's own logins are managed: the gateway still works.
    with psycopg.connect(gateway_url(url), autocommit=True) as conn:
        assert conn.execute("SELECT pgq.enqueue('two', '{}') > 0").fetchone() == (True,)

    # `make db`'s password sync changes pgq_gateway's password, never the other application's.
    monkeypatch.setenv("PGQ_GATEWAY_PASSWORD", "rotated-gateway-password")
    monkeypatch.setenv("PGQ_AUTHENTICATOR_PASSWORD", "would-clobber-theirs")
    sync_passwords(url)
    assert verifier(url, "authenticator") == theirs
    psycopg.connect(gateway_url(url)).close()  # logs in with the rotated password

    # Reverting pgQueue's role changes drops only the roles they created.
    sqitch("revert", url, "-y", "--to", "@v1.2", quiet=True)
    assert memberships(url, "authenticator") == "web_anon"
    assert verifier(url, "authenticator") == theirs
    assert psql(url, "SELECT count(*) FROM pg_roles WHERE rolname = ANY (string_to_array(:'roles', ','))",
                roles=PGQ_NEW_ROLES) == "0"
