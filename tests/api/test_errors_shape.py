"""One error shape for the whole API, and the same security headers on every answer.

Every refusal is RFC 9457 problem+json with exactly the keys type, title, status, detail, code and
errors[] (each error a {field, message}), ``type`` being ``urn:interdict:problem:<code>``. Every response,
success or failure, JSON or file, carries the security headers; none names the server software or
carries a stack trace.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from interdict.api.app import create_app
from interdict.services import auth
from interdict.services.platform import Platform
from tests.conftest import TEST_SECRET, Clock, make_settings
from tests.factories import Person, World

API = "/api/v1"
REPORTS = f"{API}/intel-reports"
MAX_BODY = 4096
PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors"}
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
STACK = re.compile(r"Traceback|File \"|line \d+, in |site-packages|sqlalchemy|psycopg|sqlite3|\[SQL:", re.I)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters for the passwords made here (the defaults cost ~0.25 s a hash)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def platform(db_url: str, tmp_path: Path) -> Iterator[Platform]:
    p = Platform(make_settings(db_url, tmp_path, max_body_bytes=MAX_BODY))
    yield p
    p.db.dispose()


class Scene:
    """Alice (TH) owns a report with an attachment and sees Bob's (LA); Carol (US) sees neither."""

    def __init__(self, world: World) -> None:
        th, la, us = world.agency(country="TH"), world.agency(country="LA"), world.agency(country="US")
        self.alice: Person = world.user(th)
        self.bob: Person = world.user(la)
        self.carol: Person = world.user(us)
        self.own = world.report(self.alice).uuid
        self.seen = world.report(self.bob, distribution="agencies", agencies=[th]).uuid
        writer = world.actor(self.alice)
        with world.p.db.unit() as s:
            self.attachment = world.p.attachments.add(s, writer, self.own, "note.txt", b"plain note").uuid


@pytest.fixture
def scene(world: World) -> Scene:
    return Scene(world)


Request = Callable[[TestClient, Scene], Response]


def _patch_stale(c: TestClient, s: Scene) -> Response:
    first = c.patch(f"{REPORTS}/{s.own}", headers=s.alice.headers, json={"version": 1, "title": "Edited"})
    assert first.status_code == 200, first.text
    stale: Response = c.patch(
        f"{REPORTS}/{s.own}", headers=s.alice.headers, json={"version": 1, "title": "Again"}
    )
    return stale


def _locked(c: TestClient, s: Scene) -> Response:
    for i in range(5):
        c.post(f"{API}/auth/login", json={"username": s.bob.username, "password": f"wrong {i}"})
    sixth: Response = c.post(
        f"{API}/auth/login", json={"username": s.bob.username, "password": s.bob.password}
    )
    return sixth


PROBLEMS: dict[str, tuple[int, str, Request]] = {
    "400-malformed-json": (
        400,
        "malformed_request",
        lambda c, s: c.post(
            REPORTS, headers={**s.alice.headers, "Content-Type": "application/json"}, content=b"{not json"
        ),
    ),
    "401-no-credential": (401, "authentication_required", lambda c, s: c.get(REPORTS)),
    "401-bad-token": (
        401,
        "authentication_required",
        lambda c, s: c.get(REPORTS, headers={"Authorization": "Bearer idt_nope"}),
    ),
    "403-not-owner": (
        403,
        "forbidden",
        lambda c, s: c.patch(
            f"{REPORTS}/{s.seen}", headers=s.alice.headers, json={"version": 1, "title": "x"}
        ),
    ),
    "403-not-admin": (403, "forbidden", lambda c, s: c.get(f"{API}/audit/verify", headers=s.alice.headers)),
    "404-hidden-record": (
        404,
        "not_found",
        lambda c, s: c.get(f"{REPORTS}/{s.own}", headers=s.carol.headers),
    ),
    "404-no-such-route": (
        404,
        "not_found",
        lambda c, s: c.get(f"{API}/no-such-thing", headers=s.alice.headers),
    ),
    "405-wrong-method": (405, "method_not_allowed", lambda c, s: c.delete(REPORTS, headers=s.alice.headers)),
    "409-stale-version": (409, "conflict", _patch_stale),
    "413-body-too-large": (
        413,
        "payload_too_large",
        lambda c, s: c.post(REPORTS, headers=s.alice.headers, content=b"x" * (MAX_BODY + 1)),
    ),
    "422-unknown-field": (
        422,
        "invalid_input",
        lambda c, s: c.post(REPORTS, headers=s.alice.headers, json={"title": "t", "owner_agency_id": 1}),
    ),
    "422-bad-query": (
        422,
        "invalid_input",
        lambda c, s: c.get(f"{REPORTS}?limit=0", headers=s.alice.headers),
    ),
    "422-bad-distribution": (
        422,
        "invalid_input",
        lambda c, s: c.post(
            REPORTS,
            headers=s.alice.headers,
            json={"title": "t", "distribution": "agencies", "agencies": ["XX"]},
        ),
    ),
    "429-locked": (429, "locked", _locked),
}


