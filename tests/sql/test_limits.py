"""One source per bound: pgq.limits() in SQL, gateway/bounds.py mirroring it, no check that writes its
bound as a number instead of asking pgq._limit(), and no COMMENT or error message that states a bound
other than pgq.limits()'s."""

from __future__ import annotations

import re

import psycopg

from gateway import bounds
from gateway.models import CHANNEL_PATTERN
from support.localpg import REPO

# The upper bound of a _check_range/_check_length call: its last argument.
CHECK_CALL = re.compile(r"pgq\._check_(?:range|length)\((?P<arguments>[^;]*)\);", re.S)

# How a text states a bound: "1-100", "1-64 characters", "at most 7 days", "at most 1 MiB (1048576 bytes)".
BOUND = re.compile(r"\b\d+-(?P<range>\d+)\b"
                   r"|\bat most (?P<most>\d+) (?P<unit>levels|MiB|bytes|seconds|minutes|hours|days)\b"
                   r"|\((?P<bytes>\d+) bytes\)")
UNITS = {"levels": 1, "MiB": 2**20, "bytes": 1, "seconds": 1, "minutes": 60, "hours": 3_600, "days": 86_400}
# Numbers that are not bounds: defaults, as in "(1-1000, default 5)" or "the defaults (max_deliveries 5)", and
# the characters of a channel name.
NOT_A_BOUND = re.compile(r"\bdefaults? (?:limits )?\([^)]*\)|\bdefault \d+(?: (?:seconds|hours|days))?"
                         r"|A-Z a-z 0-9")
# The pgq.limits() row that bounds a parameter, by what the bound counts (levels and bytes of a message);
# sql/functions/limits.sql says the same in its comments.
LIMIT_OF = {
    ("channel", ""): "channel_length",
    ("message", "levels"): "max_message_depth",
    ("message", "bytes"): "max_message_bytes",
    ("messages", ""): "max_batch",
    ("delay_seconds", ""): "max_delay_seconds",
    ("visibility_seconds", ""): "max_visibility_seconds",
    ("seconds", ""): "max_visibility_seconds",
    ("take", ""): "max_take",
    ("skip", ""): "max_skip",
    ("dedup_key", ""): "dedup_key_length",
    ("group_key", ""): "group_key_length",
    ("dedup_window", ""): "max_dedup_window_seconds",
    ("max_deliveries", ""): "max_deliveries",
    ("listener", ""): "listener_length",
    ("channels", ""): "max_watched_channels",
    ("ttl_seconds", ""): "max_watch_ttl_seconds",
}
# Where one function's parameter has another parameter's name.
LIMIT_IN = {
    ("peek", "take"): "max_list_take",
    ("dead_letters", "take"): "max_list_take",
    ("nack", "delay_seconds"): "max_visibility_seconds",
}
PARAMETER = re.compile(r"\b(?:" + "|".join(sorted({name for name, _ in LIMIT_OF}, key=len)[::-1]) + r")\b")
RAISED = re.compile(r"RAISE EXCEPTION '(?P<text>(?:[^']|'')*)'")


def stated_bounds(function: str, text: str, limits: dict[str, int]) -> list[str]:
    """What is wrong with the bounds text states: each must be the pgq.limits() value of the parameter it
    follows, or of the parameter named right after it ("1-100 (take)", "1-10000 messages"), and every
    other number in it must be a default or 0."""
    wrong = []
    text = NOT_A_BOUND.sub("", text)
    for bound in BOUND.finditer(text):
        unit = bound["unit"] or ("bytes" if bound["bytes"] else "")
        stated = int(bound["range"] or bound["most"] or bound["bytes"]) * UNITS.get(unit, 1)
        after = re.match(r"\s*\(?(\w+)", text[bound.end():])
        before = [name[0] for name in PARAMETER.finditer(text, 0, bound.start())]
        if after and PARAMETER.fullmatch(after[1]):
            parameter = after[1]
        elif before:
            parameter = before[-1]
        else:
            wrong.append(f"{function}: {bound[0]!r} names no parameter")
            continue
        kind = {"levels": "levels", "MiB": "bytes", "bytes": "bytes"}.get(unit, "")
        name = LIMIT_IN.get((function, parameter)) or LIMIT_OF.get((parameter, kind))
        if name is None:
            wrong.append(f"{function}: {bound[0]!r} bounds {parameter}, which pgq.limits() does not")
        elif stated != limits[name]:
            wrong.append(f"{function}: {bound[0]!r} says {stated} for {parameter}, not {limits[name]}")
    wrong += [f"{function}: {number[0]!r} is neither a bound nor a default" for number in
              re.finditer(r"(?<![\w.])[1-9][\d,]*(?: \w+)?", BOUND.sub("", text))]
    return wrong


