"""Cases and joint investigations over HTTP (``/api/v1/cases``, ``/api/v1/syndicates``), on SQLite and
PostgreSQL: the answers' shapes, problems naming the field, an outsider's answers identical to those for a
case that does not exist, links each participant sees under the record's own rule, and a participant that
leaves. (Every route x role x relation: tests/api/test_authz_matrix.py, test_case_routes_*.)"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from interdict.schemas.seizures import SeizureCreate
from tests.factories import Person, World

API = "/api/v1"
CASES = f"{API}/cases"


def _seizure(world: World, who: Person, distribution: str, agencies: list[str] | None = None) -> str:
    data = SeizureCreate.model_validate({
        "seized_on": "2026-05-01", "country": "MM", "distribution": distribution, "agencies": agencies or [],
        "items": [{"substance": "methamphetamine", "quantity": 2_000_000, "unit": "tablets"}], "place": "Tachileik"})
    with world.p.db.unit() as s:
        return world.p.seizures.create(s, world.actor(who), data).uuid


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return dict(answer.json())


def test_a_joint_case_over_http(client: TestClient, world: World) -> None:
    own, part, out = world.agency("API-OWN"), world.agency("API-PART"), world.agency("API-OUT")
    lead, partner, outsider = world.user(own, "supervisor"), world.user(part, "investigator"), world.user(out)
    bad = client.post(CASES, json={"title": "x", "offences": ["drug_trafficking", "arson"]}, headers=lead.headers)
    problem = _problem(bad, 422)
    assert "'arson'" in problem["detail"] and {e["field"] for e in problem["errors"]} == {"offences"}
    unknown = client.post(CASES, json={"title": "x", "participants": ["NOPE"]}, headers=lead.headers)
    assert {e["field"] for e in _problem(unknown, 422)["errors"]} == {"participants"}
    assert _problem(client.post(CASES, json={"title": "x", "owner_agency": part}, headers=lead.headers), 422)
    made = client.post(CASES, json={"title": "Tachileik tablets", "summary": "Shan State labs.",
                                    "offences": ["cultivation_manufacture"], "participants": [part]},
                       headers=lead.headers)
    assert made.status_code == 201, made.text
    case = made.json()
    ref = case["uuid"]
    assert (case["status"], case["owner_agency"], case["is_joint"], case["version"]) == ("open", own, True, 1)
    assert set(case["actions"]) == {"update", "status", "invite", "remove", "link", "unlink", "note", "message"}

    shared = _seizure(world, partner, "agencies", [own])
    private = _seizure(world, partner, "agency")
    for record in (shared, private):
        linked = client.post(f"{CASES}/{ref}/links", json={"record": record, "note": "ours"}, headers=partner.headers)
        assert linked.status_code == 201, linked.text
    assert {lk["record_uuid"] for lk in client.get(f"{CASES}/{ref}", headers=lead.headers).json()["links"]} == {shared}
    theirs = client.get(f"{CASES}/{ref}", headers=partner.headers).json()
    assert {lk["record_uuid"] for lk in theirs["links"]} == {shared, private}
    assert theirs["actions"] == ["remove", "link", "unlink", "note", "message"]
    seen = next(lk for lk in theirs["links"] if lk["record_uuid"] == shared)
    assert (seen["owner_agency"], seen["linked_by_agency"], seen["record_kind"]) == (part, part, "seizure")
    assert "Tachileik" in seen["caption"]

    # An outsider: every route answers exactly as for a case that does not exist.
    ghost = str(uuid.uuid4())
    for method, path, body in (("GET", "", None), ("POST", "/notes", {"body": "hi"}),
                               ("POST", "/links", {"record": shared}), ("PATCH", "", {"version": 1, "title": "t"}),
                               ("DELETE", f"/participants/{out}", None)):
        a = client.request(method, f"{CASES}/{ref}{path}", json=body, headers=outsider.headers)
        b = client.request(method, f"{CASES}/{ghost}{path}", json=body, headers=outsider.headers)
        assert a.status_code == b.status_code == 404
        assert a.text.replace(ref, "X") == b.text.replace(ghost, "X")
    assert client.get(CASES, headers=outsider.headers).json()["items"] == []

    stale = client.patch(f"{CASES}/{ref}", json={"version": 7, "title": "New"}, headers=lead.headers)
    assert {e["field"] for e in _problem(stale, 409)["errors"]} == {"version"}
    moved = client.post(f"{CASES}/{ref}/status", json={"status": "suspended", "reason": "Lab results."},
                        headers=lead.headers)
    assert moved.status_code == 200 and moved.json()["entries"][-1]["body"] == "open → suspended: Lab results."
    left = client.delete(f"{CASES}/{ref}/participants/{part}", headers=partner.headers)
    assert left.status_code == 200 and left.json() is None
    assert client.get(f"{CASES}/{ref}", headers=partner.headers).status_code == 404
    assert client.get(f"{CASES}/{ref}", headers=lead.headers).json()["is_joint"] is False
    assert _problem(client.get(f"{API}/syndicates/{ghost}", headers=lead.headers), 404)["detail"].startswith(
        "no syndicate")
    assert client.get(f"{API}/syndicates", headers=lead.headers).json() == []
    assert f"{API}/cases/{{ref}}/links" in client.get(f"{API}/openapi.json").json()["paths"]
