"""Pre-export notifications over HTTP (``/api/v1/precursors/...``), on SQLite and PostgreSQL: shapes,
problems naming the field, an outsider's answers identical to those for a notification that does not
exist, the lifecycle through every write route, the log, and the authorities' address book."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Clock
from tests.factories import Person, World

API = "/api/v1/precursors"
PENS = f"{API}/notifications"
BODY: dict[str, Any] = {
    "importing_country": "TH",
    "exporter": "Example Fine Chemicals Co. (fictitious)",
    "importer": "Sample Import Trading Ltd (fictitious)",
    "substance": "acetic anhydride",
    "quantity": 500,
    "unit": "kg",
    "route": [{"country": "SG", "place": "Jurong", "mode": "sea", "free_trade_zone": True}],
    "ship_date": "2026-06-20",
}


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return dict(answer.json())


def _setup(client: TestClient, world: World) -> tuple[Person, Person, Person, Person]:
    for code, country in (("CN-API", "CN"), ("TH-API", "TH"), ("SG-API", "SG"), ("US-API", "US")):
        world.agency(code, country=country)
    admin = world.user(world.agency("INT-API", country="AT"), "platform_admin")
    cn, th, sg, us = (world.user(c) for c in ("CN-API", "TH-API", "SG-API", "US-API"))
    refused = client.put(f"{API}/authorities/CN", json={"agency": "CN-API"}, headers=cn.headers)
    _problem(refused, 403)
    for country, code in (("CN", "CN-API"), ("TH", "TH-API"), ("SG", "SG-API")):
        made = client.put(f"{API}/authorities/{country}", json={"agency": code}, headers=admin.headers)
        assert made.status_code == 200, made.text
        assert made.json()["agency"] == code
    return cn, th, sg, us


def test_notification_over_http(client: TestClient, world: World, clock: Clock) -> None:
    cn, th, sg, us = _setup(client, world)
    listed = client.get(f"{API}/authorities", headers=us.headers).json()
    assert [(a["country"], a["agency"]) for a in listed] == [
        ("CN", "CN-API"),
        ("SG", "SG-API"),
        ("TH", "TH-API"),
    ]

    bad = _problem(client.post(PENS, json={**BODY, "substance": "heroin"}, headers=cn.headers), 422)
    assert "expected a precursor chemical" in bad["detail"] and {e["field"] for e in bad["errors"]} == {
        "substance"
    }
    bad = _problem(client.post(PENS, json={**BODY, "importing_country": "ZZ"}, headers=cn.headers), 422)
    assert {e["field"] for e in bad["errors"]} == {"importing_country"}
    bad = _problem(client.post(PENS, json={**BODY, "unit": "plants"}, headers=cn.headers), 422)
    assert {e["field"] for e in bad["errors"]} == {"unit"}
    _problem(client.post(PENS, json={**BODY, "owner_agency_id": 1}, headers=cn.headers), 422)

    made = client.post(PENS, json=BODY, headers=cn.headers)
    assert made.status_code == 201, made.text
    pen = made.json()
    ref = pen["reference"]
    assert (ref, pen["state"], pen["role"], pen["substance"]) == (
        "PEN-CN-2026-000001",
        "awaiting_answer",
        "exporter",
        "acetic_anhydride",
    )
    assert pen["actions"] == ["withdraw", "share"]
    dup = _problem(client.post(PENS, json=BODY, headers=cn.headers), 409)
    assert ref in dup["detail"]

    # An outsider's answers are those for a notification that does not exist.
    missing = _problem(client.get(f"{PENS}/PEN-CN-2026-999999", headers=us.headers), 404)
    hidden = _problem(client.get(f"{PENS}/{ref}", headers=us.headers), 404)
    assert hidden["detail"].replace(ref, "X") == missing["detail"].replace("PEN-CN-2026-999999", "X")
    _problem(
        client.post(
            f"{PENS}/{ref}/answer",
            json={"version": 1, "answer": "objection", "reason": "x"},
            headers=us.headers,
        ),
        404,
    )
    _problem(client.get(f"{PENS}/{ref}/events", headers=us.headers), 404)
    assert client.get(PENS, headers=us.headers).json()["items"] == []

    inbox = client.get(PENS, params={"box": "inbox"}, headers=th.headers).json()["items"]
    assert [p["reference"] for p in inbox] == [ref]
    transit = client.get(PENS, params={"box": "transit"}, headers=sg.headers).json()["items"]
    assert [p["reference"] for p in transit] == [ref]
    forbidden = _problem(
        client.post(
            f"{PENS}/{ref}/answer", json={"version": 1, "answer": "no_objection"}, headers=sg.headers
        ),
        403,
    )
    assert "TH-API" in forbidden["detail"]

    asked = client.post(
        f"{PENS}/{ref}/answer",
        json={"version": 1, "answer": "information_requested", "reason": "End user certificate?"},
        headers=th.headers,
    )
    assert asked.json()["state"] == "info_requested"
    given = client.post(
        f"{PENS}/{ref}/information", json={"version": 2, "information": "Attached."}, headers=cn.headers
    )
    assert given.json()["state"] == "awaiting_answer"
    clock.advance(days=20)
    assert client.get(PENS, params={"box": "outbox", "overdue": "true"}, headers=cn.headers).json()["items"]
    late = client.post(
        f"{PENS}/{ref}/answer", json={"version": 3, "answer": "no_objection"}, headers=th.headers
    )
    assert (late.json()["state"], late.json()["answer_late"]) == ("cleared", True)
    stale = _problem(
        client.post(
            f"{PENS}/{ref}/shipment", json={"version": 3, "shipped_on": "2026-06-20"}, headers=cn.headers
        ),
        409,
    )
    assert {e["field"] for e in stale["errors"]} == {"version"}
    shipped = client.post(
        f"{PENS}/{ref}/shipment", json={"version": 4, "shipped_on": "2026-06-20"}, headers=cn.headers
    )
    assert shipped.json()["state"] == "shipped"
    arrived = client.post(
        f"{PENS}/{ref}/arrival", json={"version": 5, "arrived_on": "2026-06-19"}, headers=cn.headers
    )
    assert {e["field"] for e in _problem(arrived, 422)["errors"]} == {"arrived_on"}
    arrived = client.post(
        f"{PENS}/{ref}/arrival", json={"version": 5, "arrived_on": "2026-06-21"}, headers=cn.headers
    )
    assert arrived.json()["state"] == "arrived"
    log = client.get(f"{PENS}/{ref}/events", headers=th.headers).json()
    assert [(e["event"], e["late"]) for e in log] == [
        ("notified", False),
        ("answered", False),
        ("information_provided", False),
        ("answered", True),
        ("shipped", False),
        ("arrived", False),
    ]


def test_withdrawal_and_sharing_over_http(client: TestClient, world: World) -> None:
    cn, th, _, us = _setup(client, world)
    ref = client.post(PENS, json=BODY, headers=cn.headers).json()["uuid"]
    dropped = _problem(
        client.put(
            f"{PENS}/{ref}/distribution",
            json={"version": 1, "distribution": "agencies", "agencies": ["TH-API"]},
            headers=cn.headers,
        ),
        422,
    )
    assert "SG-API" in dropped["detail"]
    added = client.put(
        f"{PENS}/{ref}/distribution",
        json={"version": 1, "distribution": "agencies", "agencies": ["TH-API", "SG-API", "US-API"]},
        headers=th.headers,
    )
    assert added.status_code == 200, added.text
    assert client.get(f"{PENS}/{ref}", headers=us.headers).json()["role"] == "shared"
    gone = client.post(
        f"{PENS}/{ref}/withdrawal", json={"version": 2, "reason": "Cancelled"}, headers=cn.headers
    )
    assert gone.json()["state"] == "withdrawn"
    final = _problem(client.post(f"{PENS}/{ref}/withdrawal", json={"version": 3}, headers=cn.headers), 409)
    assert "withdrawn" in final["detail"]
