"""Schemathesis against the app's own OpenAPI document, in process, on SQLite and PostgreSQL.

Every operation of ``/api/v1/openapi.json`` is driven with positive and negative generated requests, as
a real user (an analyst, then a platform admin) of an agency that owns reports, sees another agency's
report and cannot see a third one. Path parameters are drawn from random values and from the world's
real identifiers, so handlers are reached past their 404s. Each response must:

- not be a server error (``not_a_server_error``);
- match the declared status codes, content types and response models (``status_code_conformance``,
  ``content_type_conformance``, ``response_schema_conformance``);
- leak nothing of the server: no traceback, SQL text, driver names, server file paths or the secret key.

The example count is bounded (``INTERDICT_FUZZ_EXAMPLES`` per operation and generation mode, default 4)
so the file stays well inside the normal suite's time; raise it locally for a deeper run. Generation is
derandomized (same examples every run) and not shrunk; all failures of a run are reported together.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from argon2 import PasswordHasher
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, CheckFunction, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from interdict.api.app import API_PREFIX, create_app
from interdict.schemas.intel import OnwardRequestCreate
from interdict.services import auth
from interdict.services.platform import Platform
from tests.conftest import TEST_SECRET, Clock
from tests.factories import Person, World

Operation = APIOperation[Any, Any, Any, Any]
AnyCase = Case[Any]
log = logging.getLogger(__name__)
EXAMPLES = int(os.environ.get("INTERDICT_FUZZ_EXAMPLES", "4"))
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)

# Text that must never reach a client, whatever it sent.
LEAK_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("traceback", re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+")),
    ("python exception", re.compile(r"\b(?:AttributeError|KeyError|TypeError|AssertionError)\b")),
    (
        "SQL text",
        re.compile(
            r"\bSELECT\b[\s\S]{1,200}?\bFROM\b|\bINSERT INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE FROM\b"
            r"|\[SQL:|\(Background on this error",
            re.IGNORECASE,
        ),
    ),
    (
        "database driver",
        re.compile(
            r"sqlalchemy|psycopg|sqlite3\.|OperationalError|IntegrityError|ProgrammingError|DataError"
            r"|UniqueViolation"
        ),
    ),
    ("python path", re.compile(r"site-packages|\.py\b\"?, line|/usr/lib/python")),
]


@dataclass
class Fuzzing:
    """The world a run fuzzes against, and what it saw."""

    caller: Person
    secrets: list[str]
    path_values: dict[str, list[str]]
    calls: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)


def no_leaks(secrets: list[str]) -> CheckFunction:
    def no_server_internals_in_body(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
        # Workbooks (XLSX) are binary: read every answer as bytes, so a leak in any of them still shows.
        text = (response.content or b"").decode("utf-8", "replace")
        for what, pattern in LEAK_PATTERNS:
            match = pattern.search(text)
            if match:
                raise AssertionError(f"response leaks {what}: {match.group(0)[:120]!r}")
        for secret in secrets:
            if secret and secret in text:
                raise AssertionError(f"response contains a server secret or path ({secret[:12]}...)")
        return None

    return no_server_internals_in_body


def build_world(world: World, role: str) -> tuple[Person, dict[str, list[str]]]:
    """Three agencies (TH owns, LA shares a mechanism with TH, US stands apart), reports of each."""
    th, la = world.agency(country="TH"), world.agency(country="LA")
    us = world.agency(country="US")
    mek = f"MEK-{th}"
    world.mechanism(mek, [th, la])
    caller = world.user(th, role)
    th_writer, la_writer, us_writer = world.user(th), world.user(la), world.user(us)
    own = world.report(
        th_writer, distribution="mechanisms", mechanisms=[mek], tags=["route"], countries=["TH"]
    )
    world.report(th_writer, handling_conditions=["no_onward_sharing"])
    seen = world.report(la_writer, distribution="agencies", agencies=[th], body="**Bokeo**")
    hidden = world.report(us_writer, distribution="agency")
    writer = world.actor(th_writer)
    with world.p.db.unit() as s:
        att = world.p.attachments.add(s, writer, own.uuid, "note.txt", b"plain text note")
        onward = world.p.onward.request(
            s, writer, seen.uuid, OnwardRequestCreate(add_agencies=[us], reason="case")
        )
        onward_uuid, att_uuid = onward.uuid, att.uuid
    paths = {
        "ref": [own.uuid, seen.uuid, hidden.uuid, onward_uuid],
        "att_ref": [att_uuid],
        "code": [la, us, mek],
        "username": [th_writer.username, la_writer.username],
    }
    return caller, paths


def path_strategy(op: Operation, values: dict[str, list[str]]) -> st.SearchStrategy[dict[str, str]] | None:
    names = [p.name for p in op.path_parameters]
    if not names or any(n not in values for n in names):
        return None
    return st.fixed_dictionaries({n: st.sampled_from(values[n]) for n in names})


def operation_strategy(op: Operation, values: dict[str, list[str]]) -> st.SearchStrategy[AnyCase]:
    strategies = [op.as_strategy(generation_mode=mode) for mode in MODES]
    real = path_strategy(op, values)
    if real is not None:
        strategies.append(
            real.flatmap(lambda params: op.as_strategy(GenerationMode.POSITIVE, path_parameters=params))
        )
    return st.one_of(strategies)


CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def fuzz_operation(op: Operation, run: Fuzzing) -> None:
    """A bounded, derandomized Hypothesis run over one operation; raises on the first failing example."""
    label = op.label
    checks = [*CHECKS, no_leaks(run.secrets)]
    per_op = EXAMPLES * (len(MODES) + (path_strategy(op, run.path_values) is not None))

    @settings(
        max_examples=per_op,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(case=operation_strategy(op, run.path_values))
    def one(case: AnyCase) -> None:
        response = case.call(headers=run.caller.headers)
        run.calls[label] = run.calls.get(label, 0) + 1
        run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=checks)

    one()


def fuzz(schema: BaseSchema, run: Fuzzing) -> dict[str, str]:
    """Every operation in turn; returns {operation: failure report} for all that failed."""
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures[repr(result)] = f"the schema has an invalid operation: {result.err()}"
            continue
        op = result.ok()
        try:
            fuzz_operation(op, run)
        except (AssertionError, Failure, BaseExceptionGroup) as exc:
            failures[op.label] = str(exc)[:4000]
        except Exception as exc:  # the in-process client re-raises what the app did not handle: a 500
            failures[op.label] = f"server error, unhandled {type(exc).__name__}: {str(exc)[:1000]}"
    return failures


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters for the world's users (the defaults cost ~0.25 s a hash)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def fuzz_app(platform: Platform, clock: Clock) -> Iterator[FastAPI]:
    yield create_app(platform=platform, clock=clock)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["analyst", "platform_admin"])
def test_openapi_fuzz(
    role: str, fuzz_app: FastAPI, world: World, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    caller, paths = build_world(world, role)
    repo_root = str(Path(__file__).resolve().parents[2])
    run = Fuzzing(caller, [TEST_SECRET, repo_root, str(tmp_path), sys.prefix], paths)
    schema = schemathesis.openapi.from_asgi(f"{API_PREFIX}/openapi.json", fuzz_app)
    operations = [r.ok().label for r in schema.get_all_operations() if isinstance(r, Ok)]
    failures = fuzz(schema, run)
    total = sum(run.calls.values())
    record_property("fuzz_requests", total)
    record_property("fuzz_statuses", dict(sorted(run.statuses.items())))
    log.info("fuzz %s: %d operations, %d requests, statuses %s", role, len(operations), total, run.statuses)
    assert not failures, "\n\n".join(f"== {k}\n{v}" for k, v in failures.items())
    assert sorted(run.calls) == sorted(operations), "every operation was exercised"
    assert total >= len(operations) * EXAMPLES
