"""Precursor incidents over HTTP (``/api/v1/precursors/incidents``), on SQLite and PostgreSQL: the answers'
shapes, problems naming the field and value, an outsider's answers identical to those for an incident that
does not exist, the owner-only distribution change, the seizure statistics counting the chemicals seized,
and the incident statistics."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import World

API = "/api/v1"
INCIDENTS = f"{API}/precursors/incidents"


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return dict(answer.json())


def _body(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "stopped_shipment",
        "occurred_on": "2026-04-11",
        "country": "TH",
        "place": "Fictional river port",
        "summary": "Drums of P-2-P declared as industrial solvent stopped at the port",
        "methods": ["false_declaration", "front_company"],
        "origin_country": "CN",
        "transit_countries": ["LA"],
        "chemicals": [{"substance": "BMK", "quantity": 400, "unit": "l"}],
        **fields,
    }


def test_precursor_incidents_over_http(client: TestClient, world: World) -> None:
    own, named, out = world.agency("PIA-OWN"), world.agency("PIA-NAMED"), world.agency("PIA-OUT")
    lead, partner, outsider = world.user(own), world.user(named), world.user(out)

    bad = client.post(
        INCIDENTS,
        json=_body(
            chemicals=[
                {"substance": "BMK", "quantity": 1, "unit": "kg"},
                {"substance": "heroin", "quantity": 1, "unit": "kg"},
            ]
        ),
        headers=lead.headers,
    )
    problem = _problem(bad, 422)
    assert "'heroin' is not a precursor chemical" in problem["detail"]
    assert {e["field"] for e in problem["errors"]} == {"chemicals[1].substance"}
    assert client.get(INCIDENTS, headers=lead.headers).json()["items"] == []
    assert client.get(f"{API}/seizures", headers=lead.headers).json()["items"] == []
    unknown = client.post(
        INCIDENTS, json=_body(distribution="agencies", agencies=["NOPE"]), headers=lead.headers
    )
    assert {e["field"] for e in _problem(unknown, 422)["errors"]} == {"agencies"}
    assert _problem(client.post(INCIDENTS, json=_body(owner_agency_id=3), headers=lead.headers), 422)

    made = client.post(INCIDENTS, json=_body(distribution="agencies", agencies=[named]), headers=lead.headers)
    assert made.status_code == 201, made.text
    incident = made.json()
    ref = incident["uuid"]
    assert (incident["kind"], incident["country"], incident["transit_countries"]) == (
        "stopped_shipment",
        "TH",
        ["LA"],
    )
    assert incident["lines"][0]["substance"] == "p2p" and incident["total_mass_kg"] == 404.0
    assert incident["sharing"]["agencies"] == [named] and incident["seizure_uuid"]

    seizure_stats = client.get(f"{API}/stats/seizures?by=substance", headers=partner.headers).json()
    assert seizure_stats["total_mass_kg"] == 404.0
    assert (
        client.get(f"{API}/stats/seizures?by=substance", headers=outsider.headers).json()["total_mass_kg"]
        == 0
    )

    assert client.get(f"{INCIDENTS}/{ref}", headers=partner.headers).json()["uuid"] == ref
    listed = client.get(
        f"{INCIDENTS}?kind=stopped_shipment&country=TH&substance=P-2-P", headers=partner.headers
    )
    assert [i["uuid"] for i in listed.json()["items"]] == [ref]
    assert client.get(f"{INCIDENTS}?kind=theft", headers=partner.headers).json()["items"] == []

    # An outsider: every route answers exactly as for an incident that does not exist.
    ghost = str(uuid.uuid4())
    change = {"distribution": "all", "reason": "regional alert"}
    for method, path, body in (("GET", "", None), ("PUT", "/distribution", change)):
        a = client.request(method, f"{INCIDENTS}/{ref}{path}", json=body, headers=outsider.headers)
        b = client.request(method, f"{INCIDENTS}/{ghost}{path}", json=body, headers=outsider.headers)
        assert a.status_code == b.status_code == 404
        assert a.text.replace(ref, "X") == b.text.replace(ghost, "X")
    assert client.get(INCIDENTS, headers=outsider.headers).json()["items"] == []

    assert (
        client.put(f"{INCIDENTS}/{ref}/distribution", json=change, headers=partner.headers).status_code == 403
    )
    moved = client.put(f"{INCIDENTS}/{ref}/distribution", json=change, headers=lead.headers)
    assert moved.status_code == 200 and moved.json()["sharing"]["distribution"] == "all"
    assert client.get(f"{INCIDENTS}/{ref}", headers=outsider.headers).status_code == 200
    assert (
        client.get(f"{API}/stats/seizures?by=substance", headers=outsider.headers).json()["total_mass_kg"]
        == 404.0
    )

    stats = client.get(f"{INCIDENTS}/stats?by=method", headers=outsider.headers)
    assert stats.status_code == 200, stats.text
    rows = {r["key"]: r for r in stats.json()["rows"]}
    assert set(rows) == {"false_declaration", "front_company"}
    assert (
        rows["front_company"]["label"] == "Front or shell company"
        and rows["front_company"]["mass_kg"] == 404.0
    )
    assert (
        _problem(client.get(f"{INCIDENTS}/stats?by=colour", headers=lead.headers), 422)["errors"][0]["field"]
        == "by"
    )
    empty = client.get(f"{INCIDENTS}/stats?by=kind&date_to=2025-12-31", headers=lead.headers).json()
    assert empty["total_incidents"] == 0 and empty["rows"] == []


def test_suspicious_order_and_equipment_over_http(client: TestClient, world: World) -> None:
    own = world.agency("PIA-EQ")
    lead = world.user(own)
    order = client.post(INCIDENTS, json=_body(kind="suspicious_order", chemicals=[]), headers=lead.headers)
    assert order.status_code == 201, order.text
    assert order.json()["seizure_uuid"] is None and order.json()["lines"] == []
    machines = client.post(
        INCIDENTS,
        json=_body(kind="equipment_seizure", chemicals=[], equipment=[{"equipment": "reactor", "count": 2}]),
        headers=lead.headers,
    )
    assert machines.status_code == 201, machines.text
    assert machines.json()["equipment_units"] == 2 and machines.json()["seizure_uuid"] is None
    future = client.post(INCIDENTS, json=_body(occurred_on="2027-01-01"), headers=lead.headers)
    assert {e["field"] for e in _problem(future, 422)["errors"]} == {"occurred_on"}
    by_equipment = client.get(f"{INCIDENTS}/stats?by=equipment", headers=lead.headers).json()
    assert [(r["key"], r["equipment_units"]) for r in by_equipment["rows"]] == [("reactor", 2.0)]