def test_the_gateway_mirrors_pgq_limits(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    rows = admin.execute("SELECT name, value FROM pgq.limits()").fetchall()
    assert {name: value for name, value in rows} == bounds.SQL_LIMITS


def test_the_gateway_is_never_looser_than_the_database() -> None:
    assert bounds.HTTP_MAX_BATCH <= bounds.MAX_BATCH


def test_the_channel_pattern_holds_channel_length_characters(
    admin: psycopg.Connection[tuple[object, ...]],
) -> None:
    """pgq._valid_channel's pattern (a CHECK constraint uses it) and the gateway's both say 64."""
    longest, too_long = "a" * bounds.CHANNEL_LENGTH, "a" * (bounds.CHANNEL_LENGTH + 1)
    valid = "SELECT pgq._valid_channel(%s), pgq._valid_channel(%s)"
    assert admin.execute(valid, (longest, too_long)).fetchone() == (True, False)
    assert re.fullmatch(CHANNEL_PATTERN, longest) and not re.fullmatch(CHANNEL_PATTERN, too_long)


def test_every_check_takes_its_bound_from_pgq_limits() -> None:
    literal = []
    for path in sorted((REPO / "sql" / "functions").glob("*.sql")):
        for call in CHECK_CALL.finditer(path.read_text()):
            highest = call["arguments"].rsplit(",", 1)[1].strip()
            if highest.isdigit():
                literal.append(f"{path.name}: {call[0]}")
    assert literal == []


def test_a_bound_is_folded_into_the_plan(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    """pgq._limit('max_take') is evaluated when a check is planned, not each time it runs: the hot
    paths (dequeue, lease) cache their plans per session, so a bound costs them nothing."""
    explain = ("EXPLAIN (VERBOSE, COSTS OFF) SELECT pgq._check_range('take', g, 1, pgq._limit('max_take'))"
               " FROM generate_series(1, 2) AS g")
    plan = admin.execute(explain)
    output = "\n".join(str(line) for (line,) in plan.fetchall())
    assert "'100'::bigint" in output and "_limit" not in output


def sql_limits(admin: psycopg.Connection[tuple[object, ...]]) -> dict[str, int]:
    rows = admin.execute("SELECT name, value FROM pgq.limits()")
    return {str(name): int(str(value)) for name, value in rows}


def test_every_comment_states_the_bounds_of_pgq_limits(admin: psycopg.Connection[tuple[object, ...]]) -> None:
    comments = [(str(function), str(text or "")) for function, text in admin.execute(
        "SELECT p.proname, obj_description(p.oid, 'pg_proc') FROM pg_proc AS p"
        " WHERE p.pronamespace = 'pgq'::regnamespace ORDER BY 1")]
    assert len(comments) > 20 and BOUND.search(dict(comments)["lease"])
    limits = sql_limits(admin)
    assert [problem for function, text in comments for problem in stated_bounds(function, text, limits)] == []


def test_every_error_message_states_the_bounds_of_pgq_limits(
    admin: psycopg.Connection[tuple[object, ...]],
) -> None:
    """RAISE EXCEPTION's messages in sql/functions, as _validation's "channel must be 1-64 characters"."""
    messages = [(path.stem, raised["text"].replace("''", "'"))
                for path in sorted((REPO / "sql" / "functions").glob("*.sql"))
                for raised in RAISED.finditer(path.read_text())]
    assert any(BOUND.search(text) for function, text in messages if function == "_validation")
    limits = sql_limits(admin)
    assert [problem for function, text in messages for problem in stated_bounds(function, text, limits)] == []
