"""Bad requests: each is refused with a clear 4xx problem+json naming the field or value, and changes nothing.

The case table below is the catalogue; every row runs on SQLite and PostgreSQL. "Nothing changed" means the
rows of intel_reports (with their version and distribution), record_shares and users are exactly those of
before the request. The platform here has small body limits so oversized requests stay cheap.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text

from interdict.services import auth
from interdict.services.platform import Platform
from tests.conftest import Clock, make_settings
from tests.factories import Person, World

API = "/api/v1"
MAX_BODY = 4096
MAX_ATTACHMENT = 8192
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters for the passwords made here (the defaults cost ~0.25 s a hash)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def platform(db_url: str, tmp_path: Path) -> Iterator[Platform]:
    """The suite's platform, with small body and attachment limits."""
    p = Platform(
        make_settings(db_url, tmp_path, max_body_bytes=MAX_BODY, attachment_max_bytes=MAX_ATTACHMENT)
    )
    yield p
    p.db.dispose()


@dataclass
class Scene:
    """TH (the caller's agency) and LA share mechanism MEK; LA and US share OTHER, which TH is not in."""

    world: World
    th: str
    la: str
    us: str
    mek: str
    other: str
    alice: Person  # analyst of TH
    bob: Person  # analyst of LA
    carol: Person  # analyst of US
    own: str  # TH's report, distributed to MEK
    seen: str  # LA's report, distributed to TH by name
    hidden: str  # US's report, agency only

    @property
    def names(self) -> dict[str, str]:
        """Codes, record uuids and usernames, by attribute name, for formatting cases."""
        out = {k: v for k, v in vars(self).items() if isinstance(v, str)}
        out.update({k: v.username for k, v in vars(self).items() if isinstance(v, Person)})
        return out


@pytest.fixture
def scene(world: World) -> Scene:
    th, la, us = world.agency(country="TH"), world.agency(country="LA"), world.agency(country="US")
    mek, other = f"MEK-{th}", f"OTHER-{th}"
    world.mechanism(mek, [th, la])
    world.mechanism(other, [la, us])
    alice, bob, carol = world.user(th), world.user(la), world.user(us)
    own = world.report(alice, distribution="mechanisms", mechanisms=[mek])
    seen = world.report(bob, distribution="agencies", agencies=[th])
    hidden = world.report(carol)
    return Scene(world, th, la, us, mek, other, alice, bob, carol, own.uuid, seen.uuid, hidden.uuid)


def snapshot(platform: Platform) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a refused request must leave as it was."""
    queries = {
        "intel_reports": "SELECT uuid, version, distribution, title FROM intel_reports ORDER BY uuid",
        "record_shares": "SELECT record_uuid, target_kind, target_id FROM record_shares "
        "ORDER BY record_uuid, target_kind, target_id",
        "users": "SELECT username, disabled FROM users ORDER BY username",
        "attachments": "SELECT uuid FROM attachments ORDER BY uuid",
    }
    with platform.db.engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(text(sql))] for name, sql in queries.items()}


def report_body(**fields: Any) -> dict[str, Any]:
    return {"title": "Shipment seen at the border", "body": "Text.", **fields}


@dataclass(frozen=True)
class Bad:
    """One bad request. ``path`` and string values in ``mentions`` are formatted with the scene's names."""

    method: str
    path: str
    status: int
    code: str
    mentions: tuple[str, ...] = ()
    json: Any = None
    content: bytes | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    as_user: str = "alice"


REPORTS = f"{API}/intel-reports"
OWN = REPORTS + "/{own}"
SEEN = REPORTS + "/{seen}"
HIDDEN = REPORTS + "/{hidden}"
JSON = {"Content-Type": "application/json"}

