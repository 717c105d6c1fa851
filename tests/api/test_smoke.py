"""The end-to-end path every other test builds on: create, share, read, not read."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import World


def test_report_shared_with_mechanism_is_seen_by_members_only(client: TestClient, world: World) -> None:
    th, la, us = world.agency("TH-A"), world.agency("LA-A", country="LA"), world.agency("US-A", country="US")
    world.mechanism("MEK", [th, la])
    alice, bob, carol = world.user(th), world.user(la), world.user(us)
    created = client.post("/api/v1/intel-reports", headers=alice.headers, json={
        "title": "Route via Bokeo", "body": "**bold** <script>x</script>", "distribution": "mechanisms",
        "mechanisms": ["MEK"], "countries": ["la", "TH"]})
    assert created.status_code == 201, created.text
    uuid = created.json()["uuid"]
    assert created.json()["sharing"]["owner_agency"] == "TH-A"
    assert "<script>" not in created.json()["body_html"]
    assert client.get(f"/api/v1/intel-reports/{uuid}", headers=bob.headers).status_code == 200
    hidden = client.get(f"/api/v1/intel-reports/{uuid}", headers=carol.headers)
    missing = client.get("/api/v1/intel-reports/00000000-0000-0000-0000-000000000000", headers=carol.headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["title"] == missing.json()["title"]
    assert [r["uuid"] for r in client.get("/api/v1/intel-reports", headers=bob.headers).json()["items"]] == [uuid]
    assert client.get("/api/v1/intel-reports", headers=carol.headers).json()["items"] == []
