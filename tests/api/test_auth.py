"""Sign-in, second factor, sessions, tokens and revocation (G1-G4, A7)."""

from __future__ import annotations

import pyotp
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Clock
from tests.factories import Person, World

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"


def login(client: TestClient, person: Person, password: str | None = None, totp: str | None = None) -> dict:
    r = client.post(LOGIN, json={"username": person.username, "password": password or person.password, "totp": totp})
    assert r.status_code == 200, r.text
    return dict(r.json())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def totp_code(client: TestClient, world: World, person: Person, clock: Clock) -> str:
    from interdict.store.identity import User

    with world.p.db.unit() as s:
        user = s.get(User, person.user_id)
        assert user is not None and user.totp_secret
        return pyotp.TOTP(user.totp_secret).at(clock())


def test_analyst_signs_in_with_password_and_reads(client: TestClient, world: World) -> None:
    alice = world.user(world.agency())
    session = login(client, alice)
    assert session["mfa_ok"] is True and session["token"].startswith("ids_")
    me = client.get(ME, headers=bearer(session["token"]))
    assert me.json()["user"]["username"] == alice.username


def test_admin_without_second_factor_may_only_enrol(client: TestClient, world: World, clock: Clock) -> None:
    admin = world.user(world.agency(), "agency_admin")
    session = login(client, admin)
    assert session["mfa_ok"] is False and session["mfa_enrolment_needed"] is True
    h = bearer(session["token"])
    assert client.get("/api/v1/users", headers=h).status_code == 403
    assert client.get("/api/v1/intel-reports", headers=h).status_code == 403
    secret = client.post("/api/v1/auth/mfa/enrol", headers=h).json()["secret"]
    assert client.post("/api/v1/auth/mfa/confirm", headers=h, json={"code": "000000"}).status_code == 401
    code = pyotp.TOTP(secret).at(clock())
    assert client.post("/api/v1/auth/mfa/confirm", headers=h, json={"code": code}).status_code == 204
    assert client.get("/api/v1/users", headers=h).status_code == 200


def test_totp_code_is_single_use(client: TestClient, world: World, clock: Clock) -> None:
    admin = world.user(world.agency(), "agency_admin", mfa=True)
    code = totp_code(client, world, admin, clock)
    needs = client.post(LOGIN, json={"username": admin.username, "password": admin.password})
    assert needs.status_code == 401 and needs.json()["code"] == "mfa_required"
    first = login(client, admin, totp=code)
    assert first["mfa_ok"] is True
    replay = client.post(LOGIN, json={"username": admin.username, "password": admin.password, "totp": code})
    assert replay.status_code == 401


def test_lockout_after_five_failures_is_identical_for_unknown_users(client: TestClient, world: World, clock: Clock) -> None:
    alice = world.user(world.agency())
    answers = {}
    for name in (alice.username, "nobody-at-all"):
        statuses = [client.post(LOGIN, json={"username": name, "password": "wrong password 123"}) for _ in range(5)]
        assert [r.status_code for r in statuses] == [401] * 5
        sixth = client.post(LOGIN, json={"username": name, "password": alice.password})
        answers[name] = (sixth.status_code, {k: v for k, v in sixth.json().items()})
    assert answers[alice.username] == answers["nobody-at-all"]
    assert answers[alice.username][0] == 429
    clock.advance(minutes=9)
    assert client.post(LOGIN, json={"username": alice.username, "password": alice.password}).status_code == 429
    clock.advance(minutes=1, seconds=1)
    assert login(client, alice)["mfa_ok"] is True


@pytest.mark.parametrize(("advance", "accepted"), [
    ({"minutes": 29}, True), ({"minutes": 31}, False)], ids=["idle-29min", "idle-31min"])
def test_session_idle_timeout(client: TestClient, world: World, clock: Clock, advance: dict, accepted: bool) -> None:
    h = bearer(login(client, world.user(world.agency()))["token"])
    clock.advance(**advance)
    assert (client.get(ME, headers=h).status_code == 200) is accepted