CASES: dict[str, Bad] = {
    # -- malformed and wrongly typed --------------------------------------------------------------------
    "malformed-json": Bad(
        "POST", REPORTS, 400, "malformed_request", ("body", "JSON"), content=b'{"title": "x", ', headers=JSON
    ),
    "json-not-an-object": Bad("POST", REPORTS, 422, "invalid_input", ("body",), json=["title"]),
    "title-wrong-type": Bad(
        "POST", REPORTS, 422, "invalid_input", ("title", "string"), json=report_body(title=12)
    ),
    "info-accuracy-wrong-type": Bad(
        "POST", REPORTS, 422, "invalid_input", ("info_accuracy",), json=report_body(info_accuracy="high")
    ),
    "info-accuracy-out-of-range": Bad(
        "POST", REPORTS, 422, "invalid_input", ("info_accuracy", "4"), json=report_body(info_accuracy=9)
    ),
    "tags-not-a-list": Bad(
        "POST", REPORTS, 422, "invalid_input", ("tags", "list"), json=report_body(tags="route")
    ),
    "title-missing": Bad("POST", REPORTS, 422, "invalid_input", ("title", "required"), json={"body": "x"}),
    "unknown-category": Bad(
        "POST", REPORTS, 422, "invalid_input", ("category",), json=report_body(category="rumour")
    ),
    "unknown-distribution": Bad(
        "POST", REPORTS, 422, "invalid_input", ("distribution",), json=report_body(distribution="everyone")
    ),
    "patch-version-wrong-type": Bad(
        "PATCH", OWN, 422, "invalid_input", ("version",), json={"version": "latest", "title": "New"}
    ),
    # -- mass assignment: fields the server owns are refused, not ignored -------------------------------
    "create-with-owner_agency_id": Bad(
        "POST",
        REPORTS,
        422,
        "invalid_input",
        ("owner_agency_id", "Extra"),
        json=report_body(owner_agency_id=1),
    ),
    "create-with-created_by": Bad(
        "POST", REPORTS, 422, "invalid_input", ("created_by", "Extra"), json=report_body(created_by="{bob}")
    ),
    "create-with-uuid": Bad(
        "POST",
        REPORTS,
        422,
        "invalid_input",
        ("uuid",),
        json=report_body(uuid="00000000-0000-0000-0000-000000000001"),
    ),
    "patch-with-owner_agency_id": Bad(
        "PATCH", OWN, 422, "invalid_input", ("owner_agency_id",), json={"version": 1, "owner_agency_id": 3}
    ),
    "patch-with-distribution": Bad(
        "PATCH", OWN, 422, "invalid_input", ("distribution",), json={"version": 1, "distribution": "all"}
    ),
    "distribution-with-owner_agency": Bad(
        "PUT",
        OWN + "/distribution",
        422,
        "invalid_input",
        ("owner_agency",),
        json={"distribution": "all", "owner_agency": "{la}"},
    ),
    # -- distribution rules ------------------------------------------------------------------------------
    "unknown-agency-code": Bad(
        "POST",
        REPORTS,
        422,
        "invalid_input",
        ("agencies", "'XX-NOPE'"),
        json=report_body(distribution="agencies", agencies=["XX-NOPE"]),
    ),
    "unknown-mechanism-code": Bad(
        "POST",
        REPORTS,
        422,
        "invalid_input",
        ("mechanisms", "'NOPE-MECH'", "unknown mechanism"),
        json=report_body(distribution="mechanisms", mechanisms=["NOPE-MECH"]),
    ),
    "mechanism-caller-is-not-member-of": Bad(
        "POST",
        REPORTS,
        422,
        "invalid_input",
        ("mechanisms", "'{other}'", "unknown mechanism"),
        json=report_body(distribution="mechanisms", mechanisms=["{other}"]),
    ),
    "agencies-distribution-with-empty-list": Bad(
        "POST",
        REPORTS,
        422,
        "invalid_input",
        ("agencies", "at least one"),
        json=report_body(distribution="agencies", agencies=[]),
    ),
    "agencies-named-with-distribution-all": Bad(
        "POST",
        REPORTS,
        422,
        "invalid_input",
        ("agencies", "'all'"),
        json=report_body(distribution="all", agencies=["{la}"]),
    ),
    "mechanisms-named-with-distribution-agency": Bad(
        "POST",
        REPORTS,
        422,
        "invalid_input",
        ("mechanisms", "'agency'"),
        json=report_body(distribution="agency", mechanisms=["{mek}"]),
    ),
    "unknown-handling-condition": Bad(
        "POST",
        REPORTS,
        422,
        "invalid_input",
        ("handling_conditions", "'burn_after_reading'"),
        json=report_body(handling_conditions=["burn_after_reading"]),
    ),
    "invalid-country-code": Bad(
        "POST", REPORTS, 422, "invalid_input", ("countries", "'XZ'"), json=report_body(countries=["TH", "XZ"])
    ),
    "change-distribution-to-unknown-agency": Bad(
        "PUT",
        OWN + "/distribution",
        422,
        "invalid_input",
        ("agencies", "'XX-NOPE'"),
        json={"distribution": "agencies", "agencies": ["XX-NOPE"]},
    ),
    # -- sizes and attachments ---------------------------------------------------------------------------
    "body-over-max_body_bytes-declared": Bad(
        "POST",
        REPORTS,
        413,
        "payload_too_large",
        (str(MAX_BODY),),
        # Not even JSON: refused on its declared length, before anything parses it.
        content=b"{" + b"x" * MAX_BODY,
        headers=JSON,
    ),
    "attachment-over-attachment_max_bytes": Bad(
        "POST",
        OWN + "/attachments",
        413,
        "payload_too_large",
        (str(MAX_ATTACHMENT),),
        files={"file": ("big.txt", b"a" * (MAX_ATTACHMENT + 10), "text/plain")},
    ),
    "attachment-body-over-upload-limit": Bad(
        "POST",
        OWN + "/attachments",
        413,
        "payload_too_large",
        (str(MAX_ATTACHMENT + 65536),),
        files={"file": ("huge.txt", b"a" * (MAX_ATTACHMENT + 70_000), "text/plain")},
    ),
    "attachment-html": Bad(
        "POST",
        OWN + "/attachments",
        422,
        "invalid_input",
        ("file", "page.html", "not an accepted type"),
        files={"file": ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "text/html")},
    ),
    "attachment-svg": Bad(
        "POST",
        OWN + "/attachments",
        422,
        "invalid_input",
        ("file", "not an accepted type"),
        files={
            "file": (
                "map.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                "image/svg+xml",
            )
        },
    ),
    "attachment-html-claiming-to-be-png": Bad(
        "POST",
        OWN + "/attachments",
        422,
        "invalid_input",
        ("file", "not an accepted type"),
        files={"file": ("photo.png", b"<html><body onload=alert(1)></body></html>", "image/png")},
    ),
    "attachment-empty": Bad(
        "POST",
        OWN + "/attachments",
        422,
        "invalid_input",
        ("file", "empty"),
        files={"file": ("e.txt", b"", "text/plain")},
    ),
    "attachment-missing-file-field": Bad(
        "POST",
        OWN + "/attachments",
        422,
        "invalid_input",
        ("file",),
        files={"other": ("a.txt", b"abc", "text/plain")},
    ),
    # -- another agency's records -------------------------------------------------------------------------
    "patch-other-agency-record-it-can-see": Bad(
        "PATCH", SEEN, 403, "forbidden", ("owner agency",), json={"version": 1, "title": "Mine now"}
    ),
    "distribution-of-other-agency-record-it-can-see": Bad(
        "PUT", SEEN + "/distribution", 403, "forbidden", ("owner agency",), json={"distribution": "all"}
    ),
    "attach-to-other-agency-record-it-can-see": Bad(
        "POST",
        SEEN + "/attachments",
        403,
        "forbidden",
        ("owner agency",),
        files={"file": ("a.txt", b"abc", "text/plain")},
    ),
    "patch-other-agency-record-it-cannot-see": Bad(
        "PATCH", HIDDEN, 404, "not_found", ("{hidden}",), json={"version": 1, "title": "Mine now"}
    ),
    "distribution-of-other-agency-record-it-cannot-see": Bad(
        "PUT", HIDDEN + "/distribution", 404, "not_found", ("{hidden}",), json={"distribution": "all"}
    ),
    "version-not-the-stored-one": Bad(
        "PATCH", OWN, 409, "conflict", ("version", "2"), json={"version": 2, "title": "Edited from nowhere"}
    ),
}


