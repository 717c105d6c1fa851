"""Pages for user administration, structure and the audit log: the same services as the API, with
cookie sessions, CSRF-checked forms, one-time secrets shown only in the answer to the POST."""

from __future__ import annotations

import html
import re

import httpx
import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select

from interdict.store.identity import ApiToken, User
from tests.conftest import Clock
from tests.factories import Person, World

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = re.compile(r'<code class="secret" id="secret"[^>]*>([^<]+)</code>')


def csrf(browser: TestClient, path: str = "/") -> str:
    page = browser.get(path)
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


def totp(world: World, person: Person, clock: Clock) -> str:
    with world.p.db.unit() as s:
        user = s.get(User, person.user_id)
        assert user is not None and user.totp_secret
        return pyotp.TOTP(user.totp_secret).at(clock())


def sign_in(browser: TestClient, username: str, password: str, code: str = "") -> httpx.Response:
    token = csrf(browser, "/login")
    return browser.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password, "totp": code, "next": "/"},
        follow_redirects=False,
    )


def signed_in(client: TestClient, world: World, clock: Clock, person: Person) -> TestClient:
    """A browser of its own (its own cookie jar), signed in as ``person``."""
    browser = TestClient(client.app)
    code = totp(world, person, clock) if "agency_admin" in person.roles or "platform_admin" in person.roles else ""
    answer = sign_in(browser, person.username, person.password, code)
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    return browser


def post(browser: TestClient, path: str, data: dict[str, object] | None = None, page: str = "/") -> httpx.Response:
    form = {"csrf_token": csrf(browser, page), **(data or {})}
    return browser.post(path, data=form, follow_redirects=False)  # type: ignore[arg-type]


def shown_secret(answer: httpx.Response) -> str:
    found = SECRET.search(answer.text)
    assert found, answer.text
    return html.unescape(found.group(1))


def test_agency_admin_creates_a_user_who_signs_in_with_the_shown_password(
    client: TestClient, world: World, clock: Clock
) -> None:
    agency = world.agency()
    admin = world.user(agency, "agency_admin", mfa=True)
    browser = signed_in(client, world, clock, admin)
    form = browser.get("/admin/users")
    assert form.status_code == 200 and 'name="roles" value="analyst"' in form.text
    assert 'value="platform_admin"' not in form.text
    made = post(browser, "/admin/users", {
        "username": "new.analyst", "display_name": "New Analyst", "email": "n@example.org",
        "roles": ["analyst", "investigator"], "language": "zh",
    }, page="/admin/users")
    assert made.status_code == 200, made.text
    password = shown_secret(made)
    assert len(password) >= 12
    assert password not in str(made.headers) and "location" not in made.headers
    with world.p.db.unit() as s:
        user = s.scalars(select(User).where(User.username == "new.analyst")).one()
        assert user.roles == ["analyst", "investigator"] and user.language == "zh" and user.agency.code == agency
    assert "new.analyst" in browser.get("/admin/users").text
    assert password not in browser.get("/admin/users/new.analyst").text  # shown once only

    newcomer = TestClient(client.app)
    assert sign_in(newcomer, "new.analyst", password).status_code == 303
    assert "new.analyst" in newcomer.get("/").text

    taken = post(browser, "/admin/users", {"username": "new.analyst", "roles": ["analyst"]}, page="/admin/users")
    assert taken.status_code == 409 and "already taken" in taken.text
    invalid = post(browser, "/admin/users", {"username": "X", "roles": []}, page="/admin/users")
    assert invalid.status_code == 422 and 'role="alert"' in invalid.text