def assert_security_headers(response: Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    csp = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp, csp
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers.get("x-request-id", "")), response.headers
    assert "server" not in response.headers and "x-powered-by" not in response.headers


def assert_pinned_problem(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) == PROBLEM_KEYS, body
    assert body["type"] == f"urn:interdict:problem:{code}"
    assert body["status"] == status and body["code"] == code
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert set(error) == {"field", "message"} and all(isinstance(v, str) for v in error.values()), error
    assert not STACK.search(response.text), response.text
    return body


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_every_refusal_has_the_pinned_problem_shape(client: TestClient, scene: Scene, name: str) -> None:
    status, code, request = PROBLEMS[name]
    response = request(client, scene)
    body = assert_pinned_problem(response, status, code)
    assert_security_headers(response)
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    if status == 422:
        assert body["errors"], "a 422 names the fields at fault"


def test_titles_are_stable_per_status(client: TestClient, scene: Scene) -> None:
    """Clients may show ``title`` as is: one title per code, whatever the route."""
    titles: dict[str, set[str]] = {}
    for _status, code, request in PROBLEMS.values():
        titles.setdefault(code, set()).add(request(client, scene).json()["title"])
    assert all(len(t) == 1 for t in titles.values()), titles


SUCCESSES: dict[str, Request] = {
    "root": lambda c, s: c.get("/"),
    "health": lambda c, s: c.get(f"{API}/health"),
    "openapi": lambda c, s: c.get(f"{API}/openapi.json"),
    "json": lambda c, s: c.get(REPORTS, headers=s.alice.headers),
    "created": lambda c, s: c.post(REPORTS, headers=s.alice.headers, json={"title": "New"}),
    "no-content": lambda c, s: c.post(f"{API}/auth/logout", headers=s.alice.headers),
    "csv-export": lambda c, s: c.get(f"{REPORTS}/export?format=csv", headers=s.alice.headers),
    "attachment": lambda c, s: c.get(
        f"{REPORTS}/{s.own}/attachments/{s.attachment}", headers=s.alice.headers
    ),
}


@pytest.mark.parametrize("name", list(SUCCESSES))
def test_security_headers_on_successful_answers(client: TestClient, scene: Scene, name: str) -> None:
    response = SUCCESSES[name](client, scene)
    assert response.status_code < 300, response.text
    assert_security_headers(response)


def test_attachment_is_never_served_inline(client: TestClient, scene: Scene) -> None:
    r = SUCCESSES["attachment"](client, scene)
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["content-type"].startswith("text/plain")


def test_openapi_declares_the_problem_for_client_errors(client: TestClient) -> None:
    doc = client.get(f"{API}/openapi.json").json()
    problem = doc["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == PROBLEM_KEYS
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            declared = op["responses"].get("4XX", {}).get("content", {})
            assert declared == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }, (
                method,
                path,
            )
            assert "422" not in op["responses"], (method, path, "FastAPI's own 422 shape is not what we send")


def test_server_error_is_a_problem_without_internals(platform: Platform, clock: Clock, scene: Scene) -> None:
    """An unexpected exception answers 500 problem+json with a request id, and still the headers."""
    app: FastAPI = create_app(platform=platform, clock=clock)

    def boom() -> None:
        raise RuntimeError(f"SELECT secret FROM users -- {TEST_SECRET} at {Path(__file__)}")

    app.add_api_route(f"{API}/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get(f"{API}/boom")
    body = assert_pinned_problem(response, 500, "internal_error")
    assert response.headers["x-request-id"] in body["detail"]
    assert (
        TEST_SECRET not in response.text
        and "SELECT" not in response.text
        and str(Path(__file__)) not in response.text
    )
    assert_security_headers(response)


def test_serve_does_not_announce_the_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """uvicorn sends ``Server: uvicorn`` unless told not to; ``interdict serve`` tells it not to."""
    import uvicorn
    from typer.testing import CliRunner

    from interdict.cli.main import app as cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("INTERDICT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("INTERDICT_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("INTERDICT_SECRET_KEY", TEST_SECRET)
    result = CliRunner().invoke(cli, ["serve", "--port", "8999"])
    assert result.exit_code == 0, result.output
    assert seen.get("server_header") is False, seen


def test_outside_the_api_errors_are_pages_in_the_users_language(client: TestClient, scene: Scene) -> None:
    """Browsers get pages, not JSON: an unknown address, and a form too large for the server."""
    missing = client.get("/wp-admin/setup.php", headers={"accept-language": "zh-CN"})
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "<html" in missing.text and "frame-ancestors 'none'" in missing.headers["content-security-policy"]
    big = client.post("/login", content=b"a=" + b"x" * 2_000_000, headers={
        "content-type": "application/x-www-form-urlencoded", "accept-language": "zh-CN"})
    assert big.status_code == 413 and big.headers["content-type"].startswith("text/html")
    assert "未保存任何内容" in big.text
