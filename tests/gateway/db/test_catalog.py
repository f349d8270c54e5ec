"""The backends' facts about pgq's functions, checked against a freshly deployed database: READS
against pg_proc's volatility, ADMIN_FUNCTIONS and AS_ADMIN against the grants."""

from __future__ import annotations

import psycopg
import pytest

from gateway.db import ADMIN_FUNCTIONS, ADMIN_ROLE, READS
from gateway.db.postgrest import AS_ADMIN

# Each of pgq's functions by name (the `_private` helpers apart): its volatility, and whether
# PostgREST's anonymous role, the gateway's login and the admin role may execute it.
CATALOG = """
SELECT p.proname, p.provolatile,
       pg_catalog.has_function_privilege('pgq_client', p.oid, 'EXECUTE'),
       pg_catalog.has_function_privilege('pgq_gateway', p.oid, 'EXECUTE'),
       pg_catalog.has_function_privilege(%s, p.oid, 'EXECUTE')
FROM pg_catalog.pg_proc AS p
WHERE p.pronamespace = 'pgq'::regnamespace AND p.proname NOT LIKE '\\_%%'
"""

Catalog = dict[str, tuple[str, bool, bool, bool]]


@pytest.fixture
def functions(admin: psycopg.Connection[tuple[object, ...]]) -> Catalog:
    rows = admin.execute(CATALOG, (ADMIN_ROLE,)).fetchall()
    return {str(name): (str(kind), bool(client), bool(gateway), bool(owner))
            for name, kind, client, gateway, owner in rows}


def test_reads_are_the_functions_that_change_nothing(functions: Catalog) -> None:
    """A read whose answer is lost is a 503 (nothing happened); any other call's is a 504. So READS is
    exactly the functions PostgreSQL knows cannot write: STABLE or IMMUTABLE, never VOLATILE."""
    assert {name for name, (kind, *_) in functions.items() if kind != "v"} == READS


def test_admin_functions_are_those_only_the_admin_role_may_call(functions: Catalog) -> None:
    """Both backends run these as pgq_admin: pgq_gateway may not execute them itself."""
    assert {
        name for name, (_, _, gateway, admin) in functions.items() if admin and not gateway
    } == ADMIN_FUNCTIONS


def test_postgrest_calls_as_admin_what_its_anonymous_role_may_not(functions: Catalog) -> None:
    """PostgREST runs a call as pgq_client unless the gateway presents a pgq_admin JWT."""
    assert {name for name, (_, client, _, admin) in functions.items() if admin and not client} == AS_ADMIN
