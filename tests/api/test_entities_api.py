"""``/api/v1/entities``: create with normalised identifiers, read, change with optimistic concurrency,
share, import FtM lines all or nothing and export them, with every refusal naming the field and value
and writing nothing. Who may call what, for every role, relation and distribution, is the matrix's
(tests/api/test_authz_matrix.py, the entity twins)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.factories import World

API = "/api/v1/entities"


def test_create_read_update_share_and_list(client: TestClient, world: World) -> None:
    ours, other = world.agency("EA-OURS", country="CN"), world.agency("EA-OTHER", country="TH")
    me, them = world.user(ours, "analyst"), world.user(other, "analyst")
    made = client.post(API, headers=me.headers, json={
        "schema": "Person", "id": "suspect-1",
        "properties": {"name": ["张伟"], "birthDate": ["1979-03-05"], "phone": ["138 0013 8000"],
                       "nationality": ["cn"]}})
    assert made.status_code == 201, made.text
    body = made.json()
    ref = body["uuid"]
    assert body["id"] == "suspect-1" and body["schema"] == "Person"
    assert body["properties"]["phone"] == ["+8613800138000"]
    assert body["sharing"]["contains_personal_data"] is True  # a person, by default
    assert body["sharing"]["owner_agency"] == "EA-OURS"

    again = client.post(API, headers=me.headers, json={"schema": "Person", "id": "suspect-1",
                                                       "properties": {"name": ["Other"]}})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "id"

    bad = client.post(API, headers=me.headers, json={"schema": "Person", "properties": {"phone": ["12"]}})
    assert bad.status_code == 422 and "'12'" in bad.text
    assert client.post(API, headers=me.headers, json={"schema": "Nonsense"}).status_code == 422
    assert client.get(API, headers=me.headers).json()["items"][0]["uuid"] == ref  # nothing else written

    changed = client.patch(f"{API}/{ref}", headers=me.headers,
                           json={"properties": {"name": ["张伟", "Zhang Wei"]}, "version": 1})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = client.patch(f"{API}/{ref}", headers=me.headers, json={"properties": {"name": ["X"]}, "version": 1})
    assert stale.status_code == 409

    assert client.get(f"{API}/{ref}", headers=them.headers).status_code == 404
    shared = client.put(f"{API}/{ref}/distribution", headers=me.headers,
                        json={"distribution": "all", "reason": "regional alert"})
    assert shared.status_code == 200 and shared.json()["sharing"]["distribution"] == "all"
    # Personal data reaches another agency only under an agreement that allows it.
    assert client.get(f"{API}/{ref}", headers=them.headers).status_code == 404
    world.agreement(agencies=["EA-OURS", "EA-OTHER"], personal_data=True)
    seen = client.get(f"{API}/{ref}", headers=them.headers)
    assert seen.status_code == 200 and seen.json()["properties"]["name"] == ["张伟", "Zhang Wei"]
    assert [i["uuid"] for i in client.get(f"{API}?q=Zhang", headers=them.headers).json()["items"]] == [ref]
    assert client.get(f"{API}?owner=EA-OTHER", headers=them.headers).json()["items"] == []
    assert client.get(f"{API}?schema=Nonsense", headers=them.headers).status_code == 422


def test_import_all_or_nothing_and_export(client: TestClient, world: World) -> None:
    ours = world.agency("EI-OURS", country="TH")
    me = world.user(ours, "analyst")
    good = "\n".join(json.dumps(e) for e in (
        {"id": "p1", "schema": "Person", "properties": {"name": ["Somchai Jaidee"], "phone": ["081 234 5678"],
                                                        "nationality": ["th"]}},
        {"id": "w1", "schema": "CryptoWallet", "properties": {"publicKey": ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]}},
    )).encode()
    first = client.post(f"{API}/imports", headers=me.headers,
                        files={"file": ("a.jsonl", good, "application/x-ndjson")}, data={"distribution": "agency"})
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 2
    second = client.post(f"{API}/imports", headers=me.headers,
                         files={"file": ("a.jsonl", good, "application/x-ndjson")}, data={"distribution": "agency"})
    assert second.json()["unchanged"] == 2 and second.json()["created"] == 0

    bad_wallet = {"id": "w2", "schema": "CryptoWallet", "properties": {"publicKey": ["1BoatSLRHtKNngkdXEeobR76b53LETtpyX"]}}
    broken = good + b"\n" + json.dumps(bad_wallet).encode() + b"\n"
    refused = client.post(f"{API}/imports", headers=me.headers,
                          files={"file": ("b.jsonl", broken, "application/x-ndjson")}, data={"distribution": "agency"})
    assert refused.status_code == 422 and "line 3" in refused.text
    listed = client.get(f"{API}?limit=200", headers=me.headers).json()["items"]
    assert sorted(i["id"] for i in listed) == ["p1", "w1"]  # nothing of the refused file

    exported = client.get(f"{API}/export", headers=me.headers)
    assert exported.status_code == 200 and exported.headers["x-interdict-exported"] == "2"
    rows = [json.loads(line) for line in exported.text.splitlines()]
    assert {r["id"] for r in rows} == {"p1", "w1"}
    assert next(r for r in rows if r["id"] == "p1")["properties"]["phone"] == ["+66812345678"]
    only = client.get(f"{API}/export?schema=CryptoWallet", headers=me.headers)
    assert [json.loads(line)["id"] for line in only.text.splitlines()] == ["w1"]
