"""The network API (``api/routes/network.py``) on SQLite and PostgreSQL: the graph, paths with their
records, disruption, money traced with the caller's rate table, exports that parse, and bad input."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from interdict.services.entities import EntityDraft
from interdict.services.sharing import DistributionRequest
from tests.factories import Person, World

N = "/api/v1/network"


def entity(w: World, who: Person, ftm_id: str, schema: str, **props: list[str]) -> str:
    with w.p.db.unit() as s:
        return w.p.entities.create(
            s,
            w.actor(who),
            EntityDraft(schema, props, ftm_id, DistributionRequest("agency"), contains_personal_data=False),
        ).uuid


@pytest.fixture
def ring(world: World) -> tuple[Person, dict[str, str]]:
    """Two cliques of companies joined through one broker; payments broker -> a0 -> a1."""
    me = world.user(world.agency("NET-API"), "analyst")
    ids = {
        k: entity(world, me, k, "Company", name=[f"Co {k}"], jurisdiction=["th" if k < "b" else "la"])
        for k in ("a0", "a1", "a2", "b0", "b1", "b2", "broker")
    }
    for side in "ab":
        for x, y in ((0, 1), (0, 2), (1, 2)):
            entity(world, me, f"{side}{x}{y}", "UnknownLink", subject=[f"{side}{x}"], object=[f"{side}{y}"])
    entity(world, me, "ka", "UnknownLink", subject=["broker"], object=["a0"])
    entity(world, me, "kb", "UnknownLink", subject=["broker"], object=["b0"])
    entity(
        world,
        me,
        "p1",
        "Payment",
        payer=["broker"],
        beneficiary=["a0"],
        amount=["1000"],
        currency=["EUR"],
        date=["2024-03-01"],
    )
    entity(
        world,
        me,
        "p2",
        "Payment",
        payer=["a0"],
        beneficiary=["a1"],
        amount=["900"],
        currency=["USD"],
        date=["2024-03-02"],
    )
    return me, ids


def test_graph_path_and_disruption(client: TestClient, ring: tuple[Person, dict[str, str]]) -> None:
    me, ids = ring
    r = client.get(N, headers=me.headers)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["summary"]["nodes"] == 7
    top_bt = max(data["players"], key=lambda p: p["betweenness"])
    assert top_bt["id"] == ids["broker"]
    r = client.get(f"{N}/path", params={"source": ids["a1"], "target": ids["b1"]}, headers=me.headers)
    hops = r.json()["paths"][0]["hops"]
    assert [h["target"] for h in hops] == [ids["a0"], ids["broker"], ids["b0"], ids["b1"]]
    assert {rec["kind"] for rec in hops[0]["records"]} == {"UnknownLink", "Payment"}
    r = client.get(f"{N}/disrupt", params={"remove": ids["broker"], "suggest": 1}, headers=me.headers)
    assert r.json()["removal"]["after"]["components"] == 2
    assert r.json()["suggestion"]["by_betweenness"]["removed"] == [ids["broker"]]
    r = client.get(f"{N}/disrupt", headers=me.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "remove"


def test_money_with_rates(client: TestClient, ring: tuple[Person, dict[str, str]]) -> None:
    me, ids = ring
    body = {
        "origin": ids["broker"],
        "rates": [{"date": "2024-01-01", "currency": "EUR", "rate": "1.08"}],
        "flows": "country",
        "flags": True,
    }
    r = client.post(f"{N}/money", json=body, headers=me.headers)
    assert r.status_code == 200, r.text
    steps = r.json()["trace"]["steps"]
    assert [(s["hop"], s["base_amount"]) for s in steps] == [(1, "1080.00"), (2, "900")]
    flows = {(f["from"], f["to"]): f["total"] for f in r.json()["flows"]}
    assert flows == {("LA", "TH"): "1080.00", ("TH", "TH"): "900"}  # the broker is a Lao company
    r = client.post(f"{N}/money", json={"origin": ids["broker"]}, headers=me.headers)
    assert r.status_code == 422 and "no EUR to USD rate on or before 2024-03-01" in r.json()["detail"]


def test_exports_parse(client: TestClient, ring: tuple[Person, dict[str, str]]) -> None:
    me, _ = ring
    for fmt in ("graphml", "gexf"):
        r = client.get(f"{N}/export", params={"format": fmt}, headers=me.headers)
        assert r.status_code == 200 and r.headers["x-withheld-records"] == "0"
        ET.fromstring(r.content)
    r = client.get(f"{N}/export", params={"format": "i2"}, headers=me.headers)
    assert r.text.startswith("Entity1_Id,") and len(r.text.splitlines()) == 1 + 8 + 2
    r = client.get(f"{N}/export", params={"format": "ftm"}, headers=me.headers)
    assert len(r.text.splitlines()) == 7 + 10


def test_bad_filters(client: TestClient, ring: tuple[Person, dict[str, str]]) -> None:
    me, _ = ring
    r = client.get(N, params={"since": "2024-05-01", "until": "2024-01-01"}, headers=me.headers)
    assert r.status_code == 422 and "ends before it starts" in r.json()["detail"]
    r = client.get(N, params={"country": "ZZ"}, headers=me.headers)
    assert r.status_code == 422 and "nothing in the network" in r.json()["detail"]
    r = client.get(N, params={"case": "0d000856-aeee-4b8d-a3a5-d4f3dc3c81d3"}, headers=me.headers)
    assert r.status_code == 404