def send(client: TestClient, scene: Scene, case: Bad) -> Response:
    names = scene.names

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.format(**names)
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    person: Person = getattr(scene, case.as_user)
    kwargs: dict[str, Any] = {"headers": {**person.headers, **case.headers}}
    if case.json is not None:
        kwargs["json"] = fill(case.json)
    if case.content is not None:
        kwargs["content"] = case.content
    if case.files is not None:
        kwargs["files"] = case.files
    response: Response = client.request(case.method, fill(case.path), **kwargs)
    return response


def assert_problem(
    response: Response, status: int, code: str, mentions: tuple[str, ...] = ()
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code, body
    said = body["detail"] + " " + json.dumps(body["errors"])
    for word in mentions:
        assert word in said, f"{word!r} not named in {said!r}"
    return body


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_request_is_refused_and_changes_nothing(
    client: TestClient, platform: Platform, scene: Scene, case: Bad
) -> None:
    before = snapshot(platform)
    response = send(client, scene, case)
    assert_problem(response, case.status, case.code, tuple(m.format(**scene.names) for m in case.mentions))
    assert snapshot(platform) == before


def test_unknown_mechanism_and_foreign_mechanism_get_the_same_words(client: TestClient, scene: Scene) -> None:
    """Whether a mechanism exists is not disclosed to agencies outside it (A8)."""
    answers = {}
    for code in ("NOPE-MECH", scene.other):
        r = client.post(
            REPORTS,
            headers=scene.alice.headers,
            json=report_body(distribution="mechanisms", mechanisms=[code]),
        )
        answers[code] = json.dumps(r.json()).replace(code, "<code>")
    assert answers["NOPE-MECH"] == answers[scene.other]


def test_hidden_record_answers_like_a_missing_one(client: TestClient, scene: Scene) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for suffix, method, body in (
        ("", "PATCH", {"version": 1}),
        ("/distribution", "PUT", {"distribution": "all"}),
    ):
        hidden = client.request(
            method, f"{REPORTS}/{scene.hidden}{suffix}", headers=scene.alice.headers, json=body
        )
        absent = client.request(
            method, f"{REPORTS}/{missing}{suffix}", headers=scene.alice.headers, json=body
        )
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json()["detail"].replace(scene.hidden, "<ref>") == absent.json()["detail"].replace(
            missing, "<ref>"
        )


BOUNDARY = "interdict-test-boundary"


def test_stale_version_in_patch_is_a_conflict(client: TestClient, platform: Platform, scene: Scene) -> None:
    """Two edits from the same version 1: the second finds version 2 stored and changes nothing."""
    url = f"{REPORTS}/{scene.own}"
    first = client.patch(url, headers=scene.alice.headers, json={"version": 1, "title": "First edit"})
    assert first.status_code == 200 and first.json()["version"] == 2, first.text
    before = snapshot(platform)
    second = client.patch(url, headers=scene.alice.headers, json={"version": 1, "title": "Second edit"})
    body = assert_problem(second, 409, "conflict", ("version 1", "version 2"))
    assert body["errors"] == [{"field": "version", "message": "expected 2"}]
    assert snapshot(platform) == before
    assert client.get(url, headers=scene.alice.headers).json()["title"] == "First edit"


def _streamed(size: int, multipart: bool) -> Iterator[bytes]:
    """A body of ``size`` bytes and more, sent in chunks without a Content-Length."""
    if multipart:
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
    sent = 0
    while sent < size:
        yield b"x" * 1024
        sent += 1024
    if multipart:
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize(
    ("path", "limit", "content_type"),
    [
        (REPORTS, MAX_BODY, "application/json"),
        (OWN + "/attachments", MAX_ATTACHMENT + 65536, f"multipart/form-data; boundary={BOUNDARY}"),
    ],
    ids=["json-body", "attachment-upload"],
)
def test_streamed_body_over_the_limit_is_cut_off(
    client: TestClient, platform: Platform, scene: Scene, path: str, limit: int, content_type: str
) -> None:
    """No Content-Length to go by: the body is counted as it arrives and refused once over the limit."""
    before = snapshot(platform)
    response = client.post(
        path.format(**scene.names),
        headers={**scene.alice.headers, "Content-Type": content_type},
        content=_streamed(limit + 2048, multipart=content_type.startswith("multipart")),
    )
    assert_problem(response, 413, "payload_too_large", (str(limit),))
    assert snapshot(platform) == before


# -- credentials that stopped being valid: refused on the very next request ------------------------------


def _expire(client: TestClient, scene: Scene, clock: Clock) -> None:
    clock.advance(days=scene.world.p.settings.token_default_days, seconds=1)


def _revoke(client: TestClient, scene: Scene, clock: Clock) -> None:
    tokens = client.get(f"{API}/tokens", headers=scene.alice.headers).json()
    assert len(tokens) == 1
    revoked = client.delete(f"{API}/tokens/{tokens[0]['uuid']}", headers=scene.alice.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"], revoked.text


def _disable(client: TestClient, scene: Scene, clock: Clock) -> None:
    admin = scene.world.user(scene.th, "agency_admin")
    r = client.patch(f"{API}/users/{scene.alice.username}", headers=admin.headers, json={"disabled": True})
    assert r.status_code == 200 and r.json()["disabled"] is True, r.text


def _nothing(client: TestClient, scene: Scene, clock: Clock) -> None:
    return None


CREDENTIALS: dict[str, tuple[Callable[[TestClient, Scene, Clock], None], dict[str, str] | None]] = {
    "expired-token": (_expire, None),
    "revoked-token": (_revoke, None),
    "disabled-user": (_disable, None),
    "unknown-token": (_nothing, {"Authorization": "Bearer idt_not-a-real-token"}),
    "not-a-platform-credential": (_nothing, {"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}),
    "basic-auth": (_nothing, {"Authorization": "Basic YWxpY2U6cGFzc3dvcmQ="}),
    "no-credential": (_nothing, {}),
}


@pytest.mark.parametrize("name", list(CREDENTIALS))
def test_invalid_credential_is_refused_on_the_next_request(
    client: TestClient, platform: Platform, scene: Scene, clock: Clock, name: str
) -> None:
    make_invalid, headers = CREDENTIALS[name]
    assert client.get(f"{API}/auth/me", headers=scene.alice.headers).status_code == 200
    make_invalid(client, scene, clock)
    before = snapshot(platform)
    used = scene.alice.headers if headers is None else headers
    for response in (
        client.get(f"{API}/auth/me", headers=used),
        client.get(f"{REPORTS}/{scene.own}", headers=used),
        client.post(REPORTS, headers=used, json=report_body()),
    ):
        body = assert_problem(response, 401, "authentication_required")
        assert response.headers["www-authenticate"] == "Bearer"
        assert scene.own not in json.dumps(body)
    assert snapshot(platform) == before


# -- sign-in lockout ------------------------------------------------------------------------------------


def _login(client: TestClient, username: str, password: str) -> Response:
    response: Response = client.post(f"{API}/auth/login", json={"username": username, "password": password})
    return response


def test_lockout_after_five_failures_same_for_unknown_user_and_lifts_after_ten_minutes(
    client: TestClient, scene: Scene, clock: Clock
) -> None:
    alice = scene.alice
    answers: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for name in (alice.username, "nobody.at.all"):
        tries = [_login(client, name, f"wrong password {i}") for i in range(5)]
        for r in tries:
            assert_problem(r, 401, "authentication_required")
        sixth = _login(client, name, alice.password)  # the right password no longer helps
        assert_problem(sixth, 429, "locked", ("too many failed sign-ins",))
        answers[name] = [(r.status_code, r.json()) for r in [*tries, sixth]]
    assert answers[alice.username] == answers["nobody.at.all"]

    clock.advance(minutes=9, seconds=59)
    assert_problem(_login(client, alice.username, alice.password), 429, "locked")
    clock.advance(seconds=1)
    ok = _login(client, alice.username, alice.password)
    assert ok.status_code == 200, ok.text
    assert ok.json()["user"]["username"] == alice.username


def test_lockout_counts_per_username(client: TestClient, scene: Scene) -> None:
    for i in range(5):
        assert _login(client, scene.bob.username, f"wrong {i}").status_code == 401
    assert _login(client, scene.bob.username, scene.bob.password).status_code == 429
    assert _login(client, scene.alice.username, scene.alice.password).status_code == 200


# -- NUL characters: PostgreSQL cannot store or compare them, SQLite would store them -----------------------

NUL_BODIES: dict[str, tuple[str, str, dict[str, Any], str]] = {
    "title": ("POST", REPORTS, report_body(title="Route\x00"), "title"),
    "tag-in-list": ("POST", REPORTS, report_body(tags=["ok", "bad\x00"]), "tags"),
    "patch-body": ("PATCH", OWN, {"version": 1, "body": "x\x00y"}, "body"),
    "distribution-reason": (
        "PUT",
        OWN + "/distribution",
        {"distribution": "all", "reason": "\x00"},
        "reason",
    ),
    "login-username": ("POST", f"{API}/auth/login", {"username": "alice\x00", "password": "x"}, "username"),
}


@pytest.mark.parametrize("name", list(NUL_BODIES))
def test_nul_in_a_body_is_refused_naming_the_field(
    client: TestClient, platform: Platform, scene: Scene, name: str
) -> None:
    method, path, body, field_name = NUL_BODIES[name]
    before = snapshot(platform)
    response = client.request(method, path.format(**scene.names), headers=scene.alice.headers, json=body)
    problem = assert_problem(response, 422, "invalid_input", (field_name, "NUL"))
    assert problem["errors"][0]["field"] == field_name
    assert snapshot(platform) == before


@pytest.mark.parametrize(
    "url",
    [
        f"{REPORTS}?q=route%00",
        f"{REPORTS}?owner=TH%00",
        f"{REPORTS}/count?tag=a%00",
        f"{API}/agencies/TH%00",
        f"{API}/mechanisms/M%00",
        f"{API}/users/alice%00",
        f"{API}/users?agency=TH%00",
        f"{REPORTS}/{{own}}%00",
    ],
)
def test_nul_in_a_query_or_path_is_never_a_server_error(client: TestClient, scene: Scene, url: str) -> None:
    """PostgreSQL refuses the value (answered 422); SQLite compares it and finds nothing."""
    response = client.get(url.format(**scene.names), headers=scene.alice.headers)
    assert response.status_code in (200, 404, 422), response.text
    if response.status_code >= 400:
        assert_problem(
            response, response.status_code, "invalid_input" if response.status_code == 422 else "not_found"
        )