def test_disabling_a_user_ends_their_session_on_the_next_request(
    client: TestClient, world: World, clock: Clock
) -> None:
    agency = world.agency()
    admin, alice = world.user(agency, "agency_admin", mfa=True), world.user(agency)
    victim = signed_in(client, world, clock, alice)
    assert victim.get("/").status_code == 200
    browser = signed_in(client, world, clock, admin)
    url = f"/admin/users/{alice.username}"
    done = post(browser, f"{url}/disable", page=url)
    assert done.status_code == 303 and done.headers["location"] == url
    assert "Disabled" in browser.get(url).text
    after = victim.get("/", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    assert sign_in(TestClient(client.app), alice.username, alice.password).status_code == 401
    assert post(browser, f"{url}/enable", page=url).status_code == 303
    assert sign_in(TestClient(client.app), alice.username, alice.password).status_code == 303


def test_reset_mfa_and_password(client: TestClient, world: World, clock: Clock) -> None:
    agency = world.agency()
    admin, sup = world.user(agency, "agency_admin", mfa=True), world.user(agency, "supervisor", mfa=True)
    browser = signed_in(client, world, clock, admin)
    url = f"/admin/users/{sup.username}"
    done = post(browser, f"{url}/mfa-reset", page=url)
    assert done.status_code == 303
    shown = browser.get(url)
    assert "Second factor reset" in shown.text and "Not enrolled" in shown.text
    with world.p.db.unit() as s:
        user = s.get(User, sup.user_id)
        assert user is not None and not user.totp_enabled and user.totp_secret is None

    reset = post(browser, f"{url}/password-reset", page=url)
    assert reset.status_code == 200
    password = shown_secret(reset)
    assert sign_in(TestClient(client.app), sup.username, sup.password).status_code == 401
    assert sign_in(TestClient(client.app), sup.username, password).status_code == 303


def test_issue_and_revoke_an_api_token(client: TestClient, world: World, clock: Clock) -> None:
    agency = world.agency()
    admin, alice = world.user(agency, "agency_admin", mfa=True), world.user(agency)
    browser = signed_in(client, world, clock, admin)
    url = f"/admin/users/{alice.username}"
    issued = post(browser, f"{url}/tokens", {"name": "nightly upload", "expires_in_days": "30"}, page=url)
    assert issued.status_code == 200, issued.text
    token = shown_secret(issued)
    assert token.startswith("idt_")
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["user"]["username"] == alice.username
    listed = browser.get(url).text
    assert "nightly upload" in listed and token not in listed
    with world.p.db.unit() as s:
        ref = s.scalars(select(ApiToken.uuid).where(ApiToken.name == "nightly upload")).one()
    assert f"/admin/tokens/{ref}/revoke" in listed
    revoked = post(browser, f"/admin/tokens/{ref}/revoke", page=url)
    assert revoked.status_code == 303 and revoked.headers["location"] == url
    assert "Token revoked" in browser.get(url).text
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401

    too_long = post(browser, f"{url}/tokens", {"name": "x", "expires_in_days": "99999"}, page=url)
    assert too_long.status_code == 422 and 'role="alert"' in too_long.text


def test_agency_admin_cannot_see_or_change_another_agencys_users(
    client: TestClient, world: World, clock: Clock
) -> None:
    a, b = world.agency(), world.agency()
    admin_a, bob = world.user(a, "agency_admin", mfa=True), world.user(b)
    browser = signed_in(client, world, clock, admin_a)
    assert bob.username not in browser.get("/admin/users").text
    assert bob.username not in browser.get(f"/admin/users?agency={b}").text
    hidden = browser.get(f"/admin/users/{bob.username}")
    missing = browser.get("/admin/users/no.such.user")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(bob.username, "X") == missing.text.replace("no.such.user", "X")
    for action in ("disable", "mfa-reset", "password-reset", "tokens"):
        refused = post(browser, f"/admin/users/{bob.username}/{action}", {"name": "x"}, page="/admin/users")
        assert refused.status_code == 404, action
        assert "<code class=\"secret\"" not in refused.text
    with world.p.db.unit() as s:
        ref = s.scalars(select(ApiToken.uuid).where(ApiToken.user_id == bob.user_id)).one()
        assert not s.get(User, bob.user_id).disabled  # type: ignore[union-attr]
    assert post(browser, f"/admin/tokens/{ref}/revoke", page="/admin/users").status_code == 404
    assert client.get("/api/v1/auth/me", headers=bob.headers).status_code == 200
    forged = post(browser, "/admin/users", {"username": "sneaky.admin", "roles": ["platform_admin"]},
                  page="/admin/users")
    assert forged.status_code == 403
    with world.p.db.unit() as s:
        assert s.scalars(select(User).where(User.username == "sneaky.admin")).one_or_none() is None


def test_admin_pages_are_refused_to_analysts(client: TestClient, world: World, clock: Clock) -> None:
    agency = world.agency()
    alice, carol = world.user(agency), world.user(agency)
    browser = signed_in(client, world, clock, alice)
    assert browser.get("/admin/users").status_code == 403
    assert browser.get(f"/admin/users/{carol.username}").status_code in (403, 404)
    assert post(browser, f"/admin/users/{carol.username}/disable").status_code in (403, 404)
    assert post(browser, "/admin/users", {"username": "x.y.z", "roles": ["analyst"]}).status_code == 403


def test_platform_admin_sees_every_agencys_users_but_manages_none(
    client: TestClient, world: World, clock: Clock
) -> None:
    a, b = world.agency(), world.agency()
    root, alice, bob = world.user(a, "platform_admin", mfa=True), world.user(a), world.user(b)
    browser = signed_in(client, world, clock, root)
    listing = browser.get("/admin/users")
    assert listing.status_code == 200
    assert alice.username in listing.text and bob.username in listing.text
    assert 'name="roles"' not in listing.text  # no create form: users are created by their agency's admins
    only_b = browser.get(f"/admin/users?agency={b}").text
    assert bob.username in only_b and alice.username not in only_b
    url = f"/admin/users/{bob.username}"
    assert post(browser, f"{url}/password-reset", page=url).status_code == 403


def test_mechanism_page_is_for_members_only(client: TestClient, world: World, clock: Clock) -> None:
    a, b, c = world.agency(), world.agency(), world.agency()
    world.mechanism("MEK-WEB", [a, b])
    world.agreement(mechanism="MEK-WEB", personal_data=True)
    member = signed_in(client, world, clock, world.user(a))
    index = member.get("/structure")
    assert index.status_code == 200 and "/structure/mechanisms/MEK-WEB" in index.text and c in index.text
    page = member.get("/structure/mechanisms/MEK-WEB")
    assert page.status_code == 200 and a in page.text and b in page.text
    assert "Personal data" in page.text and "<strong>Yes</strong>" in page.text

    outsider = signed_in(client, world, clock, world.user(c))
    assert "MEK-WEB" not in outsider.get("/structure").text
    hidden = outsider.get("/structure/mechanisms/MEK-WEB")
    missing = outsider.get("/structure/mechanisms/MADE-UP")
    assert hidden.status_code == missing.status_code == 404
    assert a not in hidden.text and b not in hidden.text
    assert hidden.text.replace("MEK-WEB", "X") == missing.text.replace("MADE-UP", "X")


def test_audit_search_shows_own_agency_and_is_refused_to_analysts(
    client: TestClient, world: World, clock: Clock
) -> None:
    a, b = world.agency(), world.agency()
    sup, alice, bob = world.user(a, "supervisor"), world.user(a), world.user(b)
    signed_in(client, world, clock, alice)
    signed_in(client, world, clock, bob)
    browser = signed_in(client, world, clock, sup)
    everything = browser.get("/audit")
    assert everything.status_code == 200
    assert alice.username in everything.text and sup.username in everything.text
    assert bob.username not in everything.text
    only_alice = browser.get("/audit", params={"user": alice.username, "action": "login", "outcome": "ok",
                                               "from": "2026-06-01", "to": "2026-06-01"})
    rows = only_alice.text.split("<tbody>")[1]
    assert only_alice.status_code == 200 and alice.username in rows and sup.username not in rows
    later = browser.get("/audit", params={"from": "2026-06-02"})
    assert "No events match" in later.text
    assert browser.get("/audit", params={"from": "yesterday"}).status_code == 422
    analyst = signed_in(client, world, clock, world.user(a))
    assert analyst.get("/audit").status_code == 403


def test_audit_pagination(client: TestClient, world: World, clock: Clock) -> None:
    from interdict.services.audit import AuditEvent

    sup = world.user(world.agency(), "supervisor")
    with world.p.db.unit() as s:
        world.p.audit.record_many(s, world.actor(sup), [AuditEvent("test.event")] * 60)
    browser = signed_in(client, world, clock, sup)
    first = browser.get("/audit", params={"action": "test.event"})
    assert first.text.count("<code>test.event</code>") == 50
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    found = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert found
    nxt = html.unescape(found.group(1))
    assert "action=test.event" in nxt and "offset=50" in nxt
    second = browser.get(nxt)
    assert second.status_code == 200 and second.text.count("<code>test.event</code>") == 10
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text


def test_forged_csrf_is_refused(client: TestClient, world: World, clock: Clock) -> None:
    agency = world.agency()
    admin, alice = world.user(agency, "agency_admin", mfa=True), world.user(agency)
    browser = signed_in(client, world, clock, admin)
    url = f"/admin/users/{alice.username}"
    real = csrf(browser, url)
    tampered = real[:-1] + ("1" if real.endswith("0") else "0")  # always differs from the real token
    for token in ("", "forged.token", tampered):
        refused = browser.post(f"{url}/disable", data={"csrf_token": token}, follow_redirects=False)
        assert refused.status_code == 403 and "did not come from this site" in refused.text
    made = browser.post("/admin/users", data={"csrf_token": "nope", "username": "csrf.victim", "roles": "analyst"},
                        follow_redirects=False)
    assert made.status_code == 403 and "<code class=\"secret\"" not in made.text
    with world.p.db.unit() as s:
        assert not s.get(User, alice.user_id).disabled  # type: ignore[union-attr]
        assert s.scalars(select(User).where(User.username == "csrf.victim")).one_or_none() is None


def test_an_expired_session_sends_the_user_to_sign_in_with_a_message(
    client: TestClient, world: World, clock: Clock
) -> None:
    alice = world.user(world.agency())
    browser = signed_in(client, world, clock, alice)
    assert browser.get("/").status_code == 200
    clock.advance(minutes=31)
    answer = browser.get("/intel", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=/intel")
    page = browser.get(answer.headers["location"], headers={"accept-language": "zh-CN"})
    assert "您的会话已结束" in page.text