def test_session_absolute_lifetime(client: TestClient, world: World, clock: Clock) -> None:
    h = bearer(login(client, world.user(world.agency()))["token"])
    for _ in range(28):  # active every 25 minutes: 11 h 40 min after sign-in, never idle
        clock.advance(minutes=25)
        assert client.get(ME, headers=h).status_code == 200
    clock.advance(minutes=25)  # 12 h 05 min after sign-in, idle only 25 min
    assert client.get(ME, headers=h).status_code == 401


def test_logout_ends_the_session(client: TestClient, world: World) -> None:
    h = bearer(login(client, world.user(world.agency()))["token"])
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 204
    assert client.get(ME, headers=h).status_code == 401


def test_disabling_a_user_takes_effect_on_the_next_request(client: TestClient, world: World, clock: Clock) -> None:
    agency = world.agency()
    admin, alice = world.user(agency, "agency_admin"), world.user(agency)
    session = bearer(login(client, alice)["token"])
    assert client.get(ME, headers=alice.headers).status_code == 200
    r = client.patch(f"/api/v1/users/{alice.username}", headers=admin.headers, json={"disabled": True})
    assert r.status_code == 200, r.text
    assert client.get(ME, headers=alice.headers).status_code == 401
    assert client.get(ME, headers=session).status_code == 401


def test_revoked_and_expired_tokens_are_refused(client: TestClient, world: World, clock: Clock) -> None:
    alice = world.user(world.agency())
    made = client.post("/api/v1/tokens", headers=alice.headers, json={"name": "script", "expires_in_days": 1})
    assert made.status_code == 201, made.text
    token, token_id = made.json()["token"], made.json()["uuid"]
    assert client.get(ME, headers=bearer(token)).status_code == 200
    clock.advance(days=1, seconds=1)
    assert client.get(ME, headers=bearer(token)).status_code == 401
    other = client.post("/api/v1/tokens", headers=alice.headers, json={"name": "second"}).json()
    assert client.delete(f"/api/v1/tokens/{other['uuid']}", headers=alice.headers).status_code == 200
    assert client.get(ME, headers=bearer(other["token"])).status_code == 401
    assert token_id != other["uuid"]


def test_tokens_are_stored_hashed(client: TestClient, world: World) -> None:
    from sqlalchemy import select

    from interdict.store.identity import ApiToken

    alice = world.user(world.agency())
    with world.p.db.unit() as s:
        stored = list(s.scalars(select(ApiToken.token_hash)))
    assert alice.token not in stored and all(len(h) == 64 for h in stored)


def test_agency_admin_cannot_manage_other_agencies_or_grant_platform_admin(client: TestClient, world: World) -> None:
    a, b = world.agency(), world.agency()
    admin_a, bob = world.user(a, "agency_admin"), world.user(b)
    assert client.patch(f"/api/v1/users/{bob.username}", headers=admin_a.headers,
                        json={"disabled": True}).status_code == 404
    made = client.post("/api/v1/users", headers=admin_a.headers,
                       json={"username": "new.admin", "roles": ["platform_admin"]})
    assert made.status_code == 403
    other = client.post("/api/v1/users", headers=admin_a.headers, json={"username": "x.y", "agency": b, "roles": ["analyst"]})
    assert other.status_code == 403
    created = client.post("/api/v1/users", headers=admin_a.headers, json={"username": "new.analyst", "roles": ["analyst"]})
    assert created.status_code == 201 and len(created.json()["password"]) >= 12
    assert client.patch(f"/api/v1/users/{admin_a.username}", headers=admin_a.headers,
                        json={"roles": ["agency_admin", "supervisor"]}).status_code == 403


def test_mfa_policy_per_agency(client: TestClient, world: World) -> None:
    strict = world.agency(mfa_required=True)
    alice = world.user(strict)
    session = login(client, alice)
    assert session["mfa_ok"] is False and session["mfa_enrolment_needed"] is True


def test_passwords_are_hashed_with_argon2id_at_production_cost(real_password_hashing: None) -> None:
    from argon2 import Type, extract_parameters

    from interdict.services.auth import hash_password, password_matches

    stored = hash_password("a long enough passphrase")
    params = extract_parameters(stored)
    assert params.type is Type.ID and params.time_cost >= 2 and params.memory_cost >= 19 * 1024
    assert password_matches(stored, "a long enough passphrase") and not password_matches(stored, "wrong")
