"""``/api/v1/watchlists``: a platform administrator imports the OFAC list; every user sees it with its
provenance; a cross-check names the list, entry and programmes; an entity written that matches raises
a watch-list alert for its own agency only. (Who may call what: tests/api/test_authz_matrix.py.)"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.factories import World

API = "/api/v1"
EXCERPT = (Path(__file__).parents[1] / "data" / "ofac_sdn_excerpt.csv").read_bytes()


def test_import_list_screen_and_alert(client: TestClient, world: World) -> None:
    admin = world.user(world.agency("WA-PLAT"), "platform_admin")
    me = world.user(world.agency("WA-TH", country="TH"), "analyst")
    other = world.user(world.agency("WA-LA", country="LA"), "analyst")
    refused = client.post(f"{API}/watchlists/imports", headers=me.headers,
                          files={"file": ("sdn.csv", EXCERPT, "text/csv")})
    assert refused.status_code == 403
    bad = client.post(f"{API}/watchlists/imports", headers=admin.headers,
                      files={"file": ("sdn.csv", b"nonsense\n", "text/csv")})
    assert bad.status_code == 422 and "unrecognised list format" in bad.json()["detail"]
    done = client.post(f"{API}/watchlists/imports", headers=admin.headers,
                       files={"file": ("sdn.csv", EXCERPT, "text/csv")}, data={"published": "2026-11-01"})
    assert done.status_code == 200, done.text
    assert done.json() | {"sha256": "", "warnings": []} == {
        "code": "ofac-sdn", "title": done.json()["title"], "sha256": "", "entries": 8, "unchanged": False,
        "superseded": 0, "warnings": []}

    (listed,) = client.get(f"{API}/watchlists", headers=other.headers).json()
    assert (listed["code"], listed["entries"], listed["published_on"], listed["source"]) == (
        "ofac-sdn", 8, "2026-11-01", "sdn.csv")

    answer = client.post(f"{API}/crosscheck", headers=me.headers,
                         json={"names": ["Miguel Angel Rodriguez Orejuela"], "birth_date": "1943-11-23"})
    assert answer.status_code == 200
    (hit,) = answer.json()["list_hits"]
    assert (hit["list_code"], hit["entry_id"], hit["programs"]) == ("ofac-sdn", "4108", ["SDNT"])

    made = client.post(f"{API}/entities", headers=me.headers, json={
        "schema": "Person", "properties": {"name": ["Miguel Angel Arriola Marquez"], "birthDate": ["1967-12-15"]}})
    assert made.status_code == 201
    (alert,) = client.get(f"{API}/watchlists/alerts", headers=me.headers).json()
    assert (alert["entity_ref"], alert["entry_id"], alert["programs"]) == (made.json()["uuid"], "9338", ["SDNTK"])
    assert client.get(f"{API}/watchlists/alerts", headers=other.headers).json() == []
