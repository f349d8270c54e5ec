"""A cluster shared with other applications: pgQueue manages only the roles it created.

The other application's `authenticator` (LOGIN NOINHERIT, member of its own `web_anon`) exists
before pgQueue is deployed. The released change schema/roles (@v1.0) would set that role's
password on the first deploy; support.localpg.sqitch hands it the role's own verifier instead.
A revert past schema/roles keeps it too (a failed first deploy below reverts that far).

A `pgq_owner` or `pgq_admin` that pgQueue did not create, or that can log in or has members, is
never handed pgq: the deploy stops first (schema/role_check). And the event trigger that hands
pgq's objects to pgq_owner leaves every other DDL statement alone, even when pgq_owner is missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from support.localpg import (
    MANAGED_ROLE,
    Cluster,
    create_database,
    gateway_url,
    psql,
    scratch_cluster,
    sqitch,
    sync_passwords,
)

PGQ_NEW_ROLES = "pgq_admin,pgq_gateway_admin,pgq_maintainer,pgq_owner"
PGQ_ROLES = f"{PGQ_NEW_ROLES},pgq_client,pgq_gateway,authenticator"


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


@pytest.fixture(scope="module")
def bare() -> Iterator[Cluster]:
    """A cluster without pgQueue's roles until a test makes them."""
    owned = scratch_cluster("roles")
    owned.start()
    try:
        yield owned
    finally:
        owned.remove()


def drop_with_roles(cluster: Cluster, url: str, *others: str) -> None:
    """Drop the database, then pgQueue's roles and OTHERS: the cluster is bare again."""
    psql(cluster.url, f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)")
    for role in [*PGQ_ROLES.split(","), *others]:
        psql(cluster.url, f"DROP ROLE IF EXISTS {role}")


def held(url: str) -> str:
    """What pgq_owner and pgq_admin own or hold a right on in this database."""
    return psql(url, """
        SELECT string_agg(concat_ws(' ', classid::regclass, objid, deptype), ', ' ORDER BY objid)
        FROM pg_shdepend
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND refobjid IN (SELECT oid FROM pg_roles WHERE rolname IN ('pgq_owner', 'pgq_admin'))""")


# The roles not marked as pgQueue's: a failed deploy's revert may drop only marked ones.
ROLES = """SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles
           WHERE rolname !~ '^pg_' AND shobj_description(oid, 'pg_authid') IS DISTINCT FROM :'managed'"""


def deployed_ever(url: str, change: str) -> str:
    return psql(url, f"SELECT count(*) FROM sqitch.events WHERE change = '{change}' AND event = 'deploy'")


@pytest.mark.parametrize("made_before, refusal", [
    pytest.param("CREATE ROLE pgq_owner LOGIN PASSWORD 'theirs'; CREATE TABLE theirs (id int);"
                 "ALTER TABLE theirs OWNER TO pgq_owner; CREATE ROLE authenticator LOGIN NOINHERIT",
                 "pgq_owner exists, but pgQueue did not create it", id="another-applications-pgq_owner"),
    pytest.param("CREATE ROLE pgq_owner LOGIN; COMMENT ON ROLE pgq_owner IS :'managed'",
                 "pgq_owner can log in", id="pgq_owner-with-a-login"),
    pytest.param("CREATE ROLE pgq_admin; COMMENT ON ROLE pgq_admin IS :'managed';"
                 "CREATE ROLE intruder; GRANT pgq_admin TO intruder",
                 "pgq_admin has members (intruder)", id="pgq_admin-with-a-member"),
])
def test_a_first_deploy_stops_before_handing_pgq_to_a_role_not_its_own(
    bare: Cluster, capfd: pytest.CaptureFixture[str], made_before: str, refusal: str
) -> None:
    url = create_database(bare, "pgq_first")
    try:
        psql(url, made_before, managed=MANAGED_ROLE)
        theirs, roles = held(url), psql(url, ROLES, managed=MANAGED_ROLE)
        with pytest.raises(SystemExit):
            sqitch("deploy", url, "--verify", quiet=True)
        assert refusal in capfd.readouterr().err
        # It stopped before schema/ownership ever ran: the revert of a failed deploy (sqitch's --mode all)
        # would otherwise have reassigned what the role owned, the other application's table included.
        assert deployed_ever(url, "schema/ownership") == "0"
        assert held(url) == theirs
        assert psql(url, ROLES, managed=MANAGED_ROLE) == roles, "another application's role was dropped"
    finally:
        drop_with_roles(bare, url, "intruder")


def test_an_upgrade_stops_while_pgq_owner_can_log_in(
    bare: Cluster, capfd: pytest.CaptureFixture[str]
) -> None:
    url = create_database(bare, "pgq_upgrade")
    try:
        sqitch("deploy", url, "--to", "@v1.5", quiet=True)
        psql(url, "ALTER ROLE pgq_owner LOGIN")
        with pytest.raises(SystemExit):
            sqitch("deploy", url, quiet=True)  # sqitch.conf's deploy.verify is on: verifies as it deploys
        assert "pgq_owner can log in" in capfd.readouterr().err
        psql(url, "ALTER ROLE pgq_owner NOLOGIN")
        sqitch("deploy", url, quiet=True)
    finally:
        drop_with_roles(bare, url)


def test_other_ddl_works_while_pgq_owner_is_missing(admin_url: str) -> None:
    """As after a restore with --no-owner into a cluster without pgQueue's roles (simulated by a rename,
    since a role that owns objects cannot be dropped): DDL anywhere works, and nothing is adopted."""
    with psycopg.connect(admin_url, autocommit=True) as dba:
        dba.execute("ALTER ROLE pgq_owner RENAME TO pgq_owner_elsewhere")
        try:
            dba.execute("CREATE TABLE public.other_app (id int)")
            dba.execute("ALTER TABLE public.other_app ADD COLUMN note text")
            dba.execute("CREATE TABLE pgq.restored (id int)")
            restored = table_owner(dba, "restored")
        finally:
            dba.execute("ALTER ROLE pgq_owner_elsewhere RENAME TO pgq_owner")
        assert restored == "postgres"
        dba.execute("CREATE TABLE pgq.adopted (id int)")  # with pgq_owner back, pgq's new objects are its own
        assert table_owner(dba, "adopted") == "pgq_owner"


def table_owner(conn: psycopg.Connection[tuple[object, ...]], table: str) -> object:
    row = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [table]).fetchone()
    return row[0] if row else None
